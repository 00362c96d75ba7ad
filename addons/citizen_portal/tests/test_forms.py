# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The portal's forms report every error at once, each tied to its field:
aria-invalid, aria-describedby to the field's message, a summary at the top
linking to the fields; what the citizen typed is kept (passwords are not:
they are never sent back to the browser)."""
import io

from lxml import html

from . import test_requests
from .test_requests import send_request, setup_services
from .tools import (
    PASSWORD, PortalTestCase, committed, new_cnp, unique_email)


def wrong_check_digit(code):
    return code[:-1] + str((int(code[-1]) + 1) % 10)


class FormErrorsMixin:
    "Assertions on a page shown again with its errors"

    def tree(self, response):
        return html.fromstring(response.get_data(as_text=True))

    def assert_errors(self, response, fields, status=422):
        """Each field invalid, described by its message, linked from the
        summary; nothing else invalid"""
        page = response.get_data(as_text=True)
        self.assertEqual(response.status_code, status, page[-3000:])
        tree = html.fromstring(page)
        summary, = tree.xpath('//*[@id="error-summary"]')
        self.assertEqual(summary.get('role'), 'alert')
        links = [a.get('href') for a in summary.xpath('.//a')]
        self.assertEqual(links, [f'#{f}' for f in fields])
        invalid = [e.get('id') for e in tree.xpath('//*[@aria-invalid="true"]')]
        self.assertEqual(sorted(invalid), sorted(fields))
        for field in fields:
            element, = tree.xpath(f'//*[@id="{field}"]')
            described = element.get('aria-describedby', '').split()
            self.assertIn(f'{field}-error', described, field)
            message, = tree.xpath(f'//*[@id="{field}-error"]')
            self.assertTrue(message.text_content().strip(), field)
        return tree

    @staticmethod
    def message_of(tree, field):
        message, = tree.xpath(f'//*[@id="{field}-error"]')
        return ' '.join(message.text_content().split())

    @staticmethod
    def value_of(tree, field):
        element, = tree.xpath(f'//*[@id="{field}"]')
        if element.tag == 'textarea':
            return element.text or ''
        return element.get('value')


class FormsTestCase(FormErrorsMixin, PortalTestCase):
    "Test the errors of every form of the portal"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        setup_services(cls.company_id)

    def test_register_every_error_at_once(self):
        "Bad e-mail, no name, 5-digit CNP, other passwords, no consent"
        client = self.client()
        response = self.post(client, '/register', {
                'email': 'nu-e-adresa', 'last_name': '', 'first_name': 'Ion',
                'code': '12345', 'password': PASSWORD,
                'password2': 'Alta-Parola-2026', 'consent': '',
                })
        tree = self.assert_errors(response, [
                'email', 'last_name', 'code', 'password2', 'consent'])
        # what was typed is kept, the passwords are not (and it is said)
        self.assertEqual(self.value_of(tree, 'email'), 'nu-e-adresa')
        self.assertEqual(self.value_of(tree, 'first_name'), 'Ion')
        self.assertEqual(self.value_of(tree, 'code'), '12345')
        self.assertIsNone(self.value_of(tree, 'password'))
        self.assertIsNone(self.value_of(tree, 'password2'))
        self.assertIn('password-again', response.get_data(as_text=True))
        short = self.message_of(tree, 'code')
        self.assertIn('13', short)
        # a CNP of 13 digits whose check digit is wrong: another message
        response = self.post(client, '/register', {
                'email': unique_email(), 'last_name': 'Popa',
                'first_name': 'Ion', 'code': wrong_check_digit(new_cnp()),
                'password': PASSWORD, 'password2': PASSWORD, 'consent': '1',
                })
        tree = self.assert_errors(response, ['code'])
        checksum = self.message_of(tree, 'code')
        self.assertNotEqual(short, checksum)
        self.assertIn('cifra de control', checksum)
        # the password policy, on the password field
        response = self.post(client, '/register', {
                'email': unique_email(), 'last_name': 'Popa',
                'first_name': 'Ion', 'code': new_cnp(),
                'password': 'scurta', 'password2': 'scurta', 'consent': '1',
                })
        self.assert_errors(response, ['password'])

    def test_login_and_reset_errors(self):
        "Empty fields tied to them; a wrong password keeps the address"
        client = self.client()
        response = self.post(client, '/login', {'email': '', 'password': ''})
        self.assert_errors(response, ['email', 'password'])
        response = self.post(client, '/login',
            {'email': 'cineva@example.ro', 'password': 'gresita-123456'})
        tree = self.assert_errors(response, ['email'], status=401)
        self.assertEqual(self.value_of(tree, 'email'), 'cineva@example.ro')
        self.assertIsNone(self.value_of(tree, 'password'))
        response = self.post(client, '/reset', {'email': ''})
        self.assert_errors(response, ['email'])
        response = self.post(client, '/reset', {'email': 'nu-e-adresa'})
        tree = self.assert_errors(response, ['email'])
        self.assertEqual(self.value_of(tree, 'email'), 'nu-e-adresa')

    def test_reset_confirm_errors(self):
        client = self.client()
        response = self.post(client, '/reset/confirm', {
                'token': 'x', 'email': 'a@example.ro', 'password': 'scurta',
                'password2': 'alta'}, csrf_from='/reset')
        self.assert_errors(response, ['password', 'password2'])

    def test_request_form_every_error_at_once(self):
        "Every required field and file missing, a bad number: all at once"
        client, email, party_id = self.citizen()
        response = send_request(self, client, 'social_assistance',
            {'benefit': '', 'household': 'trei', 'situation': 'Text păstrat'},
            {})
        tree = self.assert_errors(response, [
                'f_benefit', 'f_household', 'a_identity'])
        self.assertEqual(self.value_of(tree, 'f_household'), 'trei')
        self.assertEqual(self.value_of(tree, 'f_situation'), 'Text păstrat')
        with committed() as pool:
            self.assertFalse(pool.get('citizen_portal.request').search([
                        ('party', '=', party_id)]))

    def test_pay_lookup_errors(self):
        client = self.client()
        response = self.post(client, '/pay/lookup',
            {'reference': '', 'code': ''})
        self.assert_errors(response, ['reference', 'code'])
        response = self.post(client, '/pay/lookup',
            {'reference': '123', 'code': wrong_check_digit(new_cnp())})
        tree = self.assert_errors(response, ['reference', 'code'])
        self.assertEqual(self.value_of(tree, 'reference'), '123')
        self.assertIn('cifra de control', self.message_of(tree, 'code'))

    def test_tracking_errors(self):
        client = self.client()
        response = client.get('/track?number=abc&date=x')
        self.assert_errors(response, ['number', 'date'])

    def test_mandate_every_error_at_once(self):
        client, email, party_id = self.citizen(validated=True)
        data = {'code': '12345', 'kind': 'power_of_attorney',
            'valid_from': '31.12.2026', 'valid_until': '',
            'last_name': 'Pop', 'first_name': '',
            'proof': (io.BytesIO(b''), '')}
        data['_csrf'] = self.csrf(client, '/mandates/new')
        response = client.post('/mandates/new', data=data,
            content_type='multipart/form-data')
        tree = self.assert_errors(response, ['code', 'valid_from', 'proof'])
        self.assertEqual(self.value_of(tree, 'last_name'), 'Pop')

    def test_validation_code_errors(self):
        client, email, party_id = self.citizen()
        response = self.post(client, '/account/validation/code/check',
            {'code': ''}, csrf_from='/account/validation')
        self.assertEqual(response.status_code, 422)
        response = self.post(client, '/account/validation/upload', {},
            csrf_from='/account/validation')
        self.assert_errors(response, ['form'])

    def test_tracking_accepts_printed_number(self):
        "The number as the portal prints it (27/02.12.2026), or with a date"
        client, email, party_id = self.citizen()
        values, files = test_requests.EXAMPLES['petition']
        response = send_request(self, client, 'petition', values, files)
        self.assertEqual(response.status_code, 302)
        page = client.get(response.headers['Location']).get_data(
            as_text=True)
        printed = html.fromstring(page).xpath('//h1')[0].text_content()
        with committed() as pool:
            Request = pool.get('citizen_portal.request')
            request, = Request.search([('party', '=', party_id)],
                order=[('id', 'DESC')], limit=1)
            number, date = request.document.number, request.document.date
        rec_name = f'{number}/{date.strftime("%d.%m.%Y")}'
        self.assertIn(rec_name, printed)
        anonymous = self.client()
        for query in [
                {'number': rec_name},
                {'number': f' {number} / {date.strftime("%d.%m.%Y")} '},
                {'number': number, 'date': date.strftime('%d.%m.%Y')},
                {'number': number, 'date': date.isoformat()},
                {'number': rec_name, 'date': date.strftime('%d.%m.%Y')},
                ]:
            with self.subTest(query=query):
                response = anonymous.get('/track', query_string=query)
                self.assertEqual(response.status_code, 200,
                    response.get_data(as_text=True)[-2000:])
                self.assertIn('id="track-state"',
                    response.get_data(as_text=True))
        # a number without any date: the date field says what is missing
        response = anonymous.get('/track', query_string={'number': number})
        self.assert_errors(response, ['date'])
        other = date.replace(year=date.year - 1).strftime('%d.%m.%Y')
        response = anonymous.get('/track',
            query_string={'number': rec_name, 'date': other})
        self.assert_errors(response, ['date'])
