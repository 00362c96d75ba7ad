# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Citizen accounts through the portal: registration, e-mail confirmation,
login, lockout, logout, password reset, CSRF, rate limits."""
import re
import secrets

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from .tools import (
    PASSWORD, PortalTestCase, committed, new_cnp, unique_email)
from .mailcatcher import MailCatcher


class AccountTestCase(PortalTestCase):
    "Test the citizen accounts of the portal"

    def count(self, model, domain):
        with committed() as pool:
            return pool.get(model).search_count(domain)

    def test_register_confirm_login_logout(self):
        "Register → e-mail → confirm → login → home → logout"
        client = self.client()
        code = new_cnp()
        response, email, _ = self.register(
            client, code=code, last_name="Moldovan", first_name="Ana")
        self.assertEqual(response.status_code, 200)
        self.assertIn(email, response.get_data(as_text=True))
        # not confirmed yet: refused
        response = self.login(client, email)
        self.assertEqual(response.status_code, 403)
        link = self.confirmation_link(email)
        response = client.get(link)
        # the token leaves the address at once (access logs, history)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response.headers['Location'], '/confirm')
        response = client.get('/confirm')
        self.assertEqual(response.status_code, 200)
        self.assertIn('confirmat', response.get_data(as_text=True))
        response = self.login(client, email)
        self.assertEqual(response.status_code, 302)
        page = client.get('/').get_data(as_text=True)
        self.assertIn("MOLDOVAN Ana".split()[1], page)
        self.assertIn('Standard', page)
        with committed() as pool:
            user, = pool.get('web.user').search([('email', '=', email)])
            self.assertEqual(user.claimed_code, code)
            self.assertEqual(user.claimed_name, "Moldovan")
            self.assertIsNone(user.party)
            self.assertEqual(user.trust_level, 'standard')
            self.assertEqual(user.company.id, self.company_id)
            # the portal makes no party for a code it does not know
            self.assertFalse(pool.get('party.party').search(
                    [('fiscal_code', '=', code)]))
        response = self.post(client, '/logout', {}, csrf_from='/')
        self.assertEqual(response.status_code, 302)
        response = client.get('/account/validation')
        self.assertEqual(response.status_code, 302)
        self.assertIn('/login', response.headers['Location'])

    def test_register_existing_party_linked_at_validation(self):
        """A person the municipality knows: the account only claims it until
        it is validated, then it is linked to it, no duplicate"""
        from trytond.modules.municipality.tests.tools import create_person
        code = new_cnp()
        with committed() as pool:
            create_person("Pop", "Vasile", cnp=code)
        client = self.client()
        response, email, _ = self.register(
            client, code=code, last_name="Altceva", first_name="Nume")
        self.assertEqual(response.status_code, 200)
        with committed() as pool:
            user, = pool.get('web.user').search([('email', '=', email)])
            self.assertIsNone(user.party)
            self.assertEqual(user.claimed_code, code)
        self.validate(email)
        with committed() as pool:
            parties = pool.get('party.party').search(
                [('fiscal_code', '=', code)])
            self.assertEqual(len(parties), 1)
            user, = pool.get('web.user').search([('email', '=', email)])
            self.assertEqual(user.party, parties[0])
            self.assertEqual(user.validation_method, 'counter')

    def test_unknown_code_party_made_at_validation(self):
        "A code the municipality does not know: its person made at validation"
        client = self.client()
        code = new_cnp()
        response, email, _ = self.register(
            client, code=code, last_name="Nou", first_name="Venit")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.count('party.party', [('fiscal_code', '=', code)]), 0)
        self.validate(email)
        with committed() as pool:
            party, = pool.get('party.party').search(
                [('fiscal_code', '=', code)])
            self.assertEqual((party.last_name, party.first_name),
                ("Nou", "Venit"))
            user, = pool.get('web.user').search([('email', '=', email)])
            self.assertEqual(user.party, party)

    def test_party_written_only_by_validation(self):
        "Linking an account to a party outside its validation is refused"
        from trytond.model.exceptions import AccessError
        from trytond.modules.municipality.tests.tools import create_person
        _, email, _ = self.citizen(known=False)
        with self.assertRaises(AccessError):
            with committed() as pool:
                WebUser = pool.get('web.user')
                user, = WebUser.search([('email', '=', email)])
                user.party = create_person("Alt", "Om", cnp=new_cnp())
                user.save()

    def level(self, email):
        with committed() as pool:
            user, = pool.get('web.user').search([('email', '=', email)])
            return (user.trust_level, user.validation_method,
                user.party.id if user.party else None)

    def file_person(self, code, file_email=None):
        "A person of the file, with an e-mail address on it when given"
        from trytond.modules.municipality.tests.tools import create_person
        with committed() as pool:
            party = create_person("Lazăr", "Maria", cnp=code)
            if file_email:
                pool.get('party.contact_mechanism').create([{
                            'party': party.id, 'type': 'email',
                            'value': file_email}])
            return party.id

    @staticmethod
    def message(name):
        "The beginning of a message of the module, as the portal shows it"
        from trytond.i18n import gettext
        with committed(context={'language': 'ro'}):
            return gettext(f'citizen_portal.{name}').split(':')[0]

    def send_code(self, client):
        return self.post(client, '/account/validation/code', {},
            csrf_from='/account/validation')

    def check_code(self, client, code):
        return self.post(client, '/account/validation/code/check',
            {'code': code}, csrf_from='/account/validation')

    def test_validation_by_code_to_file_email(self):
        "A code e-mailed to the address on the file validates and links"
        code, file_email = new_cnp(), unique_email('dosar')
        party_id = self.file_person(code, file_email)
        client, email, _ = self.citizen(
            code=code, last_name="Lazăr", first_name="Maria")
        self.assertIn('/account/validation/code',
            client.get('/account/validation').get_data(as_text=True))
        self.assertEqual(self.send_code(client).status_code, 302)
        text = MailCatcher.text(self.mail.to(file_email)[-1])
        sent = re.search(r'\b(\d{8})\b', text).group(1)
        self.assertFalse([m for m in self.mail.to(email)
                if sent in MailCatcher.text(m)])
        wrong = '%08d' % ((int(sent) + 1) % 10 ** 8)
        response = self.check_code(client, wrong)
        self.assertEqual(response.status_code, 422)
        self.assertIn('Codul este greșit', response.get_data(as_text=True))
        self.assertEqual(self.level(email), ('standard', None, None))
        self.assertEqual(self.check_code(client, sent).status_code, 302)
        self.assertEqual(self.level(email), ('validated', 'contact', party_id))

    def test_validation_code_refused(self):
        "No address on the file, unknown code, too many tries: refused"
        code = new_cnp()
        self.file_person(code)
        client, email, _ = self.citizen(code=code)
        unknown, unknown_email, _ = self.citizen(known=False)
        for who in [client, unknown]:
            response = self.send_code(who)
            self.assertEqual(response.status_code, 422)
            self.assertIn(self.message('msg_contact_none'),
                response.get_data(as_text=True))
        code, file_email = new_cnp(), unique_email('dosar')
        self.file_person(code, file_email)
        client, email, _ = self.citizen(code=code)
        self.send_code(client)
        text = MailCatcher.text(self.mail.to(file_email)[-1])
        sent = re.search(r'\b(\d{8})\b', text).group(1)
        wrong = '%08d' % ((int(sent) + 1) % 10 ** 8)
        for _ in range(5):
            self.assertEqual(self.check_code(client, wrong).status_code, 422)
        response = self.check_code(client, sent)
        self.assertEqual(response.status_code, 422)
        self.assertIn(self.message('msg_contact_code_expired'),
            response.get_data(as_text=True))
        for account in [email, unknown_email]:
            self.assertEqual(self.level(account), ('standard', None, None))

    def test_register_bad_input_writes_nothing(self):
        "Bad CNP, short password, other passwords, no consent: 422, nothing"
        client = self.client()
        code = new_cnp()
        bad_cnp = code[:-1] + str((int(code[-1]) + 1) % 10)
        for data, message in [
                ({'code': bad_cnp}, 'CNP'),
                ({'password': 'scurta', 'password2': 'scurta'}, '10'),
                ({'password2': 'Alta-Parola-2026'}, 'diferă'),
                ({'consent': ''}, 'prelucrarea'),
                ({'email': 'nu-e-adresa'}, 'e-mail'),
                ]:
            with self.subTest(data=data):
                email = unique_email()
                values = {
                    'email': email, 'code': code, 'last_name': "Popa",
                    'first_name': "Dan", 'password': PASSWORD,
                    'password2': PASSWORD, 'consent': '1',
                    }
                values.update(data)
                response = self.post(client, '/register', values)
                self.assertEqual(response.status_code, 422)
                self.assertIn(message, response.get_data(as_text=True))
                self.assertEqual(self.count('web.user',
                        [('email', '=', values['email'].lower())]), 0)
        self.assertEqual(
            self.count('party.party', [('fiscal_code', '=', code)]), 0)

    def test_csrf_forged_request_refused(self):
        "A state-changing request without the session's token: 403"
        client = self.client()
        _, email, _ = self.citizen()
        for data in [{}, {'_csrf': 'forged-token'}]:
            with self.subTest(data=data):
                response = client.post('/login', data=dict(
                        data, email=email, password=PASSWORD))
                self.assertEqual(response.status_code, 403)
        # a token of another session does not work either
        other = self.client()
        token = self.csrf(other)
        response = client.post('/register', data={'_csrf': token})
        self.assertEqual(response.status_code, 403)

    def test_login_lockout(self):
        "Repeated wrong passwords: 401 with growing delays, then 429"
        client, email, _ = self.citizen()
        client = self.client()
        codes = []
        for _ in range(5):
            codes.append(self.login(client, email, 'Gresita-2026!').status_code)
        self.assertEqual(codes[:3], [401, 401, 401])
        self.assertEqual(codes[-1], 429)
        # locked: even the right password is refused for now
        self.assertEqual(self.login(client, email).status_code, 429)

    def test_password_reset(self):
        "Reset link by e-mail, new password, old one refused"
        _, email, _ = self.citizen()
        client = self.client()
        response = self.post(client, '/reset', {'email': email})
        self.assertEqual(response.status_code, 200)
        # the same answer for an unknown address
        unknown = self.post(client, '/reset', {'email': unique_email()})
        self.assertEqual(unknown.get_data(), response.get_data())
        text = MailCatcher.text(self.mail.to(email)[-1])
        match = re.search(r'reset/confirm\?[^"\s]*token=([0-9a-f]+)', text)
        self.assertTrue(match, text)
        token = match.group(1)
        new = 'Alta-Parola-Buna-2027'
        response = client.get(f'/reset/confirm?token={token}&email={email}')
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response.headers['Location'], '/reset/confirm')
        page = client.get('/reset/confirm').get_data(as_text=True)
        self.assertIn(f'value="{token}"', page)
        response = self.post(client, '/reset/confirm', {
                'token': token, 'email': email,
                'password': new, 'password2': new},
            csrf_from='/reset/confirm')
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.login(self.client(), email).status_code, 401)
        self.assertEqual(
            self.login(self.client(), email, new).status_code, 302)

    def test_registration_rate_limit(self):
        "More than the allowed registrations from one address: 429"
        client = self.client()
        limit, _ = self.app.config['RATE_LIMITS']['register']
        statuses = []
        for _ in range(limit + 1):
            response, _, _ = self.register(client, code='123')
            statuses.append(response.status_code)
        self.assertEqual(set(statuses[:limit]), {422})
        self.assertEqual(statuses[-1], 429)

    def test_security_headers_and_cookie(self):
        "Session cookie Secure, HttpOnly, SameSite; CSP and no framing"
        client = self.client()
        response = client.get('/login')
        cookie = response.headers.get('Set-Cookie', '')
        self.assertIn('Secure', cookie)
        self.assertIn('HttpOnly', cookie)
        self.assertIn('SameSite=Lax', cookie)
        self.assertIn("frame-ancestors 'none'",
            response.headers['Content-Security-Policy'])
        self.assertEqual(response.headers['X-Frame-Options'], 'DENY')

    def test_languages(self):
        "Romanian first, Hungarian and English on request"
        client = self.client()
        self.assertIn('Autentificare', client.get('/login').get_data(
                as_text=True))
        self.assertIn('Bejelentkezés', client.get('/login?lang=hu').get_data(
                as_text=True))
        # remembered in a cookie
        self.assertIn('lang="hu"', client.get('/login').get_data(
                as_text=True))
        self.assertIn('Log in', client.get('/login?lang=en').get_data(
                as_text=True))



class BackOfficeAccountTestCase(PortalTestCase):
    "A clerk of the municipality and the citizens' accounts, in the back office"

    def clerk(self):
        "A back-office user of the municipality in the Citizen Portal Clerk group; its id"
        from trytond.modules.municipal_staff.tests.tools import create_employee
        login = f'ghiseu-{secrets.token_hex(3)}'
        with committed() as pool:
            ModelData = pool.get('ir.model.data')
            Company = pool.get('company.company')
            User = pool.get('res.user')
            create_employee(Company(self.company_id), "Marin", "Elena", login=login)
            user, = User.search([('login', '=', login)])
            User.write([user], {'groups': [('add', [
                                ModelData.get_id('citizen_portal', 'group_portal_clerk')])]})
            return user.id

    def test_menus_list_the_municipality_records(self):
        """Citizen Accounts and Mandates opened by a clerk list what the
        rules let her see: the client evaluates their domains in the context
        of her preferences, which has her company, not her companies"""
        from trytond.pyson import PYSONDecoder
        _, email, _ = self.citizen(known=False)
        clerk = self.clerk()
        with Transaction().start(DB_NAME, clerk) as transaction:
            pool = Pool()
            ModelData = pool.get('ir.model.data')
            Action = pool.get('ir.action.act_window')
            context = pool.get('res.user').get_preferences(context_only=True)
            with transaction.set_context(context, _check_access=True):
                for xml_id in ['act_citizen_account_form', 'act_mandate_form']:
                    action = Action(ModelData.get_id('citizen_portal', xml_id))
                    decoder_context = dict(context, _user=clerk)
                    decoder_context['context'] = decoder_context
                    domain = PYSONDecoder(decoder_context).decode(action.pyson_domain)
                    Model = pool.get(action.res_model)
                    self.assertEqual(Model.search(domain), Model.search([]), xml_id)
                WebUser = pool.get('web.user')
                self.assertEqual(len(WebUser.search([('email', '=', email)])), 1)
