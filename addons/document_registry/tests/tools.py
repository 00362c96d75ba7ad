# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Helpers to set up a registry in tests of this and later modules"
import datetime as dt

from trytond.modules.municipal_staff.tests.tools import (
    create_department, create_employee)
from trytond.pool import Pool
from trytond.transaction import Transaction


def make_pdf(text="Cerere"):
    "A small valid one-page PDF showing text (ASCII)"
    text = text.replace('\\', '\\\\').replace('(', '\\(').replace(')', '\\)')
    stream = f'BT /F1 12 Tf 72 720 Td ({text}) Tj ET'.encode('latin-1')
    objects = [
        b'<< /Type /Catalog /Pages 2 0 R >>',
        b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] '
        b'/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
        b'<< /Length %d >>\nstream\n' % len(stream) + stream
        + b'\nendstream',
        b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
        ]
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


PNG = (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00'
    b'\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8'
    b'\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82')


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
