# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The Ghișeul.ro connection of a municipality: its institution code, the
endpoint of Ghișeul.ro, the credentials we send (out) and those Ghișeul.ro
must send us (in; only a hash is kept), timeouts and retries."""
from decimal import Decimal
from urllib.parse import urlsplit

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.transaction import Transaction

from .adapter import ADAPTER
from .exceptions import ConfigurationError


class Configuration(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'ghiseul.configuration'
    __string__ = "Ghișeul.ro Configuration"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='CASCADE')
    institution_code = fields.Char(
        "Institution Code", required=True, strip=True,
        help="The code Ghișeul.ro gave the municipality with the "
        "convention; every message carries it.")
    endpoint_url = fields.Char(
        "Ghișeul.ro Endpoint", required=True, strip=True,
        help="The URL of Ghișeul.ro's SOAP service (or of the emulator).")
    out_username = fields.Char(
        "Username Sent", required=True, strip=True,
        help="The user name of the municipality at Ghișeul.ro.")
    out_password = fields.Char(
        "Password Sent", required=True, strip=False,
        help="The password of the municipality at Ghișeul.ro.")
    in_username = fields.Char(
        "Username Expected", required=True, strip=True,
        help="The user name Ghișeul.ro sends with its messages.")
    in_password = fields.Function(fields.Char(
            "Password Expected", strip=False,
            help="The password Ghișeul.ro sends with its messages; only its "
            "hash is kept."),
        'get_in_password', setter='set_in_password')
    in_password_hash = fields.Char("Password Hash", readonly=True)
    timeout = fields.Numeric(
        "Timeout", digits=(6, 1), required=True,
        domain=[('timeout', '>', 0)],
        help="In seconds, for each call to Ghișeul.ro.")
    retries = fields.Integer(
        "Retries", required=True,
        domain=[('retries', '>=', 0), ('retries', '<=', 10)],
        help="How many times a call that got no answer is repeated.")
    backoff = fields.Numeric(
        "Back-off", digits=(6, 2), required=True,
        domain=[('backoff', '>=', 0)],
        help="In seconds, the wait before the first repetition; doubled at "
        "each one.")
    endpoint_path = fields.Function(fields.Char(
            "Our Endpoint",
            help="The path Ghișeul.ro calls on this server "
            "(its WSDL: the same with ?wsdl)."),
        'get_endpoint_path')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_unique', Unique(t, t.company),
                'ghiseul.msg_configuration_company_unique'),
            ('institution_code_unique', Unique(t, t.institution_code),
                'ghiseul.msg_configuration_institution_unique'),
            ]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_timeout(cls):
        return Decimal('10')

    @classmethod
    def default_retries(cls):
        return 3

    @classmethod
    def default_backoff(cls):
        return Decimal('1')

    def get_rec_name(self, name):
        return f'{self.institution_code} ({self.company.rec_name})'

    def get_in_password(self, name):
        return 'x' * 10 if self.in_password_hash else None

    @classmethod
    def set_in_password(cls, configurations, name, value):
        if value == 'x' * 10:
            return
        User = Pool().get('res.user')
        cls.write(configurations, {
                'in_password_hash': User.hash_password(value),
                })

    def get_endpoint_path(self, name):
        return f'/{Transaction().database.name}/ghiseul/soap'

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        if 'endpoint_url' in field_names:
            for configuration in configurations:
                url = urlsplit(configuration.endpoint_url)
                if url.scheme not in {'http', 'https'} or not url.netloc:
                    raise ConfigurationError(gettext(
                            'ghiseul.msg_configuration_endpoint',
                            url=configuration.endpoint_url))

    @classmethod
    def get(cls, company):
        "The active configuration of the municipality"
        configurations = cls.search([('company', '=', company.id)], limit=1)
        if not configurations:
            raise ConfigurationError(gettext(
                    'ghiseul.msg_configuration_missing',
                    company=company.rec_name))
        return configurations[0]

    @classmethod
    def for_institution(cls, code):
        "The active configuration of the institution code, or None"
        configurations = cls.search(
            [('institution_code', '=', code)], limit=1)
        return configurations[0] if configurations else None

    def check_credentials(self, credentials):
        "Whether the credentials are those Ghișeul.ro must send"
        from .soap import same
        User = Pool().get('res.user')
        if not credentials or not self.in_password_hash:
            return False
        username, password = credentials
        username_ok = same(username, self.in_username)
        password_ok, _ = User.check_password(
            password, self.in_password_hash)
        return username_ok and password_ok

    def adapter(self):
        "The adapter of the contract, logging every call"
        Message = Pool().get('ghiseul.message')

        def log(**values):
            Message.log(self.company, **values)
        return ADAPTER(self, log=log)
