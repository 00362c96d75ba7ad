# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import pades
from .exceptions import SignatureReadonlyError

STATUSES = [
    ('valid', "Valid"),
    ('invalid', "Invalid"),
    ('tampered', "Modified after Signing"),
    ('expired', "Certificate Expired"),
    ('untrusted', "Untrusted"),
    ('unsigned', "Unsigned"),
    ]
# eIDAS Reg. (UE) 910/2014 art. 3 and Legea 214/2024:
# only a qualified signature has the effect of a handwritten one
LEVELS = [
    (None, ""),
    ('qes', "Qualified (QES)"),
    ('ades', "Advanced (AdES)"),
    ('ses', "Simple (SES)"),
    ]


class Verification(ModelSQL, ModelView):
    """The check of one signature of a PDF (or of its absence): result,
    level, signer, signing time and report, kept as found (Legea 214/2024:
    the level and the validation report go with the document)"""
    __name__ = 'document_signature.verification'
    __string__ = "Signature Verification"
    _rec_name = 'name'

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT', readonly=True)
    origin = fields.Reference(
        "Origin", selection='get_origins', readonly=True)
    name = fields.Char("File Name", readonly=True)
    sha256 = fields.Char("SHA-256", readonly=True)
    verified_at = fields.Timestamp("Verified at", readonly=True)
    sequence = fields.Integer(
        "Signature", readonly=True,
        help="The position of the signature in the file.")
    signatures = fields.Integer(
        "Signatures", readonly=True,
        help="The number of signatures the file holds.")
    field_name = fields.Char("Signature Field", readonly=True)
    status = fields.Selection(STATUSES, "Result", readonly=True,
        required=True)
    status_string = status.translated('status')
    level = fields.Selection(LEVELS, "Level", readonly=True)
    level_string = level.translated('level')
    signer_name = fields.Char("Signer", readonly=True)
    signer_cnp = fields.Char("Signer's CNP", readonly=True)
    signer_serial = fields.Char(
        "Signer's Serial Number", readonly=True,
        help="The serialNumber of the certificate's subject.")
    signer_organization = fields.Char("Signer's Organization",
        readonly=True)
    issuer = fields.Char("Issuer", readonly=True)
    certificate_valid_to = fields.DateTime(
        "Certificate Valid to", readonly=True)
    signing_time = fields.DateTime("Signing Time", readonly=True)
    time_stamped = fields.Boolean("Time-Stamped", readonly=True)
    timestamp_time = fields.DateTime(
        "Time Stamp", readonly=True,
        states={'invisible': ~Eval('time_stamped')})
    report = fields.Text("Report", readonly=True)
    details = fields.Text("Technical Details", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.origin, Index.Equality())),
                Index(t, (t.sha256, Index.Equality())),
                })
        cls._order = [
            ('verified_at', 'DESC'), ('sequence', 'ASC'), ('id', 'DESC')]

    @classmethod
    def _get_origins(cls):
        "The models whose records are verified"
        return ['document_registry.attachment',
            'document_signature.signed_document']

    @classmethod
    def get_origins(cls):
        pool = Pool()
        IrModel = pool.get('ir.model')
        return [(None, '')] + [
            (m, IrModel.get_name(m)) for m in cls._get_origins()]

    @classmethod
    def check_modification(cls, mode, verifications, values=None,
            external=False):
        super().check_modification(
            mode, verifications, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise SignatureReadonlyError(gettext(
                    'document_signature.msg_verification_readonly'))

    @classmethod
    def verify(cls, company, data, origin=None, name=None):
        """Verify the signatures of data (a PDF) against the trusted roots of
        company and store one record per signature ('unsigned' when none).
        Returns the record of the last signature (the one covering the whole
        file) or the 'unsigned' one; verify_all returns them all"""
        return cls.verify_all(company, data, origin=origin, name=name)[-1]

    @classmethod
    def verify_all(cls, company, data, origin=None, name=None):
        "The records of verify, one per signature, in the file's order"
        pool = Pool()
        Configuration = pool.get('document_signature.configuration')
        company_id = getattr(company, 'id', company)
        with without_check_access():
            roots = Configuration.get_roots(company_id)
            fetch = bool(Configuration.get_value(
                    'fetch_revocation', company_id))
        results = pades.verify(data, roots, allow_fetching=fetch)
        if not results:
            results = [pades.Result(status='unsigned')]
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        digest = pades.sha256(data)
        if origin is not None and not isinstance(origin, str):
            origin = str(origin)
        verifications = [
            cls(company=company_id, origin=origin, name=name,
                sha256=digest, verified_at=now, sequence=i,
                signatures=len(results) if results[0].status != 'unsigned'
                else 0,
                **cls._result_values(result))
            for i, result in enumerate(results, 1)]
        for verification, result in zip(verifications, results):
            verification.report = verification.build_report(result, roots)
        with without_check_access():
            cls.save(verifications)
        return verifications

    @classmethod
    def _result_values(cls, result):
        return {
            'field_name': result.field_name,
            'status': result.status,
            'level': result.level,
            'signer_name': result.signer_name,
            'signer_cnp': result.signer_cnp,
            'signer_serial': result.signer_serial,
            'signer_organization': result.signer_organization,
            'issuer': result.issuer,
            'certificate_valid_to': result.certificate_valid_to,
            'signing_time': result.signing_time,
            'time_stamped': result.time_stamped,
            'timestamp_time': result.timestamp_time,
            'details': result.details or None,
            }

    def build_report(self, result, roots):
        "The report a clerk reads, in the language of the context"
        def msg(key, **values):
            return gettext(f'document_signature.msg_report_{key}', **values)
        if result.status == 'unsigned':
            return msg('unsigned')
        lines = [msg('header', sequence=self.sequence,
                count=self.signatures, status=self.status_string)]
        if result.problem:
            lines.append(msg(f'problem_{result.problem}'))
        if result.level:
            lines.append(msg(f'level_{result.level}'))
        if result.signer_name:
            lines.append(msg('signer', name=result.signer_name,
                    identifier=result.signer_cnp or result.signer_serial
                    or '-'))
        if result.issuer:
            lines.append(msg('issuer', issuer=result.issuer))
        if result.signing_time:
            lines.append(msg('time_stamped' if result.timestamp_time
                    else 'claimed_time', time=self.format_time(
                        result.signing_time)))
        elif not result.time_stamped:
            lines.append(msg('no_time'))
        if result.validated_at_timestamp:
            lines.append(msg('validated_at_timestamp'))
        if result.qualified and result.seal:
            lines.append(msg('seal'))
        for note in result.notes:
            lines.append(msg(f'note_{note}'))
        if not roots:
            lines.append(msg('no_roots'))
        return '\n'.join(lines)

    def format_time(self, value):
        "value (naive UTC) in the municipality's time zone"
        pool = Pool()
        Lang = pool.get('ir.lang')
        Company = pool.get('company.company')
        timezone = Company(self.company).timezone if self.company else None
        value = value.replace(tzinfo=dt.timezone.utc)
        if timezone:
            from zoneinfo import ZoneInfo
            value = value.astimezone(ZoneInfo(timezone))
        lang = Lang.get()
        return lang.strftime(value, lang.date + ' %H:%M:%S %Z')
