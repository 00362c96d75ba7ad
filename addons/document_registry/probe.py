# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Read an uploaded file in a process of its own (content.probe runs it):

    python -I probe.py '{"content_type": "application/pdf", ...}' < file

It limits its own memory and CPU time first, then reads the file once and
prints one JSON object: {"error": reason or null, "values": {...} (of the
error's message), "pages": n, "text": "..."}.  Imports no trytond: what a
hostile file can reach here is pypdf or Pillow, in a process that dies."""
import io
import json
import resource
import signal
import sys

# The actions a reader runs only when the reader clicks a link; any other
# (JavaScript, Launch, SubmitForm, ImportData, GoToR, GoToE, Rendition,
# RichMediaExecute, Sound, Movie, Hide…) is active content.
LINK_ACTIONS = {'/GoTo', '/URI', '/Named', '/Thread'}
ACTIVE_KEYS = {
    '/JS': 'javascript',
    '/JavaScript': 'javascript',
    '/AA': 'automatic action',
    '/EmbeddedFiles': 'embedded file',
    '/EF': 'embedded file',
    '/XFA': 'XFA form',
    }
ACTIVE_SUBTYPES = {'/FileAttachment', '/RichMedia', '/Screen', '/Movie',
    '/Sound', '/3D', '/EmbeddedFile'}
IMAGE_FORMATS = {
    'image/png': 'PNG',
    'image/jpeg': 'JPEG',
    'image/tiff': 'TIFF',
    }


class Refused(Exception):
    "args: (reason, {values of the message})"


class TextBudgetSpent(BaseException):
    "Raised by the timer inside pypdf: a BaseException, not caught there"


def limit_resources(limits):
    memory = limits['memory']
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = max(1, int(limits['cpu']))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def main():
    limits = json.loads(sys.argv[1])
    limit_resources(limits)
    data = sys.stdin.buffer.read()
    try:
        if limits['content_type'] == 'application/pdf':
            result = read_pdf(data, limits)
        else:
            result = read_image(data, limits)
        result['error'] = None
    except Refused as refused:
        reason, values = refused.args
        result = {'error': reason, 'values': values}
    except MemoryError:
        result = {'error': 'too_complex', 'values': {}}
    json.dump(result, sys.stdout)


# PDF

def read_pdf(data, limits):
    import pypdf
    from pypdf.errors import LimitReachedError
    max_inflated = min(limits['pdf_max_inflated'],
        max(limits['pdf_inflate_ratio'] * len(data), limits['inflate_floor']))
    count_inflated_bytes(max_inflated)
    try:
        with pypdf.apply_configuration(**pypdf_limits(max_inflated)):
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise Refused('encrypted_pdf', {})
            pages = len(reader.pages)
            if not pages:
                raise Refused('broken_pdf', {})
            if pages > limits['pdf_max_pages']:
                raise Refused('too_many_pages', {
                        'pages': pages, 'max_pages': limits['pdf_max_pages']})
            found = active_content(reader, limits['pdf_max_objects'])
            if found:
                print(f"active content: {', '.join(sorted(found))}",
                    file=sys.stderr)
                raise Refused('active_pdf', {})
            text = extract_text(reader, limits)
    except (Refused, MemoryError):
        raise
    except LimitReachedError as exception:
        print(f"limit: {exception}", file=sys.stderr)
        raise Refused('too_complex', {}) from exception
    except RecursionError as exception:
        raise Refused('broken_pdf', {}) from exception
    except Exception as exception:
        # this process reads nothing else: whatever stops pypdf is a file
        # that cannot be read
        print(f"broken: {exception!r}", file=sys.stderr)
        raise Refused('broken_pdf', {}) from exception
    return {'pages': pages, 'text': text}


def pypdf_limits(max_inflated):
    "pypdf's own caps of one stream, at our cap of them all"
    return {name: max_inflated for name in [
            'maximum_declared_stream_length',
            'array_based_stream_maximum_output_length',
            'jbig2_maximum_output_length', 'lzw_maximum_output_length',
            'run_length_maximum_output_length',
            'zlib_maximum_output_length', 'brotli_maximum_output_length',
            'image_maximum_buffer_size',
            'stream_decoding_work_maximum_length',
            'xfa_decoding_work_maximum_length']}


def count_inflated_bytes(max_inflated):
    """Count the bytes of every stream pypdf decodes (pypdf.filters is
    where StreamObject.get_data finds its decoder); over max_inflated, the
    file is refused"""
    from pypdf import filters
    decode = filters.decode_stream_data
    total = 0

    def counted(stream):
        nonlocal total
        data = decode(stream)
        total += len(data)
        if total > max_inflated:
            raise Refused('too_complex', {})
        return data
    filters.decode_stream_data = counted


def active_content(reader, max_objects):
    """The kinds of active content reachable from the trailer: scripts,
    automatic actions, actions other than links, embedded files and media
    (the names are read decoded: /J#61vaScript is /JavaScript)"""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
    found, seen, stack = set(), set(), [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > max_objects:
                raise Refused('too_complex', {})
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            found |= active_entries(obj)
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found


def active_entries(dictionary):
    found = {ACTIVE_KEYS[k] for k in dictionary if k in ACTIVE_KEYS}
    if dictionary.get('/Subtype') in ACTIVE_SUBTYPES or dictionary.get(
            '/Type') == '/EmbeddedFile':
        found.add(str(dictionary.get('/Subtype') or '/EmbeddedFile'))
    opening = dictionary.get('/OpenAction')
    # a destination ([page /Fit]) is harmless; an action runs on opening
    if opening is not None and not isinstance(opening, list):
        found |= {f'opening {a}' for a in actions(opening)} - {
            'opening /GoTo'}
    for key in ['/A', '/Next']:
        if key in dictionary:
            found |= set(actions(dictionary[key])) - LINK_ACTIONS
    return found


def actions(value):
    "The types (/S) of the action or the list of actions"
    value = value.get_object() if hasattr(value, 'get_object') else value
    items = value if isinstance(value, list) else [value]
    for item in items:
        item = item.get_object() if hasattr(item, 'get_object') else item
        if hasattr(item, 'get') and '/S' in item:
            yield str(item['/S'])


def extract_text(reader, limits):
    """The text of the pages, up to max_text characters, read in at most
    text_seconds of CPU time: past that, the text read so far (a long
    file stays accepted, its end is not searchable)"""
    def spent(signum, frame):
        raise TextBudgetSpent
    texts, length = [], 0
    signal.signal(signal.SIGVTALRM, spent)
    signal.setitimer(signal.ITIMER_VIRTUAL, limits['pdf_text_seconds'])
    try:
        for page in reader.pages:
            text = page.extract_text() or ''
            texts.append(text)
            length += len(text)
            if length > limits['max_text']:
                break
    except TextBudgetSpent:
        print("text budget spent", file=sys.stderr)
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
    return '\n'.join(texts)[:limits['max_text']]


# Images

def read_image(data, limits):
    "Decoded whole by Pillow, of the format its type says"
    from PIL import Image
    format_ = IMAGE_FORMATS[limits['content_type']]
    max_pixels = limits['image_max_pixels']
    # Pillow's own bomb check (an error at twice the value) as a backstop
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with Image.open(io.BytesIO(data), formats=[format_]) as image:
            image.verify()
        with Image.open(io.BytesIO(data), formats=[format_]) as image:
            frames = getattr(image, 'n_frames', 1)
            if frames > limits['pdf_max_pages']:
                raise Refused('too_many_pages', {
                        'pages': frames,
                        'max_pages': limits['pdf_max_pages']})
            for frame in range(frames):
                image.seek(frame)
                pixels = image.size[0] * image.size[1]
                if pixels > max_pixels:
                    raise Refused('image_pixels', {
                            'pixels': pixels, 'max_pixels': max_pixels})
                image.load()
    except (Refused, MemoryError):
        raise
    except Image.DecompressionBombError as exception:
        raise Refused('too_complex', {}) from exception
    except Exception as exception:
        print(f"broken: {exception!r}", file=sys.stderr)
        raise Refused('broken_image', {}) from exception
    return {'pages': frames, 'text': None}


if __name__ == '__main__':
    main()
