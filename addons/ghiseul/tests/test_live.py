# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Ghișeul.ro calling our trytond server (PostgreSQL only).

A committed copy of the test database is served by trytond on loopback;
the emulator (in threads, or as a process that is killed) notifies it, and
zeep plays Ghișeul.ro for lookups and replayed notifications."""
import datetime as dt
import tempfile
import threading
import urllib.request
from decimal import Decimal
from pathlib import Path

import zeep
import zeep.exceptions
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from trytond.modules.company.tests import set_company
from trytond.pool import Pool

from ..adapter import NS, ZEEP_SETTINGS
from .test_module import LAUGHS, XXE, open_url_raw
from .tools import (
    CNP, IN, INSTITUTION, EmulatorProcess, LiveTestCase, configure,
    create_taxpayer, free_port, open_url, pay_by_card, start_emulator,
    wait_for)

D = Decimal


class GhiseulLiveTestCase(LiveTestCase):
    "Test Ghișeul.ro calling the trytond server"
    suffix = 'ghiseul_live'

    def setUp(self):
        super().setUp()
        self.emulator = start_emulator(notify_url=self.endpoint)
        self.addCleanup(self.emulator.stop)

    def setup_payer(self, cnp=CNP, endpoint=None):
        from trytond.modules.municipality.tests.tools import (
            create_municipality)

        def setup():
            Configuration = Pool().get('ghiseul.configuration')
            configurations = Configuration.search([])
            if configurations:
                company = configurations[0].company
                Configuration.write(configurations, {
                        'endpoint_url': endpoint
                        or f'{self.emulator.url}/soap'})
            else:
                company = create_municipality()
                configure(company, endpoint or f'{self.emulator.url}/soap')
            taxpayer, obligations = create_taxpayer(company, cnp=cnp)
            return company.id, taxpayer.id, [o.id for o in obligations]
        return self.run_committed(setup)

    def start(self, company_id, taxpayer_id, amount):
        def start():
            pool = Pool()
            Transaction = pool.get('ghiseul.transaction')
            company = pool.get('company.company')(company_id)
            with set_company(company):
                transaction = Transaction.start(company,
                    pool.get('party.party')(taxpayer_id), D(amount),
                    'https://portal.example/plata?x=1')
            return transaction.id, transaction.external_id, \
                transaction.redirect_url
        return self.run_committed(start)

    def booked(self, external_id):
        "(payments, receipts, transaction state) of the transaction id"
        def read():
            pool = Pool()
            Payment = pool.get('local_tax.payment')
            Receipt = pool.get('local_tax.receipt')
            Transaction = pool.get('ghiseul.transaction')
            payments = Payment.search([('external_id', '=', external_id)])
            receipts = Receipt.search(
                [('payment', 'in', [p.id for p in payments])])
            transactions = Transaction.search(
                [('external_id', '=', external_id)])
            return ([(p.amount, p.channel) for p in payments],
                [r.rec_name for r in receipts],
                [t.state for t in transactions])
        return self.run_committed(read)

    def messages(self, **domain):
        def read():
            Message = Pool().get('ghiseul.message')
            return [(m.operation, m.direction, m.status, m.request or '',
                    m.response or '', m.error or '')
                for m in Message.search(
                    [(k, '=', v) for k, v in domain.items()],
                    order=[('id', 'ASC')])]
        return self.run_committed(read)

    def ghiseul(self, password=IN[1]):
        "zeep playing Ghișeul.ro, from the WSDL our server serves"
        client = zeep.Client(f'{self.endpoint}?wsdl', settings=ZEEP_SETTINGS,
            transport=Transport(timeout=30, operation_timeout=30),
            wsse=UsernameToken(IN[0], password))
        return client.service

    # Lookup and authentication

    def test_wsdl_and_lookup(self):
        "Ghișeul.ro reads our WSDL and looks up a CNP's obligations"
        self.setup_payer(cnp='1800101221144')
        service = self.ghiseul()
        answer = service.GetObligations(
            institutionCode=INSTITUTION, fiscalCode='1800101221144')
        self.assertTrue(answer.found)
        self.assertEqual(answer.taxpayerName, "Popescu Ion")
        lines = [(o.budgetCode, o.description, o.total)
            for o in answer.obligation]
        self.assertIn(('07.02.01.01', "Impozit clădiri", D('120.00')), lines)
        self.assertIn(('16.02.50', "Taxă salubrizare", D('80.50')), lines)
        self.assertEqual(answer.toPay, sum(l[2] for l in lines))
        answer = service.GetObligations(
            institutionCode=INSTITUTION, fiscalCode='1111111111118')
        self.assertEqual((answer.found, answer.obligation, answer.toPay),
            (False, [], D('0.00')))
        self.assertNotIn('1800101221144', str(self.messages(
                    operation='lookup')))

    def test_bad_credentials_refused(self):
        "A wrong password or an unknown institution gets a fault"
        self.setup_payer(cnp='2900202221157')
        service = self.ghiseul(password='wrong')
        with self.assertRaises(zeep.exceptions.Fault) as cm:
            service.GetObligations(
                institutionCode=INSTITUTION, fiscalCode='2900202221157')
        self.assertEqual(cm.exception.message, "Authentication failed.")
        with self.assertRaises(zeep.exceptions.Fault):
            self.ghiseul().GetObligations(
                institutionCode='OTHER', fiscalCode='2900202221157')
        refused = [m for m in self.messages() if m[2] == 'refused']
        self.assertGreaterEqual(len(refused), 2)
        self.assertNotIn('wrong', str(refused))

    def test_dtd_refused(self):
        "An external entity or a billion laughs gets a fault, nothing read"
        body = (f'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.'
            f'org/soap/envelope/" xmlns:g="{NS}"><soapenv:Body>'
            '<g:GetObligationsRequest><g:institutionCode>{e}'
            '</g:institutionCode><g:fiscalCode>1800101221144</g:fiscalCode>'
            '</g:GetObligationsRequest></soapenv:Body></soapenv:Envelope>')
        hostname = Path('/etc/hostname').read_text().strip() \
            if Path('/etc/hostname').exists() else 'no-hostname'
        for data in [XXE + body.format(e='&x;'),
                LAUGHS + body.format(e='&d;')]:
            status, _, answer = open_url_raw(self.endpoint, data.encode())
            self.assertEqual(status, 500)
            self.assertIn(b'A DTD is not accepted.', answer)
            self.assertNotIn(b'aaaaaaaaaa', answer)
            if len(hostname) > 3:
                self.assertNotIn(hostname.encode(), answer)
        status, _, _ = open_url_raw(
            self.endpoint, b'x' * (600 * 1024))
        self.assertEqual(status, 413)

    # Payments

    def test_card_payment_notified_and_replayed(self):
        """Start → card page → notification: booked once with its receipt;
        the same notification replayed 3 times at once → one payment"""
        company_id, taxpayer_id, _ = self.setup_payer(cnp='1700101221148')
        _, external_id, redirect_url = self.start(
            company_id, taxpayer_id, '200.50')
        pay_by_card(redirect_url)
        wait_for(lambda: self.booked(external_id)[2] == ['paid'], 60,
            "the notification to be booked")
        payments, receipts, _ = self.booked(external_id)
        self.assertEqual(payments, [(D('200.50'), 'ghiseul')])
        self.assertEqual(len(receipts), 1)
        delivered = self.emulator.state.notification(external_id)
        self.assertIsNotNone(delivered['delivered_at'])

        row = self.emulator.state.payment(external_id)
        service = self.ghiseul()
        answers, errors = [], []
        barrier = threading.Barrier(3)

        def replay():
            try:
                barrier.wait(timeout=30)
                answers.append(service.NotifyPayment(
                        institutionCode=INSTITUTION,
                        transactionId=external_id, orderId=row['order_id'],
                        fiscalCode=row['fiscal_code'], amount=D('200.50'),
                        paidAt=dt.datetime.fromisoformat(row['paid_at'])))
            except Exception as exception:
                errors.append(exception)
        threads = [threading.Thread(target=replay) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertEqual(errors, [])
        self.assertEqual({(a.accepted, a.receiptNumber) for a in answers},
            {(True, receipts[0])})
        # and once more by the emulator itself
        self.emulator.state.renotify(external_id)
        wait_for(lambda: self.emulator.state.notification(
                external_id)['delivered_at'], 30, "the renotification")
        self.assertEqual(self.booked(external_id),
            (payments, receipts, ['paid']))
        self.assertNotIn('1700101221148',
            str(self.messages(reference=external_id)))

    def test_notification_of_another_taxpayer_parked(self):
        """A notification carrying one taxpayer's transaction and another's
        CNP is refused, books nothing and parks the transaction for the
        clerk"""
        company_id, taxpayer_id, _ = self.setup_payer(cnp='1710101221146')
        self.setup_payer(cnp='2720202221150')
        _, external_id, redirect_url = self.start(
            company_id, taxpayer_id, '200.50')
        row = self.emulator.state.payment(external_id)
        service = self.ghiseul()
        with self.assertRaises(zeep.exceptions.Fault) as cm:
            service.NotifyPayment(
                institutionCode=INSTITUTION, transactionId=external_id,
                orderId=row['order_id'], fiscalCode='2720202221150',
                amount=D('200.50'),
                paidAt=dt.datetime(2026, 11, 20, 10, 0))
        self.assertIn('reconcil', cm.exception.message)
        self.assertEqual(self.booked(external_id), ([], [], ['reconcile']))
        refused = [m for m in self.messages(reference=external_id)
            if m[2] == 'refused']
        self.assertEqual(len(refused), 1)
        # the right taxpayer's notification after it does not book either:
        # the clerk reconciles
        with self.assertRaises(zeep.exceptions.Fault):
            service.NotifyPayment(
                institutionCode=INSTITUTION, transactionId=external_id,
                orderId=row['order_id'], fiscalCode='1710101221146',
                amount=D('200.50'),
                paidAt=dt.datetime(2026, 11, 20, 10, 0))
        self.assertEqual(self.booked(external_id), ([], [], ['reconcile']))

    def test_emulator_killed_before_notification(self):
        """The emulator is killed (-9) after the card is authorised and
        before it notifies; restarted on its state file it delivers the
        notification: booked once, nothing lost"""
        state = Path(tempfile.mkdtemp(prefix='ghiseul-kill-')) / 'state.db'
        port = free_port()
        emulator = EmulatorProcess(state, port, self.endpoint,
            notify_delay=3600)
        self.addCleanup(emulator.stop)
        company_id, taxpayer_id, _ = self.setup_payer(
            cnp='2800101221146', endpoint=f'{emulator.url}/soap')
        transaction_id, external_id, redirect_url = self.start(
            company_id, taxpayer_id, '120.00')
        pay_by_card(redirect_url)
        emulator.kill()
        self.assertEqual(self.booked(external_id), ([], [], ['pending']))
        self.assertNotIn('4111', emulator.output())
        self.assertNotIn('2800101221146', emulator.output())

        emulator = EmulatorProcess(state, port, self.endpoint)
        self.addCleanup(emulator.stop)
        wait_for(lambda: self.booked(external_id)[2] == ['paid'], 60,
            "the resumed notification to be booked")
        payments, receipts, _ = self.booked(external_id)
        self.assertEqual(payments, [(D('120.00'), 'ghiseul')])
        self.assertEqual(len(receipts), 1)
        # the status says paid; polling it books nothing more
        def refresh():
            Transaction = Pool().get('ghiseul.transaction')
            Transaction.refresh_pending()
            Transaction.refresh([Transaction(transaction_id)])
        self.run_committed(refresh)
        self.assertEqual(self.booked(external_id),
            (payments, receipts, ['paid']))
        emulator.stop()
        self.assertNotIn('4111', emulator.output())


del LiveTestCase, urllib, open_url
