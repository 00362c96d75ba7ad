# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Content checks of attached files and text helpers, without the ORM"
import hashlib
import json
import logging
import subprocess
import sys
import unicodedata
from collections import OrderedDict
from pathlib import Path, PurePath
from typing import NamedTuple

from trytond import config

logger = logging.getLogger(__name__)

# The first bytes of each accepted format (the file's "magic number")
SIGNATURES = {
    'application/pdf': [b'%PDF-'],
    'image/png': [b'\x89PNG\r\n\x1a\n'],
    'image/jpeg': [b'\xff\xd8\xff'],
    'image/tiff': [b'II*\x00', b'MM\x00*'],
    }
EXTENSIONS = {
    '.pdf': 'application/pdf',
    '.png': 'image/png',
    '.jpg': 'image/jpeg',
    '.jpeg': 'image/jpeg',
    '.tif': 'image/tiff',
    '.tiff': 'image/tiff',
    }
MAX_TEXT = 200_000   # characters of extracted text kept for the search
PROBE = Path(__file__).with_name('probe.py')
# The caps of the process that reads a file ([document_registry] section
# of trytond.conf): a hostile file costs at most probe_cpu seconds of CPU,
# probe_memory bytes and probe_timeout seconds, whatever it holds
LIMITS = {
    'probe_timeout': 30.0,
    'probe_cpu': 10,
    'probe_memory': 1024 * 2 ** 20,
    'pdf_max_pages': 1000,
    # bytes of the decoded streams (page contents, fonts' maps, object
    # streams; not the images, which are not decoded): at most
    # pdf_inflate_ratio times the file's size, at least 1 MB
    'pdf_max_inflated': 64 * 2 ** 20,
    'pdf_inflate_ratio': 100,
    # CPU seconds of text extraction; the rest of a longer file is not
    # searchable
    'pdf_text_seconds': 5.0,
    'image_max_pixels': 64_000_000,
    }
INFLATE_FLOOR = 2 ** 20
MAX_OBJECTS = 1_000_000
PROBES = 0   # files read, for the tests: each upload is read once
_results = OrderedDict()
KEEP_RESULTS = 32


class ContentError(Exception):
    "A file that is not what it claims; args: (reason, {values})"


class Content(NamedTuple):
    content_type: str
    pages: int | None
    text: str | None


def sniff(data):
    "The content type read from the first bytes, or None"
    head = bytes(data[:16])
    for content_type, signatures in SIGNATURES.items():
        if any(head.startswith(s) for s in signatures):
            return content_type


def check(name, data, max_size):
    """Return the content type of a file named name, after checking that its
    content is of the type its extension says, that it is not larger than
    max_size bytes and that it can be read (inspect)"""
    return inspect(name, data, max_size).content_type


def inspect(name, data, max_size):
    """The Content of a file named name (type, pages, text of a PDF) after
    checking that its content is of the type its extension says, that it
    is not larger than max_size bytes and that it is read whole within the
    limits without active content; ContentError otherwise"""
    data = bytes(data or b'')
    if max_size and len(data) > max_size:
        raise ContentError(
            'too_large', {'size': len(data), 'max_size': max_size})
    expected = EXTENSIONS.get(PurePath(name or '').suffix.lower())
    if expected is None:
        raise ContentError('extension', {})
    if sniff(data) != expected:
        raise ContentError('mismatch', {})
    # A PDF ends with %%EOF (ISO 32000-1 §7.5.5): a truncated upload has none.
    if expected == 'application/pdf' and b'%%EOF' not in data[-2048:]:
        raise ContentError('broken_pdf', {})
    result = probe(expected, data)
    if result['error']:
        raise ContentError(result['error'], result.get('values') or {})
    return Content(expected, result.get('pages'), result.get('text'))


def limits():
    "LIMITS, as overridden in the [document_registry] section"
    values = {}
    for key, default in LIMITS.items():
        value = config.get('document_registry', key)
        values[key] = type(default)(value) if value else default
    return values


def probe(content_type, data):
    """The result of probe.py on data, kept for the next checks of the same
    file (the portal checks a file before the registry stores it, and a
    retried transaction checks it again)"""
    global PROBES
    caps = limits()
    key = (hashlib.sha256(data).digest(), content_type,
        tuple(sorted(caps.items())))
    if key in _results:
        _results.move_to_end(key)
        return _results[key]
    PROBES += 1
    arguments = dict(caps, content_type=content_type, max_text=MAX_TEXT,
        memory=caps['probe_memory'], cpu=caps['probe_cpu'],
        inflate_floor=INFLATE_FLOOR, pdf_max_objects=MAX_OBJECTS)
    try:
        process = subprocess.run(
            [config.get('document_registry', 'probe_python')
                or sys.executable, '-I', str(PROBE), json.dumps(arguments)],
            input=data, capture_output=True, env={}, cwd='/',
            timeout=caps['probe_timeout'])
    except subprocess.TimeoutExpired:
        logger.info("reading a %s took more than %ss", content_type,
            caps['probe_timeout'])
        return {'error': 'too_complex'}
    if process.stderr:
        logger.info("reading a %s: %s", content_type,
            process.stderr[-2000:].decode(errors='replace'))
    if process.returncode:
        # killed by its limits (SIGXCPU, no memory): not kept, the machine
        # may have been busy
        logger.info("reading a %s stopped (%s)", content_type,
            process.returncode)
        return {'error': 'too_complex'}
    result = json.loads(process.stdout)
    _results[key] = result
    while len(_results) > KEEP_RESULTS:
        _results.popitem(last=False)
    return result


def sha256(data):
    return hashlib.sha256(bytes(data or b'')).hexdigest()


def normalize(text):
    "Lower case, without diacritics and with single spaces: ș → s, Ă → a"
    if not text:
        return ''
    text = unicodedata.normalize('NFKD', str(text).lower())
    text = ''.join(c for c in text if not unicodedata.combining(c))
    return ' '.join(text.split())
