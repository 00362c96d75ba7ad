# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The account's home with what is due, the payment e-mail, the privacy
policy and the accessibility statement, the phone menu, the kiosk's choice
of what to pay and the card page's keypad — each with two citizens and an
anonymous visitor where they show data."""
import re
from decimal import Decimal

from lxml import html

from .mailcatcher import MailCatcher
from .pay_tools import PaymentTestCase, pay_by_card, path_of
from .tools import committed, new_cnp


class PagesTestCase(PaymentTestCase):
    "Test the pages of issue 11"

    def anonymous_party(self):
        from trytond.modules.municipality.tests.tools import create_person
        code = new_cnp()
        with committed():
            party = create_person("Vasilescu", "Maria", cnp=code)
            party_id = party.id
        return code, party_id

    def test_home_summary_of_what_is_due(self):
        "A sees its total, next due date and a link to pay; B and anonymous not"
        client_a, _, party_a = self.citizen()
        client_b, _, party_b = self.citizen()
        number, ids = self.obligations_for(party_a, due_in=20)
        with committed() as pool:
            Obligation = pool.get('local_tax.obligation')
            due_date = Obligation(ids[0]).due_date.strftime('%d.%m.%Y')
        page = client_a.get('/').get_data(as_text=True)
        tree = html.fromstring(page)
        summary, = tree.xpath(f'//*[@id="due-{party_a}"]')
        text = summary.text_content()
        self.assertIn('200,50', text)
        self.assertIn(due_date, text)
        self.assertEqual(summary.xpath('.//a/@href'),
            [f'/pay?party={party_a}'])
        page_b = client_b.get('/').get_data(as_text=True)
        self.assertNotIn('200,50', page_b)
        self.assertNotIn(f'due-{party_a}', page_b)
        self.assertIn('Nimic nu este de plată', page_b)
        self.assertNotIn('200,50', self.client().get('/').get_data(
                as_text=True))
        # the link pays only for A
        self.assertEqual(client_b.get(f'/pay?party={party_a}').status_code,
            404)

    def payment_mails(self, email):
        return [m for m in self.mail.to(email)
            if 'Ghișeul.ro' in MailCatcher.text(m)]

    def test_payment_mail(self):
        """After the booking: one mail to the account that paid, in its
        language; none for a declined card; B gets nothing"""
        from trytond.modules.ghiseul.tests.tools import CARD_DECLINED
        client, email, party_id = self.citizen()
        other, email_b, party_b = self.citizen()
        with committed() as pool:
            WebUser = pool.get('web.user')
            user, = WebUser.search([('email', '=', email)])
            user.language = 'hu'
            user.save()
        self.obligations_for(party_id)
        back = pay_by_card(self.start_card_payment(client, '/pay',
                {'party': party_id}, csrf_from='/pay'), CARD_DECLINED)
        self.returned(client, back)
        self.assertEqual(self.payment_mails(email), [])
        back = pay_by_card(self.start_card_payment(client, '/pay',
                {'party': party_id}, csrf_from='/pay'))
        paid = self.wait_paid(self.token_of(back))
        self.returned(client, back)
        self.wait_delivered(paid['external_id'])
        mails = self.payment_mails(email)
        self.assertEqual(len(mails), 1)
        text = MailCatcher.text(mails[0])
        self.assertIn('200,50', text)
        self.assertIn(paid['external_id'], text)
        self.assertIn('Befizetés', mails[0]['Subject'])
        self.assertEqual(self.payment_mails(email_b), [])

    def test_payment_mail_kiosk_to_validated_account(self):
        "A kiosk payment: the validated account of the taxpayer is told"
        client, email, party_id = self.citizen(validated=True)
        claimant, email_c, _ = self.citizen(known=False)
        with committed() as pool:
            code = pool.get('party.party')(party_id).fiscal_code
            WebUser = pool.get('web.user')
            # an account that only claims the code is not told
            user, = WebUser.search([('email', '=', email_c)])
            WebUser.write([user], {'claimed_code': code})
        reference, number, ids = self.decision_for(party_id)
        kiosk = self.kiosk_client()
        self.post(kiosk, '/kiosk', {'code': code, 'reference': reference})
        page = kiosk.get('/kiosk/due').get_data(as_text=True)
        shown = re.search(r'name="shown" value="([^"]*)"', page).group(1)
        response = self.post(kiosk, '/kiosk/pay',
            {'obligations': ids, 'shown': shown}, csrf_from='/kiosk/due')
        self.assertEqual(response.status_code, 303)
        paid = self.wait_paid(self.token_of(pay_by_card(
                    response.headers['Location'])))
        self.wait_delivered(paid['external_id'])
        self.assertEqual(len(self.payment_mails(email)), 1)
        self.assertEqual(self.payment_mails(email_c), [])

    def test_kiosk_choose_what_to_pay(self):
        """One box of two: its total first, then the card page with the
        on-screen keypad; another decision's obligation is a 404"""
        code, party_id = self.anonymous_party()
        reference, number, ids = self.decision_for(party_id)
        _, _, other_ids = self.decision_for(self.anonymous_party()[1])
        kiosk = self.kiosk_client()
        self.post(kiosk, '/kiosk', {'code': code, 'reference': reference})
        page = kiosk.get('/kiosk/due').get_data(as_text=True)
        tree = html.fromstring(page)
        boxes = tree.xpath('//input[@name="obligations"]')
        self.assertEqual(sorted(int(b.get('value')) for b in boxes),
            sorted(ids))
        self.assertTrue(all(b.get('checked') is not None for b in boxes))
        self.assertIn('200,50', page)
        # no link leaves the kiosk: every link stays under /kiosk or the page
        for href in tree.xpath('//a/@href'):
            self.assertTrue(href.startswith(('/kiosk', '?', '#')),
                href)
        shown = ','.join(sorted(map(str, ids)))
        # no box ticked: said, nothing started
        for path in ['/kiosk/due', '/kiosk/pay']:
            response = self.post(kiosk, path, {'shown': shown},
                csrf_from='/kiosk/due')
            self.assertEqual(response.status_code, 422, path)
            self.assertIn('Bifați cel puțin', response.get_data(as_text=True))
        response = self.post(kiosk, '/kiosk/pay',
            {'obligations': ids[:1], 'shown': shown}, csrf_from='/kiosk/due')
        self.assertEqual(response.status_code, 200)
        page = response.get_data(as_text=True)
        self.assertIn('120,00', page)
        self.assertEqual(self.count_transactions(party_id), 0)
        response = self.post(kiosk, '/kiosk/pay',
            {'obligations': other_ids[:1], 'shown': str(other_ids[0])},
            csrf_from='/kiosk/due')
        self.assertEqual(response.status_code, 404)
        response = self.post(kiosk, '/kiosk/pay',
            {'obligations': ids[:1], 'shown': str(ids[0])},
            csrf_from='/kiosk/due')
        self.assertEqual(response.status_code, 303)
        card_page = response.headers['Location']
        self.assertIn('keypad=1', card_page)
        import urllib.request
        with urllib.request.urlopen(card_page) as answer:
            card = answer.read().decode()
        self.assertIn('data-key="7"', card)
        self.assertIn('?keypad=1', card)
        with committed() as pool:
            transaction, = pool.get('ghiseul.transaction').search(
                [('taxpayer', '=', party_id)])
            self.assertEqual(transaction.amount, Decimal('120.00'))
            self.assertEqual(transaction.channel, 'kiosk')

    def count_transactions(self, party_id):
        with committed() as pool:
            return pool.get('ghiseul.transaction').search_count(
                [('taxpayer', '=', party_id)])

    def test_privacy_and_accessibility(self):
        "Public, linked from every page's footer, in ro, hu and en"
        client, _, _ = self.citizen()
        with committed() as pool:
            name = pool.get('company.company')(self.company_id).rec_name
        for visitor in [client, self.client()]:
            footer = html.fromstring(visitor.get('/').get_data(
                    as_text=True)).xpath('//footer//a/@href')
            self.assertIn('/privacy', footer)
            self.assertIn('/accessibility', footer)
        for path, words in [
                ('/privacy', {'ro': '2016/679', 'hu': 'Adatvédelmi',
                        'en': 'Privacy policy'}),
                ('/accessibility', {'ro': 'OUG 112/2018',
                        'hu': 'Akadálymentességi', 'en': 'EN 301 549'})]:
            for lang, word in words.items():
                with self.subTest(path=path, lang=lang):
                    response = self.client().get(f'{path}?lang={lang}')
                    self.assertEqual(response.status_code, 200)
                    page = response.get_data(as_text=True)
                    self.assertIn(name, page)
                    self.assertIn(word, page)
                    self.assertIn(f'lang="{lang}"', page)

    def test_menu_button(self):
        "A disclosure button for the main menu, hidden until the script runs"
        page = self.client().get('/').get_data(as_text=True)
        tree = html.fromstring(page)
        button, = tree.xpath('//button[@id="menu-button"]')
        self.assertEqual(button.get('aria-controls'), 'main-menu')
        self.assertEqual(button.get('aria-expanded'), 'false')
        self.assertIsNotNone(button.get('hidden'))
        self.assertTrue(tree.xpath('//nav[@id="main-menu"]'))
        self.assertIn('/static/portal.js', page)
