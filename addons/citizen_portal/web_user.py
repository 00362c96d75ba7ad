# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Citizen accounts: Tryton's web.user with the municipality it was opened
at and its trust level.

A *standard* account (e-mail confirmed) holds only the CNP/CUI and the name
typed at registration (its claim): it pays what is due on that code and
follows the requests it sent itself.  Its `party`, the person or company it
is, is set only once its identity is proven, when it is validated: by a clerk
at the counter after checking the identity document, by the enrolment form
signed with a qualified electronic signature (Legea 214/2024, Reg. (UE)
910/2014), or by a one-time code sent to an e-mail address the city hall
holds on the file of that person or company.  A validated account sees the
whole fiscal file and receives documents."""
import datetime as dt
import secrets

from email_validator import EmailNotValidError
from email_validator import validate_email as check_email
from stdnum.ro import cf as stdnum_cui
from stdnum.ro import cnp as stdnum_cnp

from trytond import config
from trytond.exceptions import RateLimitException
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools.email_ import normalize_email
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from trytond.modules.web_user.exceptions import UserValidationError

from . import mail
from .exceptions import AccountError

TRUST_LEVELS = [
    ('standard', "Standard"),
    ('validated', "Validated"),
    ]
VALIDATION_METHODS = [
    (None, ""),
    ('counter', "At the Counter (identity document checked)"),
    ('signature', "Enrolment Form with Qualified Signature"),
    ('contact', "Code Sent to the E-mail Address on File"),
    ]
LANGUAGE_CODES = {'ro', 'hu', 'en'}
# Set only through validate() (a clerk's wizard or a verified signature)
TRUST_FIELDS = {
    'party', 'trust_level', 'validated_by', 'validated_at',
    'validation_method', 'validation_reference'}


def check_deliverability():
    """Whether e-mail domains must be shown to receive mail (an MX lookup):
    off where there is no DNS ([citizen_portal]
    check_email_deliverability = False, the demo)"""
    return not Pool.test and config.getboolean(
        'citizen_portal', 'check_email_deliverability', default=True)


_unknown_hash = []


class User(metaclass=PoolMeta):
    __name__ = 'web.user'

    company = fields.Many2One(
        'company.company', "Municipality", ondelete='RESTRICT',
        help="The municipality whose portal the account was opened on.")
    trust_level = fields.Selection(
        TRUST_LEVELS, "Trust Level", required=True, readonly=True,
        help="Standard: can pay and follow its requests. Validated: also "
        "sees the whole fiscal file and receives documents.")
    trust_level_string = trust_level.translated('trust_level')
    validated_by = fields.Many2One(
        'res.user', "Validated by", readonly=True, ondelete='RESTRICT')
    validated_at = fields.Timestamp("Validated at", readonly=True)
    validation_method = fields.Selection(
        VALIDATION_METHODS, "Validation Method", readonly=True)
    validation_reference = fields.Char(
        "Validation Reference", readonly=True,
        help="The identity document checked, or the signer of the "
        "enrolment form.")
    claimed_code = fields.Char(
        "Claimed CNP/CUI", readonly=True,
        help="The CNP or CUI typed at registration: not proven until the "
        "account is validated.")
    claimed_name = fields.Char(
        "Claimed Name", readonly=True,
        help="The last name (or the company's name) typed at registration.")
    claimed_first_name = fields.Char(
        "Claimed First Name", readonly=True,
        help="The first name typed at registration.")
    language = fields.Selection([
            ('ro', "Romanian"),
            ('hu', "Hungarian"),
            ('en', "English"),
            ], "Language", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.party.readonly = True
        cls.party.help = ("The person or company of the account, set when "
            "its identity is proven (validation).")
        cls._buttons.update({
                'validate_account': {
                    'invisible': Eval('trust_level') == 'validated',
                    'depends': ['trust_level'],
                    },
                })

    @classmethod
    def default_trust_level(cls):
        return 'standard'

    @classmethod
    def default_language(cls):
        return 'ro'

    @property
    def validated(self):
        return self.trust_level == 'validated'

    @classmethod
    def check_modification(cls, mode, users, values=None, external=False):
        super().check_modification(
            mode, users, values=values, external=external)
        if (mode in {'create', 'write'} and values
                and set(values) & TRUST_FIELDS
                and not Transaction().context.get('_portal_validation')):
            if mode == 'create' and values.get(
                    'trust_level', 'standard') == 'standard':
                return
            raise AccessError(gettext('citizen_portal.msg_trust_readonly'))

    @classmethod
    def check_valid_email(cls, users, fields_names=None):
        if check_deliverability():
            return super().check_valid_email(users, fields_names)
        if fields_names and 'email' not in fields_names:
            return
        for user in users:
            if user.email:
                try:
                    check_email(user.email, check_deliverability=False,
                        test_environment=Pool.test)
                except EmailNotValidError as exception:
                    raise UserValidationError(gettext(
                            'web_user.msg_user_email_invalid',
                            user=user.rec_name, email=user.email),
                        str(exception)) from exception

    @classmethod
    def register_citizen(cls, company, email, password, code, last_name,
            first_name=None, language='ro'):
        """Open a standard account on the portal of the municipality for
        the person (CNP) or company (CUI) it claims to be, and queue the
        e-mail confirmation.

        When the address has an account already, nothing is opened: its
        owner is told by e-mail and None is returned, so that the caller
        answers as for a new account (who has an account is not told)."""
        pool = Pool()
        ResUser = pool.get('res.user')
        email = (email or '').strip()
        try:
            email = check_email(email,
                check_deliverability=check_deliverability(),
                test_environment=Pool.test).normalized
        except EmailNotValidError:
            raise AccountError(gettext('citizen_portal.msg_email_invalid'))
        claim = cls._claim(code, last_name, first_name)
        # web_user checks the policy only for user ≠ 0 (so it is checked here)
        ResUser.validate_password(password, [cls(email=email)])
        existing = cls.search([('email', '=', email.lower())], limit=1)
        if existing:
            cls._answer_taken(existing, password)
            return
        user = cls(email=email, company=company,
            language=language if language in LANGUAGE_CODES else 'ro',
            **claim)
        user.password = password
        user.save()
        cls.__queue__.validate_email([user])
        return user

    @classmethod
    def _claim(cls, code, last_name, first_name):
        """The identity an account claims: checked, but not linked to the
        party of the code, which a claim does not prove"""
        code, kind = cls._checked_code(code)
        last_name = (last_name or '').strip()
        first_name = (first_name or '').strip()
        if not last_name or (kind == 'cnp' and not first_name):
            raise AccountError(gettext('citizen_portal.msg_name_required'))
        return {
            'claimed_code': code,
            'claimed_name': last_name,
            'claimed_first_name': first_name if kind == 'cnp' else None,
            }

    @classmethod
    def _checked_code(cls, code):
        "(code, 'cnp' or 'cui') of a CNP/CUI as typed; AccountError if bad"
        code = (code or '').strip().upper()
        if code.startswith('RO'):
            code = code[2:].strip()
        if not code.isdigit():
            raise AccountError(gettext('citizen_portal.msg_code_invalid'))
        kind = 'cnp' if len(code) == 13 else 'cui'
        if kind == 'cnp' and not stdnum_cnp.is_valid(code):
            raise AccountError(gettext('citizen_portal.msg_code_invalid'))
        if kind == 'cui' and not stdnum_cui.is_valid(code):
            raise AccountError(gettext('citizen_portal.msg_code_invalid'))
        return code, kind

    @classmethod
    def _answer_taken(cls, users, password):
        """Tell the owner of the address that it has an account, with the
        work of opening one (the password hashed)"""
        cls.hash_password(password)
        cls.__queue__.send_account_exists(users)

    @classmethod
    def send_account_exists(cls, users):
        "The mail to an address that asked for a second account (queued)"
        for user in users:
            with Transaction().set_context(language=user.language or 'ro'):
                municipality = (
                    user.company.rec_name if user.company else '')
                subject = gettext(
                    'citizen_portal.msg_mail_account_exists_subject',
                    municipality=municipality)
                body = gettext('citizen_portal.msg_mail_account_exists',
                    municipality=municipality, login=mail.portal_url('/login'),
                    reset=mail.portal_url('/reset'))
            mail.send(user.email, subject, body)

    @classmethod
    def ask_password_reset(cls, company, email):
        """Queue the link to choose a new password for the account of the
        address at the municipality, if there is one; the caller answers
        the same either way"""
        users = cls.search([
                ('email', '=', normalize_email(email.strip()).lower()),
                ('company', '=', company.id),
                ], limit=1)
        if users:
            cls.__queue__.reset_password(users)

    @property
    def languages(self):
        "The e-mails of the account in the language chosen on the portal"
        Language = Pool().get('ir.lang')
        return Language.search(
            [('code', '=', self.language or 'ro')], limit=1) or (
            super().languages)

    @classmethod
    def authenticate_throttled(cls, email, password, address):
        """authenticate() after counting the attempt per account and per
        address (the client's IP, or its IPv6 /64): committed before the
        password is checked, so that parallel guesses count too; over
        [session] max_attempt (account) or max_attempt_ip_network
        (address) in [session] timeout seconds, RateLimitException without
        checking.  A login that succeeds is not counted."""
        Throttle = Pool().get('citizen_portal.throttle')
        account = normalize_email(email.strip()).lower()
        period = config.getint('session', 'timeout')
        counters = [
            ('login-address', address, config.getint(
                    'session', 'max_attempt_ip_network', default=300)),
            ('login-account', account, config.getint(
                    'session', 'max_attempt', default=5)),
            ]
        for bucket, client, limit in counters:
            if not Throttle.hit(bucket, client, limit, period):
                raise RateLimitException()
        user = cls.authenticate(email, password)
        if user:
            for bucket, client, _ in counters:
                Throttle.refund(bucket, client)
        return user

    @classmethod
    def authenticate(cls, email, password):
        # an unknown address costs the verification of a wrong password
        known = bool(cls.search([('email', '=', email.lower())], limit=1))
        user = super().authenticate(email, password)
        if not known:
            cls.check_password(password, cls._unknown_hash())
        return user

    @classmethod
    def _unknown_hash(cls):
        "The hash of a random password, with the cost of the accounts'"
        if not _unknown_hash:
            _unknown_hash.append(cls.hash_password(secrets.token_hex(16)))
        return _unknown_hash[0]

    @classmethod
    def set_password(cls, users, name, value):
        super().set_password(users, name, value)
        if value != 'x' * 10:
            cls.end_sessions(users)

    @classmethod
    def end_sessions(cls, users):
        "Log the accounts out everywhere (their password changed)"
        Session = Pool().get('web.user.session')
        Session.delete(Session.search([('user', 'in', [u.id for u in users])]))

    @classmethod
    def _known_party(cls, code):
        "The party of the municipality with the fiscal code, or None"
        Party = Pool().get('party.party')
        if not code:
            return None
        parties = Party.search([('fiscal_code', '=', code)], limit=1)
        return parties[0] if parties else None

    @classmethod
    def _party_of(cls, code, last_name, first_name):
        """The party of the CNP/CUI code, created with the name when the
        municipality does not know it yet"""
        pool = Pool()
        Party = pool.get('party.party')
        code, kind = cls._checked_code(code)
        party = cls._known_party(code)
        if party:
            return party
        last_name = (last_name or '').strip()
        first_name = (first_name or '').strip()
        if not last_name or (kind == 'cnp' and not first_name):
            raise AccountError(gettext('citizen_portal.msg_name_required'))
        if kind == 'cnp':
            party = Party(person_type='natural', last_name=last_name,
                first_name=first_name, cnp=code)
        else:
            party = Party(person_type='legal', name=last_name, cui=code)
        party.save()
        return party

    @property
    def identity(self):
        "The proven person or company of the account: None until validated"
        return self.party if self.validated else None

    @property
    def claim_code(self):
        """The CNP/CUI the account claims (of its party for an account made
        in the back office with its party)"""
        if self.claimed_code:
            return self.claimed_code
        return self.party.fiscal_code if self.party else None

    @property
    def claim_name(self):
        "The name the account claims to be of"
        if self.claimed_code:
            return ' '.join(filter(None, [
                        (self.claimed_name or '').upper(),
                        self.claimed_first_name]))
        return self.party.rec_name if self.party else ''

    @property
    def citizen_name(self):
        "The name shown to the citizen: the proven one, else the claimed one"
        if self.identity:
            return self.identity.rec_name
        return self.claim_name or self.email

    def claimed_party(self):
        """The party of the claimed code when the municipality knows it
        (never created): only what is due on it is shown to the account,
        as to anybody paying with the code and a decision number"""
        if self.identity:
            return self.identity
        if self.claimed_code:
            return self._known_party(self.claimed_code)
        return self.party

    def requester_party(self):
        """The issuer of the requests the account sends: the proven party,
        else the party of the claim, created from the claimed name when the
        municipality does not know the code.  A petition is registered
        under the name it is signed with, like a letter; the account reads
        back only the requests it sent itself (portal.scope)."""
        if self.identity:
            return self.identity
        party = self.claimed_party()
        if party or not self.claimed_code:
            return party
        return self._party_of(self.claimed_code, self.claimed_name,
            self.claimed_first_name)

    def party_to_link(self, create=True):
        """The party validation links the account to: the party of the
        claimed code (created from the claimed name, now proven, when the
        municipality does not know it), or the party an account made in the
        back office was given"""
        if self.claimed_code:
            if not create:
                return self._known_party(self.claimed_code)
            return self._party_of(self.claimed_code, self.claimed_name,
                self.claimed_first_name)
        return self.party

    @classmethod
    def validate_accounts(cls, users, method, reference, by=None):
        """Raise the accounts to the validated level, linking each to the
        party of its claimed code: the caller has proven the identity"""
        now = dt.datetime.now()
        to_write = []
        for user in users:
            party = user.party_to_link()
            if not party:
                raise AccessError(gettext(
                        'citizen_portal.msg_validate_no_party',
                        user=user.rec_name))
            to_write.extend(([user], {
                        'party': party.id,
                        'trust_level': 'validated',
                        'validation_method': method,
                        'validation_reference': reference,
                        'validated_by': by,
                        'validated_at': now,
                        }))
        if to_write:
            with Transaction().set_context(_portal_validation=True):
                cls.write(*to_write)

    @classmethod
    @ModelView.button_action('citizen_portal.wizard_validate_account')
    def validate_account(cls, users):
        pass


class ValidateAccountStart(ModelView):
    __name__ = 'citizen_portal.validate_account.start'
    __string__ = "Validate Citizen Account"

    user = fields.Many2One('web.user', "Account", readonly=True)
    claimed_code = fields.Char("Claimed CNP/CUI", readonly=True)
    claimed_name = fields.Char("Claimed Name", readonly=True)
    party = fields.Many2One(
        'party.party', "Person or Company", readonly=True,
        help="The file of the claimed CNP/CUI the account is linked to; "
        "empty when the city hall does not know it yet: it is created from "
        "the claimed name at validation.")
    identity_document = fields.Char(
        "Identity Document", required=True,
        help="The series and number of the identity document checked at "
        "the counter (carte de identitate).")
    confirmed = fields.Boolean(
        "Identity Checked",
        help="I checked the identity document against the person and the "
        "name and CNP the account claims.")


class ValidateAccount(Wizard):
    __name__ = 'citizen_portal.validate_account'

    start = StateView(
        'citizen_portal.validate_account.start',
        'citizen_portal.validate_account_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Validate", 'validate', 'tryton-ok', default=True),
            ])
    validate = StateTransition()

    def default_start(self, fields):
        party = self.record.party_to_link(create=False)
        return {
            'user': self.record.id,
            'claimed_code': self.record.claim_code,
            'claimed_name': self.record.claim_name,
            'party': party.id if party else None,
            'confirmed': False,
            }

    def transition_validate(self):
        if not self.start.confirmed:
            raise AccessError(gettext(
                    'citizen_portal.msg_validate_not_confirmed'))
        self.model.validate_accounts(
            [self.record], 'counter', self.start.identity_document,
            by=Transaction().user)
        return 'end'
