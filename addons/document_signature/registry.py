# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The registry: signed PDFs attached to a document are verified"
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from . import pades
from .verification import STATUSES

PDF = 'application/pdf'


class Attachment(metaclass=PoolMeta):
    __name__ = 'document_registry.attachment'

    signature_verifications = fields.One2Many(
        'document_signature.verification', 'origin', "Signature Checks",
        readonly=True)
    signature_status = fields.Function(fields.Selection(
            [(None, "")] + STATUSES, "Signature"), 'get_signature_status')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'verify_signatures': {
                    'invisible': ((Eval('content_type') != PDF)
                        | Eval('purged', False)),
                    'depends': ['content_type', 'purged'],
                    },
                })

    @classmethod
    def copy(cls, attachments, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('signature_verifications', None)
        return super().copy(attachments, default=default)

    @classmethod
    def get_signature_status(cls, attachments, name):
        latest = cls.latest_verifications(attachments)
        return {a.id: worst(latest.get(a.id, [])) for a in attachments}

    @classmethod
    def latest_verifications(cls, attachments):
        "{attachment id: the verifications of its last check}"
        pool = Pool()
        Verification = pool.get('document_signature.verification')
        origins = [str(a) for a in attachments]
        verifications = Verification.search(
            [('origin', 'in', origins)],
            order=[('verified_at', 'DESC'), ('sequence', 'ASC')])
        latest = defaultdict(list)
        for verification in verifications:
            checks = latest[verification.origin.id]
            if not checks or checks[0].verified_at == (
                    verification.verified_at):
                checks.append(verification)
        return latest

    @classmethod
    def on_modification(cls, mode, attachments, field_names=None):
        super().on_modification(mode, attachments, field_names=field_names)
        if mode == 'create':
            signed = [a for a in attachments
                if a.content_type == PDF and a.data
                and pades.signature_count(a.data)]
            cls._verify(signed)

    @classmethod
    @ModelView.button
    def verify_signatures(cls, attachments):
        "Check again (e.g. after the trusted roots changed)"
        cls._verify([a for a in attachments
                if a.content_type == PDF and a.data and not a.purged])

    @classmethod
    def _verify(cls, attachments):
        pool = Pool()
        Verification = pool.get('document_signature.verification')
        for attachment in attachments:
            Verification.verify_all(
                attachment.document.company, attachment.data,
                origin=attachment, name=attachment.name)


def worst(verifications):
    "The status a clerk must see first among verifications"
    order = ['tampered', 'invalid', 'expired', 'untrusted', 'unsigned',
        'valid']
    statuses = [v.status for v in verifications]
    for status in order:
        if status in statuses:
            return status


class Document(metaclass=PoolMeta):
    __name__ = 'document_registry.document'

    signature_status = fields.Function(fields.Selection(
            [(None, "")] + STATUSES, "Signature"), 'get_signatures')
    signature_summary = fields.Function(
        fields.Text("Signatures"), 'get_signatures')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'verify_signatures': {
                    'invisible': ~Eval('attachments', []),
                    'depends': ['attachments'],
                    },
                })

    @classmethod
    def get_signatures(cls, documents, names):
        pool = Pool()
        Attachment = pool.get('document_registry.attachment')
        attachments = [a for d in documents for a in d.attachments]
        latest = Attachment.latest_verifications(attachments)
        result = {n: {} for n in names}
        for document in documents:
            checks = [(a, latest.get(a.id, [])) for a in document.attachments]
            checks = [(a, v) for a, v in checks if v]
            if 'signature_status' in names:
                result['signature_status'][document.id] = worst(
                    [v for _, vs in checks for v in vs])
            if 'signature_summary' in names:
                result['signature_summary'][document.id] = '\n'.join(
                    summary_line(a, v) for a, vs in checks for v in vs
                    ) or None
        return result

    @classmethod
    @ModelView.button
    def verify_signatures(cls, documents):
        pool = Pool()
        Attachment = pool.get('document_registry.attachment')
        Attachment.verify_signatures(
            [a for d in documents for a in d.attachments])


def summary_line(attachment, verification):
    "One line of the document's summary: file, result, level, signer, time"
    def msg(key, **values):
        return gettext(f'document_signature.msg_summary_{key}', **values)
    parts = [msg('status', name=attachment.name,
            status=verification.status_string)]
    if verification.signatures and verification.signatures > 1:
        parts[0] = msg('status_of', name=attachment.name,
            sequence=verification.sequence, count=verification.signatures,
            status=verification.status_string)
    if verification.level:
        parts.append(verification.level_string)
    if verification.signer_name:
        parts.append(msg('signer', name=verification.signer_name,
                identifier=verification.signer_cnp
                or verification.signer_serial or '-'))
    if verification.signing_time:
        parts.append(msg('time', time=verification.format_time(
                    verification.signing_time)))
    return '; '.join(parts)
