# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Online validation of a citizen account, two ways:

- the enrolment form, signed with a qualified electronic signature (Legea
  214/2024 art. 4, Reg. (UE) 910/2014 art. 25(2): a qualified signature has
  the effect of a handwritten one) by the person the account claims to be.
  The form is a PDF made here with the claimed name and CNP/CUI, the e-mail
  and a one-time code (nonce): a form signed for another account, or an old
  one, is refused;
- a one-time code e-mailed to the addresses the city hall already holds on
  the file of the claimed CNP/CUI (party contact mechanisms, not the
  address typed at registration): who reads them is the person of the
  file."""
import datetime as dt
import re
import secrets
import unicodedata

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from . import mail
from .exceptions import EnrolmentError

NONCE_ALPHABET = 'ABCDEFGHJKMNPQRSTWXYZ23456789'
NONCE_MARK = 'OPENPRIMARIE-ENROL-'
NONCE_RE = re.compile(rb'OPENPRIMARIE-ENROL-([A-Z0-9]{20})')
CONTACT_CODE_DIGITS = 8
CONTACT_CODE_MINUTES = 30
CONTACT_CODE_TRIES = 5


def new_nonce():
    return ''.join(secrets.choice(NONCE_ALPHABET) for _ in range(20))


def ascii_text(text):
    "The PDF's standard font shows ASCII only: no diacritics"
    return unicodedata.normalize('NFKD', text or '').encode(
        'ascii', 'ignore').decode()


def name_tokens(text):
    return set(re.findall(r'[A-Z]+', ascii_text(text).upper()))


def simple_pdf(lines, keywords=''):
    "A one-page A4 PDF showing the lines (ASCII) in Helvetica"
    def escape(text):
        return (ascii_text(text).replace('\\', '\\\\')
            .replace('(', '\\(').replace(')', '\\)'))
    body = ['BT /F1 12 Tf 15 TL 56 780 Td']
    for line in lines:
        body.append(f'({escape(line)}) Tj T*')
    body.append('ET')
    stream = '\n'.join(body).encode('latin-1')
    objects = [
        b'<< /Type /Catalog /Pages 2 0 R >>',
        b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] '
        b'/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
        b'<< /Length %d >>\nstream\n' % len(stream) + stream
        + b'\nendstream',
        b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
        b'<< /Title (Formular de inrolare) /Keywords (%s) '
        b'/Producer (OpenPrimarie) >>' % escape(keywords).encode('latin-1'),
        ]
    out = bytearray(b'%PDF-1.4\n')
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % i + obj + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
    for offset in offsets:
        out += b'%010d 00000 n \n' % offset
    out += (b'trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n'
        b'startxref\n%d\n%%%%EOF\n' % (len(objects) + 1, len(objects), xref))
    return bytes(out)


class User(metaclass=PoolMeta):
    __name__ = 'web.user'

    enrolment_nonce = fields.Char(
        "Enrolment Form Code", readonly=True, strip=False,
        help="The one-time code of the enrolment form last downloaded.")
    contact_code_hash = fields.Char(
        "Contact Code", readonly=True, strip=False,
        help="The hash of the one-time code last e-mailed to the addresses "
        "on the file.")
    contact_code_until = fields.Timestamp(
        "Contact Code Valid Until", readonly=True)
    contact_code_tries = fields.Integer("Contact Code Tries", readonly=True)

    def enrolment_form(self):
        """The PDF of the account's enrolment form (a new one-time code
        when the account has none)"""
        if not self.enrolment_nonce:
            self.enrolment_nonce = new_nonce()
            self.save()
        company = self.company.rec_name if self.company else ''
        lines = [
            gettext('citizen_portal.msg_enrolment_form_title'),
            company,
            '',
            gettext('citizen_portal.msg_enrolment_form_name',
                name=self.claim_name),
            gettext('citizen_portal.msg_enrolment_form_code',
                code=self.claim_code or ''),
            gettext('citizen_portal.msg_enrolment_form_email',
                email=self.email),
            '',
            gettext('citizen_portal.msg_enrolment_form_request'),
            '',
            gettext('citizen_portal.msg_enrolment_form_nonce',
                nonce=NONCE_MARK + self.enrolment_nonce),
            ]
        return simple_pdf(lines, keywords=NONCE_MARK + self.enrolment_nonce)

    def validate_by_signature(self, data, name=None):
        """Validate the account with its enrolment form signed by its person
        with a qualified signature; raise EnrolmentError with the reason
        otherwise (nothing is changed then)"""
        pool = Pool()
        Verification = pool.get('document_signature.verification')
        if not data or not bytes(data[:5]) == b'%PDF-':
            raise EnrolmentError(gettext(
                    'citizen_portal.msg_enrolment_not_pdf'))
        verification = Verification.verify(
            self.company, data, origin=None, name=name)
        if verification.status != 'valid':
            raise EnrolmentError(gettext(
                    'citizen_portal.msg_enrolment_signature_not_valid',
                    status=verification.status_string))
        if verification.level != 'qes':
            raise EnrolmentError(gettext(
                    'citizen_portal.msg_enrolment_not_qualified'))
        if not self._is_signer(verification):
            raise EnrolmentError(gettext(
                    'citizen_portal.msg_enrolment_other_person'))
        nonces = {m.decode() for m in NONCE_RE.findall(bytes(data))}
        if not self.enrolment_nonce or nonces != {self.enrolment_nonce}:
            raise EnrolmentError(gettext(
                    'citizen_portal.msg_enrolment_other_form'))
        signer = verification.signer_name or ''
        if verification.signer_cnp:
            signer += f' ({verification.signer_cnp})'
        self.__class__.validate_accounts([self], 'signature', signer)
        self.enrolment_nonce = None
        self.save()
        return verification

    def _is_signer(self, verification):
        "The signer of the verification is the person the account claims"
        code = self.claim_code or ''
        if not code:
            return False
        if verification.signer_cnp:
            return verification.signer_cnp == code
        serial = verification.signer_serial or ''
        if serial and code and re.sub(r'\D', '', serial) == code:
            return True
        if serial or not verification.signer_name:
            return False
        return name_tokens(verification.signer_name) == name_tokens(
            self.claim_name)


    def file_emails(self):
        """The e-mail addresses the city hall holds on the file of the
        claimed CNP/CUI (none when it does not know the code)"""
        ContactMechanism = Pool().get('party.contact_mechanism')
        party = None if self.validated else self.claimed_party()
        if not party:
            return []
        return sorted({m.value.strip() for m in ContactMechanism.search([
                        ('party', '=', party.id),
                        ('type', '=', 'email'),
                        ]) if m.value and m.value.strip()})

    def send_contact_code(self):
        """E-mail a new one-time code to the addresses on the file of the
        claimed CNP/CUI; EnrolmentError when there is none"""
        emails = self.file_emails()
        if not emails:
            raise EnrolmentError(gettext('citizen_portal.msg_contact_none'))
        code = ''.join(
            secrets.choice('0123456789') for _ in range(CONTACT_CODE_DIGITS))
        self.contact_code_hash = self.hash_password(code)
        self.contact_code_until = dt.datetime.now() + dt.timedelta(
            minutes=CONTACT_CODE_MINUTES)
        self.contact_code_tries = 0
        self.save()
        with Transaction().set_context(language=self.language or 'ro'):
            subject = gettext('citizen_portal.msg_contact_mail_subject')
            body = gettext('citizen_portal.msg_contact_mail_body',
                code=code, minutes=CONTACT_CODE_MINUTES, email=self.email)
        mail.send(emails, subject, body)
        return emails

    def check_contact_code(self, code):
        """Validate the account when the code is the one e-mailed: True;
        False for a wrong code (the try is counted: commit it); raise
        EnrolmentError when no code is valid any more"""
        if (not self.contact_code_hash or not self.contact_code_until
                or self.contact_code_until < dt.datetime.now()
                or (self.contact_code_tries or 0) >= CONTACT_CODE_TRIES):
            raise EnrolmentError(gettext(
                    'citizen_portal.msg_contact_code_expired'))
        code = re.sub(r'\s', '', code or '')
        valid = bool(code) and self.check_password(
            code, self.contact_code_hash)[0]
        if not valid:
            self.contact_code_tries = (self.contact_code_tries or 0) + 1
            self.save()
            return False
        emails = self.file_emails()
        if not emails:
            raise EnrolmentError(gettext('citizen_portal.msg_contact_none'))
        self.__class__.validate_accounts([self], 'contact', ', '.join(emails))
        self.contact_code_hash = None
        self.contact_code_until = None
        self.contact_code_tries = None
        self.save()
        return True


class SignedDocument(metaclass=PoolMeta):
    "The fiscal certificates requested online are delivered signed"
    __name__ = 'document_signature.signed_document'

    @classmethod
    def _get_origins(cls):
        return super()._get_origins() + ['local_tax.fiscal_certificate']
