# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Paying through Ghișeul.ro from the portal, without an account and at
the kiosk: the real emulator, its card page, its notification to a real
trytond endpoint, the status poll; booked exactly once."""
import re
import time
from decimal import Decimal

from .pay_tools import PaymentTestCase, pay_by_card, path_of
from .tools import committed, holding_lock, new_cnp


class PayTestCase(PaymentTestCase):
    "Test the payments of the portal"

    def count_transactions(self, party_id):
        with committed() as pool:
            return pool.get('ghiseul.transaction').search_count(
                [('taxpayer', '=', party_id)])

    def pay_logged_in(self, client, party_id, obligations=None):
        path = f'/pay?party={party_id}'
        data = {'party': party_id}
        if obligations:
            path += '&obligations=' + ','.join(map(str, obligations))
            data['obligations'] = ','.join(map(str, obligations))
        return self.start_card_payment(client, '/pay', data, csrf_from=path)

    def test_pay_flow_notification_replayed(self):
        "Pay → card page → notification (replayed 3×) → one payment, receipt"
        client, email, party_id = self.citizen()
        number, ids = self.obligations_for(party_id)
        page = client.get('/pay').get_data(as_text=True)
        self.assertIn('Impozit clădiri', page)
        self.assertIn('200,50', page)
        card_page = self.pay_logged_in(client, party_id)
        back = pay_by_card(card_page)
        token = self.token_of(back)
        paid = self.wait_paid(token)
        self.assertEqual(paid['channel'], 'ghiseul')
        for _ in range(3):
            self.emulator.state.renotify(paid['external_id'])
            self.wait_delivered(paid['external_id'])
        self.assertEqual(len(self.payments(paid['external_id'])), 1)
        response = self.returned(client, back)
        page = response.get_data(as_text=True)
        self.assertEqual(response.status_code, 200, page)
        self.assertIn('200,50', page)
        self.assertIn('/pay/receipt.pdf', page)
        response = client.get('/pay/receipt.pdf')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.mimetype, 'application/pdf')
        self.assertTrue(response.data.startswith(b'%PDF'))
        self.assertEqual(len(self.payments(paid['external_id'])), 1)
        # nothing is due any more
        page = client.get('/pay').get_data(as_text=True)
        self.assertNotIn('Impozit clădiri', page)

    @staticmethod
    def submit_pay_form(client, page=None, tick=()):
        """Submit the pay page's main form as a browser does: its inputs as
        the page (/pay by default) has them, the boxes of tick ticked"""
        from lxml import html
        from werkzeug.datastructures import MultiDict
        if page is None:
            page = client.get('/pay').get_data(as_text=True)
        form, = [f for f in html.fromstring(page).forms
            if f.xpath('.//button[contains(@class, "primary")]')]
        data = []
        for element in form.inputs:
            name = element.get('name')
            if not name or element.tag == 'button':
                continue
            if element.get('type') == 'checkbox':
                if element.checked or int(element.get('value')) in tick:
                    data.append((name, element.get('value')))
            else:
                data.append((name, element.get('value') or ''))
        return client.post(form.get("action"), data=MultiDict(data))

    def test_pay_the_boxes_ticked(self):
        "One box ticked, the main button: only that obligation goes to pay"
        client, email, party_id = self.citizen()
        number, ids = self.obligations_for(party_id)
        response = self.submit_pay_form(client, tick=[ids[0]])
        # the total shown was for everything: shown again for the choice
        self.assertEqual(response.status_code, 200)
        page = response.get_data(as_text=True)
        self.assertIn('Plătiți 120,00 lei cu cardul', page)
        response = self.submit_pay_form(client, page)
        self.assertEqual(response.status_code, 303)
        with committed() as pool:
            transaction, = pool.get('ghiseul.transaction').search(
                [('taxpayer', '=', party_id)])
            self.assertEqual(transaction.amount, Decimal('120.00'))

    def test_return_before_notification(self):
        "Back before the notification: the status poll books, once"
        client, email, party_id = self.citizen()
        number, ids = self.obligations_for(party_id)
        self.emulator.notify_delay = 3600
        try:
            card_page = self.pay_logged_in(client, party_id, ids[:1])
            back = pay_by_card(card_page)
        finally:
            self.emulator.notify_delay = 0.0
        token = self.token_of(back)
        self.assertEqual(self.transaction_of(token)['state'], 'pending')
        response = self.returned(client, back)
        self.assertEqual(response.status_code, 200)
        paid = self.transaction_of(token)
        self.assertEqual(paid['state'], 'paid')
        self.assertEqual(self.payments(paid['external_id']),
            [(paid and self.payments(paid['external_id'])[0][0], 'ghiseul')])
        self.assertEqual(self.payments(paid['external_id'])[0][0], 120)
        # the late notification and a second return change nothing
        self.emulator.state.renotify(paid['external_id'])
        self.wait_delivered(paid['external_id'])
        self.returned(client, back)
        self.assertEqual(len(self.payments(paid['external_id'])), 1)

    def test_return_while_notification_books(self):
        """Back while the notification books the payment (the taxpayer's
        lock held by another transaction): the page waits, no error"""
        client, email, party_id = self.citizen()
        number, ids = self.obligations_for(party_id)
        self.emulator.notify_delay = 3600
        try:
            back = pay_by_card(self.pay_logged_in(client, party_id, ids[:1]))
        finally:
            self.emulator.notify_delay = 0.0
        token = self.token_of(back)
        with holding_lock('party_party', party_id):
            response = self.returned(client, back)
            page = response.get_data(as_text=True)
            self.assertEqual(response.status_code, 200, page[:2000])
            self.assertIn('http-equiv="refresh"', page)
        self.assertEqual(self.transaction_of(token)['state'], 'pending')
        # the lock released, the page that looks again books once
        response = client.get('/pay/return')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.transaction_of(token)['state'], 'paid')
        self.assertIn('/pay/receipt.pdf', response.get_data(as_text=True))

    def test_declined(self):
        "A declined card: failed, nothing booked, no receipt"
        from trytond.modules.ghiseul.tests.tools import CARD_DECLINED
        client, email, party_id = self.citizen()
        self.obligations_for(party_id)
        back = pay_by_card(self.pay_logged_in(client, party_id),
            CARD_DECLINED)
        token = self.token_of(back)
        response = self.returned(client, back)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.transaction_of(token)['state'], 'failed')
        self.assertIn('Refuzat', response.get_data(as_text=True))
        self.assertEqual(client.get(
                '/pay/receipt.pdf').status_code, 404)

    def test_ghiseul_unreachable(self):
        "Ghișeul.ro down: the attempt fails clearly, nothing is booked"
        from trytond.modules.ghiseul.tests.tools import free_port
        client, _, party_id = self.citizen()
        self.obligations_for(party_id)
        self.set_endpoint(f'http://127.0.0.1:{free_port()}/soap')
        try:
            response = self.post(client, '/pay', {'party': party_id},
                csrf_from='/pay')
        finally:
            self.set_endpoint(f'{self.emulator.url}/soap')
        self.assertEqual(response.status_code, 302)
        # the token stays in the session, out of the address
        self.assertEqual(response.headers['Location'], '/pay/return')
        page = client.get('/pay/return').get_data(as_text=True)
        self.assertIn('nu a putut fi contactat', page)
        with committed() as pool:
            started, = pool.get('ghiseul.transaction').search(
                [('taxpayer', '=', party_id)])
            token = started.token
        paid = self.transaction_of(token)
        self.assertEqual((paid['state'], paid['payment']), ('failed', None))

    def set_endpoint(self, url):
        with committed() as pool:
            Configuration = pool.get('ghiseul.configuration')
            Configuration.write(Configuration.search(
                    [('company', '=', self.company_id)]),
                {'endpoint_url': url})

    def test_pay_authorization(self):
        "B, anonymous: 404 on A's payment, receipt, party and obligations"
        client_a, _, party_a = self.citizen()
        client_b, _, party_b = self.citizen()
        anonymous = self.client()
        number, ids = self.obligations_for(party_a)
        # B cannot pay for A, nor A's obligations as B's
        self.assertEqual(client_b.get(
                f'/pay?party={party_a}').status_code, 404)
        self.assertEqual(client_b.get(
                f'/pay?obligations={ids[0]}').status_code, 404)
        self.assertEqual(client_b.get(
                '/pay?obligations=x').status_code, 404)
        response = self.post(client_b, '/pay',
            {'party': party_a}, csrf_from='/pay')
        self.assertEqual(response.status_code, 404)
        self.assertEqual(anonymous.get('/pay').status_code, 302)
        back = pay_by_card(self.pay_logged_in(client_a, party_a))
        token = self.token_of(back)
        self.wait_paid(token)
        for client in [client_b, anonymous, self.kiosk_client()]:
            for path in [path_of(back), '/pay/return', '/pay/receipt.pdf',
                    f'/kiosk/return?token={token}', '/kiosk/return',
                    '/kiosk/receipt', '/kiosk/receipt.pdf']:
                with self.subTest(path=path):
                    self.assertEqual(client.get(
                            path, follow_redirects=True).status_code, 404)
        self.returned(client_a, back)
        self.assertEqual(client_a.get(
                '/pay/receipt.pdf').status_code, 200)

    def test_pay_nothing_due_writes_nothing(self):
        "Nothing due: a clear error, no transaction started"
        client, _, party_id = self.citizen()
        response = self.post(client, '/pay', {'party': party_id},
            csrf_from='/pay')
        self.assertEqual(response.status_code, 422)
        self.assertIn('nimic de plătit', response.get_data(as_text=True))
        self.assertEqual(self.count_transactions(party_id), 0)

    def test_forged_csrf_refused(self):
        client, _, party_id = self.citizen()
        self.obligations_for(party_id)
        response = client.post('/pay', data={'party': party_id,
                '_csrf': 'forged'})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.count_transactions(party_id), 0)

    # Without an account

    def anonymous_party(self):
        from trytond.modules.municipality.tests.tools import create_person
        code = new_cnp()
        with committed():
            party = create_person("Vasilescu", "Maria", cnp=code)
            party_id = party.id
        return code, party_id

    def test_pay_without_account(self):
        "Payment reference + CNP → only the amount → card → receipt"
        code, party_id = self.anonymous_party()
        reference, number, ids = self.decision_for(
            party_id, amounts=('55.00',))
        client = self.client()
        page = client.get('/pay/lookup').get_data(as_text=True)
        self.assertIn('name="reference"', page)
        response = self.post(client, '/pay/lookup',
            {'reference': reference, 'code': code})
        page = response.get_data(as_text=True)
        self.assertEqual(response.status_code, 200, page)
        self.assertIn('55,00', page)
        for personal in ['Vasilescu', 'Maria', 'Impozit clădiri', code]:
            self.assertNotIn(personal, page)
        card_page = self.start_card_payment(client, '/pay/lookup/pay', {},
            csrf_from='/pay/lookup')
        back = pay_by_card(card_page)
        token = self.token_of(back)
        paid = self.wait_paid(token)
        self.assertEqual(len(self.payments(paid['external_id'])), 1)
        response = self.returned(client, back)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(client.get(
                '/pay/receipt.pdf').status_code, 200)
        # only the browser session that paid
        other = self.client()
        self.assertEqual(other.get(
                '/pay/receipt.pdf').status_code, 404)
        self.assertEqual(other.get(
                path_of(back), follow_redirects=True).status_code, 404)
        # paid: nothing due, the same answer as a wrong pair
        response = self.post(self.client(), '/pay/lookup',
            {'reference': reference, 'code': code})
        self.assertEqual(response.status_code, 404)

    def test_pay_without_account_number_not_enough(self):
        """The sequential number with the CNP finds nothing (not written as
        a reference: said on the field); spaces ignored"""
        code, party_id = self.anonymous_party()
        reference, number, ids = self.decision_for(party_id)
        for data in [{'number': number, 'code': code},
                {'reference': number, 'code': code},
                {'reference': reference[:-1], 'code': code}]:
            response = self.post(self.client(), '/pay/lookup', data)
            self.assertEqual(response.status_code, 422, data)
            self.assertIn('aria-invalid', response.get_data(as_text=True))
        other = str((int(reference[0]) + 1) % 10) + reference[1:]
        response = self.post(self.client(), '/pay/lookup',
            {'reference': other, 'code': code})
        self.assertEqual(response.status_code, 404)
        spaced = ' '.join([reference[:4], reference[4:8], reference[8:]])
        response = self.post(self.client(), '/pay/lookup',
            {'reference': spaced, 'code': code})
        self.assertEqual(response.status_code, 200)

    def test_pay_lookup_limited_per_code_and_reference(self):
        """Guessing for one CNP (or one reference) from many addresses
        is stopped by a limit on the CNP (the reference) typed"""
        code, party_id = self.anonymous_party()
        reference, number, ids = self.decision_for(party_id)
        limit, _ = self.app.config['RATE_LIMITS']['decision-lookup-code']
        for i in range(limit):
            response = self.post(self.client(), '/pay/lookup',
                {'reference': '%012d' % i, 'code': code})
            self.assertEqual(response.status_code, 404)
        # the right reference, from yet another address: refused too
        response = self.post(self.client(), '/pay/lookup',
            {'reference': reference, 'code': code})
        self.assertEqual(response.status_code, 429)
        # the kiosk counts the same CNP
        response = self.post(self.kiosk_client(), '/kiosk',
            {'reference': reference, 'code': code})
        self.assertEqual(response.status_code, 429)
        # one reference tried with many CNPs
        other_code, other_id = self.anonymous_party()
        other_reference, _, _ = self.decision_for(other_id)
        for i in range(limit):
            self.post(self.client(), '/pay/lookup',
                {'reference': other_reference, 'code': new_cnp()})
        response = self.post(self.client(), '/pay/lookup',
            {'reference': other_reference, 'code': other_code})
        self.assertEqual(response.status_code, 429)

    def test_pay_without_account_wrong_pair(self):
        "A wrong pair is answered as an unknown one, nothing personal"
        code, party_id = self.anonymous_party()
        other_code, other_id = self.anonymous_party()
        reference, number, ids = self.decision_for(party_id)
        client = self.client()

        def answer(reference, code):
            response = self.post(client, '/pay/lookup',
                {'reference': reference, 'code': code})
            page = response.get_data(as_text=True)
            return response.status_code, page.replace(reference, '')
        wrong = answer(reference, other_code)
        unknown = answer('424242424242', other_code)
        self.assertEqual(wrong, unknown)
        self.assertEqual(wrong[0], 404)
        self.assertNotIn('200,50', wrong[1])
        self.assertIn('nimic de plătit', wrong[1])
        # nothing paid from a session without a found decision
        response = self.post(client, '/pay/lookup/pay', {},
            csrf_from='/pay/lookup')
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.count_transactions(party_id), 0)

    def test_pay_lookup_rate_limited(self):
        client = self.client()
        limit, _ = self.app.config['RATE_LIMITS']['pay-lookup']
        codes = set()
        for i in range(limit + 1):
            codes.add(client.get('/pay/lookup').status_code)
        self.assertEqual(client.get('/pay/lookup').status_code, 429)
        self.assertIn(200, codes)
        # another address is not limited
        self.assertEqual(self.client().get('/pay/lookup').status_code, 200)

    # The kiosk

    def test_kiosk_only_on_kiosks(self):
        "The kiosk answers only its addresses or a device with the secret"
        for path in ['/kiosk', '/kiosk/due', '/kiosk/reset']:
            with self.subTest(path=path):
                self.assertEqual(self.client().get(path).status_code, 404)
                self.assertIn(self.kiosk_client().get(path).status_code,
                    {200, 302})
        self.app.config['KIOSK_DEVICE_SECRET'] = 'k' * 32
        try:
            for cookie, status in [('k' * 32, 200), ('x' * 32, 404)]:
                client = self.client()
                client.set_cookie('op_kiosk_device', cookie)
                response = client.get('/kiosk')
                self.assertEqual(response.status_code, status, cookie)
            self.assertEqual(self.client().get('/kiosk', headers={
                        'X-Kiosk-Device': 'k' * 32}).status_code, 200)
            self.assertEqual(self.client().get('/kiosk', headers={
                        'X-Kiosk-Device': 'k' * 31}).status_code, 404)
        finally:
            self.app.config['KIOSK_DEVICE_SECRET'] = None

    def test_kiosk_rate_limited(self):
        "The kiosk's own bucket: one address for every visitor"
        client = self.kiosk_client()
        limit, _ = self.app.config['RATE_LIMITS']['kiosk-lookup']
        for _ in range(limit):
            client.get('/kiosk')
        self.assertEqual(client.get('/kiosk').status_code, 429)
        self.assertEqual(client.get('/pay/lookup').status_code, 200)

    def test_kiosk_flow(self):
        "Identify → what is due → card → print the receipt → start again"
        code, party_id = self.anonymous_party()
        reference, number, ids = self.decision_for(
            party_id, amounts=('75.25',))
        client = self.kiosk_client()
        page = client.get('/kiosk').get_data(as_text=True)
        self.assertIn('class="kiosk"', page)
        self.assertIn('kiosk.js', page)
        self.assertIn('data-key="7"', page)
        self.assertIn('data-idle="90"', page)
        self.assertNotIn('<script>', page)
        self.assertIn('name="reference"', page)
        response = self.post(client, '/kiosk',
            {'code': code, 'reference': reference})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.headers['Location'].endswith('/kiosk/due'))
        page = client.get('/kiosk/due').get_data(as_text=True)
        self.assertIn('75,25', page)
        self.assertNotIn('Vasilescu', page)
        # every box ticked, as the page shows them
        shown = re.search(r'name="shown" value="([^"]*)"', page).group(1)
        self.assertEqual(sorted(shown.split(',')), sorted(map(str, ids)))
        card_page = self.start_card_payment(client, '/kiosk/pay',
            {'obligations': ids, 'shown': shown}, csrf_from='/kiosk/due')
        back = pay_by_card(card_page)
        self.assertIn('/kiosk/return?token=', back)
        token = self.token_of(back)
        page = self.returned(client, back).get_data(as_text=True)
        if self.transaction_of(token)['state'] == 'pending':
            # the notification was booking it (the taxpayer's lock taken):
            # the page waits and looks again, as the kiosk's page does
            self.assertIn('http-equiv="refresh"', page)
            self.wait_paid(token)
            page = client.get('/kiosk/return').get_data(as_text=True)
        paid = self.transaction_of(token)
        self.assertEqual(paid['state'], 'paid')
        self.assertEqual(paid['channel'], 'kiosk')
        self.assertEqual(self.payments(paid['external_id']),
            [(self.payments(paid['external_id'])[0][0], 'kiosk')])
        self.assertIn('/kiosk/receipt', page)
        page = client.get('/kiosk/receipt').get_data(as_text=True)
        self.assertIn('75,25', page)
        self.assertIn('data-print', page)
        response = client.get('/kiosk/receipt.pdf')
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.data.startswith(b'%PDF'))
        # start again: the kiosk forgets everything
        response = client.get('/kiosk/reset')
        self.assertEqual(response.status_code, 302)
        self.assertEqual(client.get(
                '/kiosk/receipt').status_code, 404)
        self.assertEqual(client.get('/kiosk/due').status_code, 302)
        self.wait_delivered(paid['external_id'])
        self.assertEqual(len(self.payments(paid['external_id'])), 1)

    def test_kiosk_idle_expiry_and_wrong_pair(self):
        "An idle kiosk session expires on the server; wrong pair refused"
        code, party_id = self.anonymous_party()
        other_code, _ = self.anonymous_party()
        reference, number, ids = self.decision_for(party_id)
        client = self.kiosk_client()
        response = self.post(client, '/kiosk',
            {'code': other_code, 'reference': reference})
        self.assertEqual(response.status_code, 404)
        self.assertNotIn('200,50', response.get_data(as_text=True))
        response = self.post(client, '/kiosk',
            {'code': code, 'number': number})
        self.assertEqual(response.status_code, 422)
        response = self.post(client, '/kiosk',
            {'code': code, 'reference': reference})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(client.get('/kiosk/due').status_code, 200)
        saved = self.app.config['KIOSK_IDLE_SECONDS']
        self.app.config['KIOSK_IDLE_SECONDS'] = 1
        try:
            time.sleep(1.5)
            response = client.get('/kiosk/due')
        finally:
            self.app.config['KIOSK_IDLE_SECONDS'] = saved
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.headers['Location'].endswith('/kiosk'))
        self.assertEqual(client.get('/kiosk/due').status_code, 302)
        self.assertEqual(self.count_transactions(party_id), 0)
