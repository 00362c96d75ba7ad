# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Helpers to set up a registry in tests of this and later modules"
import datetime as dt
import io
import struct
import zlib

from trytond.modules.municipal_staff.tests.tools import (
    create_department, create_employee)
from trytond.pool import Pool
from trytond.transaction import Transaction


def pdf_of(objects):
    "A PDF of the object bodies, numbered from 1; object 1 is the catalog"
    out = bytearray(b'%PDF-1.4\n')
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % i + body + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
    for offset in offsets:
        out += b'%010d 00000 n \n' % offset
    out += (b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n'
        % (len(objects) + 1, xref))
    return bytes(out)


def make_pdf(text="Cerere", catalog=b'', page=b'', extra=(), content=None,
        compress=False, pages=1):
    """A small valid PDF of pages pages showing text (ASCII); catalog and
    page are more entries of the catalog and of the page, extra more
    objects (numbered from 6), content the page's content stream instead
    of the text, deflated when compress"""
    text = text.replace('\\', '\\\\').replace('(', '\\(').replace(')', '\\)')
    stream = content or f'BT /F1 12 Tf 72 720 Td ({text}) Tj ET'.encode(
        'latin-1')
    filter_ = b''
    if compress:
        stream, filter_ = zlib.compress(stream, 9), b' /Filter /FlateDecode'
    objects = [
        b'<< /Type /Catalog /Pages 2 0 R %s>>' % catalog,
        b'<< /Type /Pages /Kids [%s] /Count %d >>' % (
            b' '.join([b'3 0 R'] * pages), pages),
        b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] '
        b'/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> %s>>'
        % page,
        b'<< /Length %d%s >>\nstream\n' % (len(stream), filter_) + stream
        + b'\nendstream',
        b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
        ] + list(extra)
    return pdf_of(objects)


def make_png(width=1, height=1):
    "A valid grey PNG of the size"
    def chunk(kind, body):
        return (struct.pack('>I', len(body)) + kind + body
            + struct.pack('>I', zlib.crc32(kind + body)))
    rows = b''.join(b'\x00' + b'\x80' * width for _ in range(height))
    return (b'\x89PNG\r\n\x1a\n'
        + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0))
        + chunk(b'IDAT', zlib.compress(rows))
        + chunk(b'IEND', b''))


def make_image(format_='JPEG', size=(8, 8)):
    "A valid image of the format made with Pillow"
    from PIL import Image
    buffer = io.BytesIO()
    Image.new('RGB', size, (200, 30, 30)).save(buffer, format_)
    return buffer.getvalue()


PNG = make_png()

# Files that look like what they claim by their first bytes but are not
# harmless: each must be refused
HOSTILE = {
    # a 13 KB file whose page inflates to 5 MB of text operators (pypdf
    # spends about 50 s on it)
    'inflated_pdf': make_pdf(
        content=b'BT /F1 1 Tf (a) Tj ET\n' * 230_000, compress=True),
    'openaction_javascript': make_pdf(
        catalog=b'/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> '),
    'obfuscated_javascript': make_pdf(
        catalog=b'/OpenAction << /S /J#61vaScript /J#53 6 0 R >> ',
        extra=[b'(app.alert\\(1\\))']),
    'names_javascript': make_pdf(catalog=b'/Names << /JavaScript << '
        b'/Names [(x) << /S /JavaScript /JS (this.print\\(\\)) >>] >> >> '),
    'page_additional_action': make_pdf(
        page=b'/AA << /O << /S /URI /URI (https://evil.example) >> >> '),
    'launch': make_pdf(page=b'/Annots [6 0 R] ', extra=[
            b'<< /Type /Annot /Subtype /Link /Rect [0 0 612 792] '
            b'/A << /S /Launch /F (cmd.exe) >> >>']),
    'embedded_file': make_pdf(
        catalog=b'/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >> ',
        extra=[b'<< /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >>',
            b'<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream']),
    'html_in_png': b'\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>',
    'truncated_png': make_png(64, 64)[:-20],
    }
HOSTILE_NAMES = {k: 'file.png' if 'png' in k else 'file.pdf'
    for k in HOSTILE}
# Links and a first page shown at its size stay accepted
HARMLESS_PDFS = [
    make_pdf(catalog=b'/OpenAction [3 0 R /Fit] '),
    make_pdf(page=b'/Annots [6 0 R] ', extra=[
            b'<< /Type /Annot /Subtype /Link /Rect [0 0 612 792] '
            b'/A << /S /URI /URI (https://www.primarie.ro) >> >>']),
    ]


def create_registry(company, code='RG'):
    "The general register of the company"
    Register = Pool().get('document_registry.register')
    register = Register(company=company, name="Registrul general", code=code)
    register.save()
    return register


def document_type(code):
    DocumentType = Pool().get('document_registry.document_type')
    type_, = DocumentType.search([('code', '=', code)])
    return type_


def new_document(company, register, issuer=None, type_code='petition',
        **values):
    "An unsaved incoming document"
    Document = Pool().get('document_registry.document')
    values.setdefault('summary', "Cerere privind iluminatul public")
    values.setdefault('direction', 'incoming')
    values.setdefault('channel', 'counter')
    document = Document(
        company=company, registry=register, issuer=issuer,
        document_type=document_type(type_code) if type_code else None,
        **values)
    return document


def register_on(documents, moment):
    "Register the documents as if it were moment (a datetime)"
    Document = Pool().get('document_registry.document')
    if isinstance(moment, dt.date) and not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(10, 0))
    with Transaction().set_context(registration_datetime=moment):
        Document.register(documents)


def create_staff(company):
    """A registry, a tax directorate with a head and a clerk with a user
    (login "clerk") and a urbanism department"""
    tax = create_department(company, "Direcția economică", 'DE',
        kind='directorate')
    head = create_employee(company, "Pop", "Dana", department=tax,
        login='head')
    tax.head = head
    tax.save()
    service = create_department(company, "Serviciul impozite și taxe", 'SIT',
        kind='service', parent=tax)
    clerk = create_employee(company, "Ionescu", "Vasile", department=service,
        login='clerk')
    urbanism = create_department(company, "Urbanism", 'URB')
    return {'tax': tax, 'head': head, 'service': service, 'clerk': clerk,
        'urbanism': urbanism}
