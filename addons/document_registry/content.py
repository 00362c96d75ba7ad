# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Content checks of attached files and text helpers, without the ORM"
import hashlib
import io
import logging
import unicodedata
from pathlib import PurePath

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


class ContentError(Exception):
    "A file that is not what it claims; args: (reason, {values})"


def sniff(data):
    "The content type read from the first bytes, or None"
    head = bytes(data[:16])
    for content_type, signatures in SIGNATURES.items():
        if any(head.startswith(s) for s in signatures):
            return content_type


def check(name, data, max_size):
    """Return the content type of a file named name, after checking that its
    content is of the type its extension says, that it is not larger than
    max_size bytes and, for a PDF, that it can be read"""
    size = len(data or b'')
    if max_size and size > max_size:
        raise ContentError('too_large', {'size': size, 'max_size': max_size})
    expected = EXTENSIONS.get(PurePath(name or '').suffix.lower())
    if expected is None:
        raise ContentError('extension', {})
    found = sniff(data or b'')
    if found != expected:
        raise ContentError('mismatch', {})
    if found == 'application/pdf':
        pdf_text(data)
    return found


def pdf_text(data):
    "The text of the PDF's pages; ContentError when the PDF is broken"
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    # A PDF ends with %%EOF (ISO 32000-1 §7.5.5): a truncated upload has none.
    if b'%%EOF' not in bytes(data[-2048:]):
        raise ContentError('broken_pdf', {})
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ContentError('encrypted_pdf', {})
        texts = []
        length = 0
        for page in reader.pages:
            text = page.extract_text() or ''
            texts.append(text)
            length += len(text)
            if length > MAX_TEXT:
                break
    except ContentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError,
            AttributeError, RecursionError) as exception:
        logger.debug("broken PDF: %s", exception)
        raise ContentError('broken_pdf', {}) from exception
    if not texts:
        raise ContentError('broken_pdf', {})
    return '\n'.join(texts)[:MAX_TEXT]


def sha256(data):
    return hashlib.sha256(bytes(data or b'')).hexdigest()


def normalize(text):
    "Lower case, without diacritics and with single spaces: ș → s, Ă → a"
    if not text:
        return ''
    text = unicodedata.normalize('NFKD', str(text).lower())
    text = ''.join(c for c in text if not unicodedata.combining(c))
    return ' '.join(text.split())
