# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql import Literal

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Exclude, ModelSQL, ModelView, fields)
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import pades
from .exceptions import CertificateError, SigningError

try:
    from sql.operators import Equal
except ImportError:                                 # pragma: no cover
    Equal = None

INFO_FIELDS = ['subject', 'issuer', 'serial_number', 'valid_from',
    'valid_to', 'qualified']


class Certificate(DeactivableMixin, ModelSQL, ModelView):
    """The signing certificate of a municipality (PKCS#12: key and chain),
    set by an administrator; the active one signs the outgoing documents"""
    __name__ = 'document_signature.certificate'
    __string__ = "Signing Certificate"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT')
    name = fields.Char("Name", required=True)
    pkcs12 = fields.Binary(
        "PKCS#12 File", required=True, filename='pkcs12_name',
        help="The certificate with its private key and chain (.p12 or "
        ".pfx).")
    pkcs12_name = fields.Char("File Name")
    passphrase = fields.Char(
        "Passphrase", strip=False,
        help="The password protecting the PKCS#12 file.")
    subject = fields.Char("Subject", readonly=True)
    issuer = fields.Char("Issuer", readonly=True)
    serial_number = fields.Char("Serial Number", readonly=True)
    valid_from = fields.DateTime("Valid from", readonly=True)
    valid_to = fields.DateTime("Valid to", readonly=True)
    qualified = fields.Boolean(
        "Qualified", readonly=True,
        help="The certificate is an eIDAS qualified certificate "
        "(QcCompliance statement).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('active_unique', Exclude(t, (t.company, Equal),
                    where=t.active == Literal(True)),
                'document_signature.msg_certificate_active_unique'),
            ]
        cls._order = [('valid_to', 'DESC NULLS LAST'), ('id', 'DESC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            # read before anything is written: a bad file stores nothing
            values.update(cls(
                    pkcs12=values.get('pkcs12'),
                    passphrase=values.get('passphrase'),
                    name=values.get('name')).read_info())
        return values

    @classmethod
    def on_modification(cls, mode, certificates, field_names=None):
        super().on_modification(mode, certificates, field_names=field_names)
        if mode == 'write' and {'pkcs12', 'passphrase'} & set(field_names):
            for certificate in certificates:
                cls.write([certificate], certificate.read_info())

    def read_info(self):
        "The values of INFO_FIELDS read from the PKCS#12 file"
        signer = self.get_signer()
        values = pades.describe(signer.signing_cert)
        values['qualified'] = pades.qc_flags(signer.signing_cert)[0]
        return values

    def get_signer(self):
        "The pyHanko signer of the certificate, or CertificateError"
        try:
            return pades.load_signer(self.pkcs12, self.passphrase)
        except (ValueError, TypeError) as exception:
            raise CertificateError(gettext(
                    'document_signature.msg_certificate_unreadable',
                    certificate=self.name or self.pkcs12_name or '')) from exception

    @classmethod
    def get_active(cls, company):
        "The active certificate of company, or SigningError"
        with without_check_access():
            certificates = cls.search([
                    ('company', '=', getattr(company, 'id', company)),
                    ('active', '=', True),
                    ], limit=1)
        if not certificates:
            raise SigningError(gettext(
                    'document_signature.msg_no_certificate',
                    company=getattr(company, 'rec_name', company)))
        return certificates[0]

    @classmethod
    def sign_pdf(cls, company, data, reason=None, location=None,
            qr_url=None):
        """data (a PDF) signed as PAdES with the active certificate of
        company, time-stamped when a time-stamping service is configured;
        qr_url: a visible stamp with its QR code on the first page"""
        pool = Pool()
        Configuration = pool.get('document_signature.configuration')
        certificate = cls.get_active(company)
        with without_check_access():
            certificate.check_validity()
            signer = certificate.get_signer()
            roots = Configuration.get_roots(company)
            get = Configuration.get_value
            tsa_url = get('tsa_url', company)
            reason = reason or get('reason', company)
            location = location or get('location', company)
            fetch = bool(get('fetch_revocation', company))
        signer_name = pades.subject_fields(signer.signing_cert)['signer_name']
        try:
            return pades.sign(
                data, signer, reason=reason, location=location,
                tsa_url=tsa_url, roots=roots, qr_url=qr_url,
                stamp_params={'signer': signer_name},
                allow_fetching=fetch)
        except pades.SignatureError as exception:
            kind, detail = exception.args
            raise SigningError(gettext(
                    f'document_signature.msg_sign_{kind}',
                    detail=detail)) from exception

    def check_validity(self, moment=None):
        moment = moment or dt.datetime.now(dt.timezone.utc).replace(
            tzinfo=None)
        if self.valid_to and self.valid_to < moment or (
                self.valid_from and self.valid_from > moment):
            raise SigningError(gettext(
                    'document_signature.msg_certificate_not_valid',
                    certificate=self.rec_name))
