# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Paying through Ghișeul.ro from the portal, without an account and at
the kiosk: the real emulator, its card page, its notification to a real
trytond endpoint, the status poll; booked exactly once."""
import time

from .pay_tools import PaymentTestCase, pay_by_card, path_of
from .tools import committed, new_cnp


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
        response = client.get(path_of(back))
        page = response.get_data(as_text=True)
        self.assertEqual(response.status_code, 200, page)
        self.assertIn('200,50', page)
        self.assertIn(f'/pay/receipt/{token}.pdf', page)
        response = client.get(f'/pay/receipt/{token}.pdf')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.mimetype, 'application/pdf')
        self.assertTrue(response.data.startswith(b'%PDF'))
        self.assertEqual(len(self.payments(paid['external_id'])), 1)
        # nothing is due any more
        page = client.get('/pay').get_data(as_text=True)
        self.assertNotIn('Impozit clădiri', page)

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
        response = client.get(path_of(back))
        self.assertEqual(response.status_code, 200)
        paid = self.transaction_of(token)
        self.assertEqual(paid['state'], 'paid')
        self.assertEqual(self.payments(paid['external_id']),
            [(paid and self.payments(paid['external_id'])[0][0], 'ghiseul')])
        self.assertEqual(self.payments(paid['external_id'])[0][0], 120)
        # the late notification and a second return change nothing
        self.emulator.state.renotify(paid['external_id'])
        self.wait_delivered(paid['external_id'])
        client.get(path_of(back))
        self.assertEqual(len(self.payments(paid['external_id'])), 1)

    def test_declined(self):
        "A declined card: failed, nothing booked, no receipt"
        from trytond.modules.ghiseul.tests.tools import CARD_DECLINED
        client, email, party_id = self.citizen()
        self.obligations_for(party_id)
        back = pay_by_card(self.pay_logged_in(client, party_id),
            CARD_DECLINED)
        token = self.token_of(back)
        response = client.get(path_of(back))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.transaction_of(token)['state'], 'failed')
        self.assertIn('Refuzat', response.get_data(as_text=True))
        self.assertEqual(client.get(
                f'/pay/receipt/{token}.pdf').status_code, 404)

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
        back = response.headers['Location']
        self.assertIn('/pay/return/', back)
        page = client.get(path_of(back)).get_data(as_text=True)
        self.assertIn('nu a putut fi contactat', page)
        paid = self.transaction_of(self.token_of(back))
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
        for client in [client_b, anonymous]:
            for path in [path_of(back), f'/pay/return/{token}',
                    f'/pay/receipt/{token}.pdf',
                    f'/kiosk/return/{token}', f'/kiosk/receipt/{token}',
                    f'/kiosk/receipt/{token}.pdf']:
                with self.subTest(path=path):
                    self.assertEqual(client.get(path).status_code, 404)
        self.assertEqual(client_a.get(
                f'/pay/receipt/{token}.pdf').status_code, 200)

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
        "Decision number + CNP → only the amount → card → receipt"
        code, party_id = self.anonymous_party()
        number, ids = self.obligations_for(party_id, amounts=('55.00',))
        client = self.client()
        response = self.post(client, '/pay/lookup',
            {'number': number, 'code': code})
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
        response = client.get(path_of(back))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(client.get(
                f'/pay/receipt/{token}.pdf').status_code, 200)
        # only the browser session that paid
        other = self.client()
        self.assertEqual(other.get(
                f'/pay/receipt/{token}.pdf').status_code, 404)
        self.assertEqual(other.get(path_of(back)).status_code, 404)
        # paid: nothing due, the same answer as a wrong pair
        response = self.post(self.client(), '/pay/lookup',
            {'number': number, 'code': code})
        self.assertEqual(response.status_code, 404)

    def test_pay_without_account_wrong_pair(self):
        "A wrong pair is answered as an unknown one, nothing personal"
        code, party_id = self.anonymous_party()
        other_code, other_id = self.anonymous_party()
        number, ids = self.obligations_for(party_id)
        client = self.client()

        def answer(number, code):
            response = self.post(client, '/pay/lookup',
                {'number': number, 'code': code})
            page = response.get_data(as_text=True)
            return response.status_code, page.replace(number, '')
        wrong = answer(number, other_code)
        unknown = answer('1999/424242', other_code)
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

    def test_kiosk_rate_limited(self):
        "The kiosk's own bucket: one address for every visitor"
        client = self.client()
        limit, _ = self.app.config['RATE_LIMITS']['kiosk-lookup']
        for _ in range(limit):
            client.get('/kiosk')
        self.assertEqual(client.get('/kiosk').status_code, 429)
        self.assertEqual(client.get('/pay/lookup').status_code, 200)

    def test_kiosk_flow(self):
        "Identify → what is due → card → print the receipt → start again"
        code, party_id = self.anonymous_party()
        number, ids = self.obligations_for(party_id, amounts=('75.25',))
        client = self.client()
        page = client.get('/kiosk').get_data(as_text=True)
        self.assertIn('class="kiosk"', page)
        self.assertIn('kiosk.js', page)
        self.assertIn('data-key="7"', page)
        self.assertIn('data-idle="90"', page)
        self.assertNotIn('<script>', page)
        response = self.post(client, '/kiosk',
            {'code': code, 'number': number})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.headers['Location'].endswith('/kiosk/due'))
        page = client.get('/kiosk/due').get_data(as_text=True)
        self.assertIn('75,25', page)
        self.assertNotIn('Vasilescu', page)
        card_page = self.start_card_payment(client, '/kiosk/pay', {},
            csrf_from='/kiosk/due')
        back = pay_by_card(card_page)
        self.assertIn('/kiosk/return/', back)
        token = self.token_of(back)
        page = client.get(path_of(back)).get_data(as_text=True)
        paid = self.transaction_of(token)
        self.assertEqual(paid['state'], 'paid')
        self.assertEqual(paid['channel'], 'kiosk')
        self.assertEqual(self.payments(paid['external_id']),
            [(self.payments(paid['external_id'])[0][0], 'kiosk')])
        self.assertIn(f'/kiosk/receipt/{token}', page)
        page = client.get(f'/kiosk/receipt/{token}').get_data(as_text=True)
        self.assertIn('75,25', page)
        self.assertIn('data-print', page)
        response = client.get(f'/kiosk/receipt/{token}.pdf')
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.data.startswith(b'%PDF'))
        # start again: the kiosk forgets everything
        response = client.get('/kiosk/reset')
        self.assertEqual(response.status_code, 302)
        self.assertEqual(client.get(
                f'/kiosk/receipt/{token}').status_code, 404)
        self.assertEqual(client.get('/kiosk/due').status_code, 302)
        self.wait_delivered(paid['external_id'])
        self.assertEqual(len(self.payments(paid['external_id'])), 1)

    def test_kiosk_idle_expiry_and_wrong_pair(self):
        "An idle kiosk session expires on the server; wrong pair refused"
        code, party_id = self.anonymous_party()
        other_code, _ = self.anonymous_party()
        number, ids = self.obligations_for(party_id)
        client = self.client()
        response = self.post(client, '/kiosk',
            {'code': other_code, 'number': number})
        self.assertEqual(response.status_code, 404)
        self.assertNotIn('200,50', response.get_data(as_text=True))
        response = self.post(client, '/kiosk',
            {'code': code, 'number': number})
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
