# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import hmac
import re
import secrets

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import without_check_access

from . import pades
from .exceptions import SignatureReadonlyError

# No 0/O, 1/I/L, nor U/V look-alikes: read back from paper without doubt
CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTWXYZ23456789'
CODE_LENGTH = 12


def new_code():
    return ''.join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code):
    "code as typed by a citizen: case, spaces and dashes do not matter"
    return re.sub(r'[\s-]', '', code or '').upper()


class SignedDocument(ModelSQL, ModelView):
    """A PDF signed by the municipality and delivered (fiscal certificate,
    answer): kept as signed, found back by its number and verification
    code (the QR code on it)"""
    __name__ = 'document_signature.signed_document'
    __string__ = "Signed Document"
    _rec_name = 'number'

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT', readonly=True)
    origin = fields.Reference(
        "Origin", selection='get_origins', readonly=True)
    number = fields.Char("Number", readonly=True, required=True)
    name = fields.Char("File Name", readonly=True, required=True)
    data = fields.Binary(
        "File", filename='name', file_id='file_id',
        store_prefix='document_signature', readonly=True)
    file_id = fields.Char("File ID", readonly=True)
    sha256 = fields.Char("SHA-256", readonly=True)
    verification_code = fields.Char(
        "Verification Code", readonly=True, strip=False)
    signed_at = fields.Timestamp("Signed at", readonly=True)
    certificate = fields.Many2One(
        'document_signature.certificate', "Certificate", readonly=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.company, Index.Equality()),
                (t.number, Index.Equality())))
        cls._order = [('signed_at', 'DESC'), ('id', 'DESC')]

    @classmethod
    def _get_origins(cls):
        "The models whose documents are signed (extended by other modules)"
        return ['document_registry.document']

    @classmethod
    def get_origins(cls):
        pool = Pool()
        IrModel = pool.get('ir.model')
        return [(None, '')] + [
            (m, IrModel.get_name(m)) for m in cls._get_origins()]

    @classmethod
    def check_modification(cls, mode, documents, values=None,
            external=False):
        super().check_modification(
            mode, documents, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise SignatureReadonlyError(gettext(
                    'document_signature.msg_signed_document_readonly'))

    @classmethod
    def create_signed(cls, company, origin, number, name, data, reason=None,
            qr_url_template=None):
        """Sign data (a PDF) with the municipality's certificate and store
        it; qr_url_template (with {number} and {code}) → the QR code of that
        URL is stamped on the first page"""
        pool = Pool()
        Certificate = pool.get('document_signature.certificate')
        code = new_code()
        qr_url = (qr_url_template.format(number=number, code=code)
            if qr_url_template else None)
        signed = Certificate.sign_pdf(
            company, data, reason=reason, qr_url=qr_url)
        if origin is not None and not isinstance(origin, str):
            origin = str(origin)
        document = cls(
            company=getattr(company, 'id', company), origin=origin,
            number=str(number), name=name, data=signed,
            sha256=pades.sha256(signed), verification_code=code,
            signed_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
            certificate=Certificate.get_active(company))
        with without_check_access():
            document.save()
        return document

    @classmethod
    def lookup(cls, company, number, code):
        "The signed document of number whose code is code, or None"
        code = normalize_code(code).encode()
        if not number or not code:
            return None
        with without_check_access():
            candidates = cls.search([
                    ('company', '=', getattr(company, 'id', company)),
                    ('number', '=', str(number).strip()),
                    ])
        found = None
        for document in candidates:
            # constant time: the time does not tell how much of it matched
            if hmac.compare_digest(
                    document.verification_code.encode(), code):
                found = document
        return found
