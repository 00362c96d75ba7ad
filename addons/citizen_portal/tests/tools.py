# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A portal over the test database, with committed data and a mail catcher.

The portal opens its own transactions (flask_tryton), so what a test shows
it must be committed: the fixtures below commit, and every test uses its
own e-mail addresses and codes.  SQLite in memory cannot be shared between
transactions: these tests run on PostgreSQL (scripts/test)."""
import itertools
import os
import re
import secrets
import unittest

from stdnum.ro import cnp as stdnum_cnp

from trytond import config
from trytond.modules.municipality.tests.tools import (  # noqa: F401
    committed, holding_lock)
from trytond.tests.test_tryton import DB_NAME, activate_module

from ..portal import create_app
from .mailcatcher import MailCatcher

PASSWORD = 'Parola-Buna-2026'
# the languages a municipality's portal is served in (scripts/demo loads them)
PORTAL_LANGUAGES = ['ro', 'hu']
_counter = itertools.count(1)


def new_cnp():
    "A valid CNP, random: the test database outlives a run"
    while True:
        body = '1%02d%02d%02d%02d%03d' % (
            50 + secrets.randbelow(50), 1 + secrets.randbelow(12),
            1 + secrets.randbelow(28), 1 + secrets.randbelow(40),
            1 + secrets.randbelow(999))
        code = body + stdnum_cnp.calc_check_digit(body)
        if stdnum_cnp.is_valid(code):
            return code


def unique_email(prefix='cetatean'):
    return f'{prefix}.{next(_counter)}.{secrets.token_hex(3)}@example.ro'


def set_config(section, option, value):
    if not config.has_section(section):
        config.add_section(section)
    config.set(section, option, value)


def load_languages(codes):
    """Load the catalogues of these languages unless the database has them:
    a database restored from the cache (after ModuleTestCase or a scenario
    dropped it) has only English"""
    with committed() as pool:
        Lang = pool.get('ir.lang')
        missing = Lang.search(
            [('code', 'in', codes), ('translatable', '=', False)])
        if missing:
            Lang.load_translations(missing)


class PortalTestCase(unittest.TestCase):
    "Activates the modules, starts a mail catcher, builds the portal"
    modules = ['citizen_portal']

    @classmethod
    def setUpClass(cls):
        if (os.environ.get('DB_NAME', ':memory:') == ':memory:'
                and 'sqlite' in (config.get('database', 'uri') or 'sqlite')):
            raise unittest.SkipTest(
                "the portal shares the database between transactions: "
                "run on PostgreSQL (scripts/test)")
        activate_module(cls.modules)
        load_languages(PORTAL_LANGUAGES)
        cls.mail = MailCatcher().start()
        set_config('email', 'uri', cls.mail.uri)
        set_config('email', 'from', 'portal@primarie.example.ro')
        set_config('session', 'max_attempt', '3')
        cls.company_id = cls.setup_municipality()
        cls.app = create_app(DB_NAME, None, company=cls.company_id,
            SECRET_KEY=secrets.token_hex(16), TESTING=True,
            PORTAL_URL='https://portal.test')

    @classmethod
    def tearDownClass(cls):
        cls.mail.stop()

    @classmethod
    def setup_municipality(cls):
        from trytond.modules.municipality.tests.tools import (
            create_municipality)
        with committed() as pool:
            Company = pool.get('company.company')
            companies = Company.search([])
            if companies:
                return companies[0].id
            return create_municipality().id

    def client(self):
        "A browser of its own: its own cookies and its own IP address"
        client = self.app.test_client()
        client.environ_base.update({
                'REMOTE_ADDR': '10.%d.%d.%d' % tuple(
                    secrets.randbelow(250) + 1 for _ in range(3)),
                'wsgi.url_scheme': 'https',
                'HTTP_HOST': 'portal.test',
                })
        return client

    @staticmethod
    def csrf(client, path='/login'):
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        match = re.search(r'name="_csrf" value="([^"]+)"', page)
        assert match, page[:500]
        return match.group(1)

    def post(self, client, path, data, csrf_from=None):
        data = dict(data)
        data['_csrf'] = self.csrf(client, csrf_from or path)
        return client.post(path, data=data)

    def register(self, client, email=None, code=None, last_name="Popescu",
            first_name="Ion", password=PASSWORD):
        email = email or unique_email()
        code = code or new_cnp()
        response = self.post(client, '/register', {
                'email': email, 'code': code, 'last_name': last_name,
                'first_name': first_name, 'password': password,
                'password2': password, 'consent': '1',
                })
        return response, email, code

    def confirmation_link(self, email):
        messages = self.mail.to(email)
        assert messages, f"no e-mail to {email}"
        text = MailCatcher.text(messages[-1])
        match = re.search(r'https://portal\.test(/confirm\?token=[0-9a-f]+)',
            text)
        assert match, text
        return match.group(1)

    def citizen(self, validated=False, known=True, **values):
        """A logged-in client of a confirmed account (validated at the
        counter when asked), with its e-mail and the id of the party of its
        code: the city hall knows the person (its file is made first),
        unless known is false (then the id is None until validated)"""
        client = self.client()
        values.setdefault('code', new_cnp())
        if known:
            self.known_person(values['code'],
                values.get('last_name', "Popescu"),
                values.get('first_name', "Ion"))
        response, email, code = self.register(client, **values)
        assert response.status_code == 200, response.get_data(as_text=True)
        client.get(self.confirmation_link(email), follow_redirects=True)
        if validated:
            self.validate(email)
        response = self.login(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
        with committed() as pool:
            parties = pool.get('party.party').search(
                [('fiscal_code', '=', code)])
            party_id = parties[0].id if parties else None
        return client, email, party_id

    @staticmethod
    def known_person(code, last_name, first_name):
        "The person of the CNP in the municipality's file (made if new)"
        from trytond.modules.municipality.tests.tools import create_person
        if len(code) != 13:
            return
        with committed() as pool:
            if not pool.get('party.party').search(
                    [('fiscal_code', '=', code)]):
                create_person(last_name, first_name, cnp=code)

    def validate(self, email):
        with committed() as pool:
            WebUser = pool.get('web.user')
            user, = WebUser.search([('email', '=', email)])
            WebUser.validate_accounts([user], 'counter', 'CJ 123456')

    def login(self, client, email, password=PASSWORD):
        return self.post(client, '/login',
            {'email': email, 'password': password})
