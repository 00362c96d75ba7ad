# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tests of the Ghișeul.ro connector against the emulator on loopback.

Here the emulator runs in threads of the test process and nothing but the
test thread touches the database, so these tests run on SQLite too; the
flows where Ghișeul.ro calls our trytond server are in test_live.py
(PostgreSQL)."""
import datetime as dt
import tempfile
import threading
from decimal import Decimal
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import zeep
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import CompanyTestMixin, set_company
from trytond.modules.municipality.tests.tools import create_municipality
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import check_access

from .. import soap
from ..adapter import NS, ZEEP_SETTINGS, local_date
from .tools import (
    CARD_DECLINED, CNP, INSTITUTION, OUT, card_form, configure,
    create_taxpayer, free_port, open_url, pay_by_card, start_emulator)

D = Decimal
XXE = ('<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM '
    '"file:///etc/hostname">]>')
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
    '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')


def status_request(entity):
    "A GetPaymentStatus envelope whose transaction id is an entity"
    return (f'<soapenv:Envelope xmlns:soapenv="{soap.SOAP_ENV}" '
        f'xmlns:g="{NS}"><soapenv:Body><g:GetPaymentStatusRequest>'
        f'<g:institutionCode>{INSTITUTION}</g:institutionCode>'
        f'<g:transactionId>{entity}</g:transactionId>'
        '</g:GetPaymentStatusRequest></soapenv:Body></soapenv:Envelope>')


class HostileServer:
    """A SOAP server answering every call with an envelope carrying a DTD:
    an external entity or a billion laughs"""

    def __init__(self, prolog, entity):
        body = (prolog + f'<soapenv:Envelope xmlns:soapenv="{soap.SOAP_ENV}"'
            f' xmlns:g="{NS}"><soapenv:Body><g:InitiatePaymentResponse>'
            f'<g:transactionId>{entity}</g:transactionId>'
            '<g:redirectUrl>http://127.0.0.1/</g:redirectUrl>'
            '</g:InitiatePaymentResponse></soapenv:Body></soapenv:Envelope>'
            ).encode()

        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/xml')])
            return [body]

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass
        self.server = make_server('127.0.0.1', 0, app, handler_class=Quiet)
        self.url = f'http://127.0.0.1:{self.server.server_port}/soap'
        threading.Thread(target=self.server.serve_forever,
            daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class GhiseulTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Ghiseul module"
    module = 'ghiseul'

    @property
    def _skip_company_rule(self):
        return super()._skip_company_rule | {
            ('municipality.locality', 'municipality'),
            # a message naming no known institution has no company: its
            # rule allows None
            ('ghiseul.message', 'company'),
            }

    def setUp(self):
        super().setUp()
        self.emulator = start_emulator()
        self.addCleanup(self.emulator.stop)

    def setup_payer(self, endpoint=None, **values):
        company = create_municipality()
        taxpayer, obligations = create_taxpayer(company)
        configure(company, endpoint or f'{self.emulator.url}/soap', **values)
        return company, taxpayer, obligations

    def start(self, company, taxpayer, amount='200.50', **values):
        Transaction = Pool().get('ghiseul.transaction')
        return Transaction.start(company, taxpayer, D(amount),
            'https://portal.example/plata/{token}', **values)

    def messages(self):
        Message = Pool().get('ghiseul.message')
        return Message.search([], order=[('id', 'ASC')])

    def assertNothingSecret(self, texts):
        "No CNP, card number or password in the texts"
        for text in texts:
            for secret in [CNP, CARD_DECLINED, '4111111111111111',
                    OUT[1]]:
                self.assertNotIn(secret, text or '')

    # The contract

    def test_wsdl_valid(self):
        "The WSDL loads in zeep strictly, the XSD in lxml, both services"
        client = zeep.Client(str(soap.WSDL_PATH), settings=ZEEP_SETTINGS)
        operations = {name: set(port.binding._operations)
            for service in client.wsdl.services.values()
            for name, port in service.ports.items()}
        self.assertEqual(operations, {
                'InstitutionPort': {'GetObligations', 'NotifyPayment'},
                'GhiseulPort': {
                    'InitiatePayment', 'GetPaymentStatus', 'GetSettlement'},
                })
        self.assertIsNotNone(soap.schema())
        # the WSDL served inlines the schema: nothing else to fetch
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / 'served.wsdl'
            path.write_bytes(soap.wsdl('InstitutionPort', 'http://x/soap'))
            served = zeep.Client(str(path), settings=ZEEP_SETTINGS)
            port = served.wsdl.services['InstitutionService'].ports[
                'InstitutionPort']
            self.assertEqual(port.binding_options['address'],
                'http://x/soap')
        self.assertNotIn(b'schemaLocation', soap.wsdl('GhiseulPort', 'x'))

    def test_mask(self):
        "CNPs, card numbers and passwords are masked"
        text = soap.mask(
            f'<g:fiscalCode>{CNP}</g:fiscalCode> card 4111 1111 1111 1111 '
            '<wsse:Password Type="x">s3cret</wsse:Password> CUI 18547290 '
            'id GH20261123-AB12CD34EF amount 200.50')
        self.assertIn('1*********144', text)
        self.assertIn('************1111', text)
        self.assertIn('<wsse:Password Type="x">***</wsse:Password>', text)
        for kept in ['18547290', 'GH20261123-AB12CD34EF', '200.50']:
            self.assertIn(kept, text)
        self.assertNotIn('s3cret', text)
        self.assertNotIn(CNP, text)

    def test_parse_refuses_dtd(self):
        "No DTD, entity, oversized or malformed message is parsed"
        for data in [XXE + status_request('&x;'),
                LAUGHS + status_request('&d;'),
                '<?xml version="1.0"?><!DOCTYPE e []>' + status_request('x'),
                status_request('x') + ' ' * soap.MAX_SIZE,
                '<soapenv:Envelope>']:
            with self.assertRaises(soap.SoapError):
                soap.parse(data.encode())
        envelope = soap.parse(status_request('GH-1').encode())
        self.assertEqual(soap.values(soap.body_of(envelope), NS)[
                'transactionId'], 'GH-1')

    def test_emulator_refuses_dtd_and_bad_credentials(self):
        "The emulator answers faults to a DTD, an entity and bad credentials"
        url = f'{self.emulator.url}/soap'
        for data in [XXE + status_request('&x;'),
                LAUGHS + status_request('&d;')]:
            status, _, body = open_url_raw(url, data.encode())
            self.assertEqual(status, 500)
            self.assertIn(b'A DTD is not accepted.', body)
            self.assertNotIn(b'aaaaaaaaaa', body)
        # no UsernameToken, then a wrong password
        status, _, body = open_url_raw(url, status_request('GH-1').encode())
        self.assertEqual(status, 500)
        self.assertIn(b'Authentication failed.', body)
        body_element = soap.body_of(soap.parse(
                status_request('GH-1').encode()))
        status, _, body = open_url_raw(url, soap.envelope(
                body_element, OUT[0], 'wrong'))
        self.assertIn(b'Authentication failed.', body)
        status, _, body = open_url_raw(url, soap.envelope(
                body_element, *OUT))
        self.assertEqual(status, 200)
        self.assertIn(b'unknown', body)

    # Starting and polling

    @with_transaction()
    def test_start_card_page_and_status_polling(self):
        "Start, pay by card, poll the status: booked once with its receipt"
        pool = Pool()
        Payment = pool.get('local_tax.payment')
        Transaction = pool.get('ghiseul.transaction')
        company, taxpayer, obligations = self.setup_payer()
        with set_company(company):
            transaction = self.start(company, taxpayer)
            self.assertEqual(transaction.state, 'pending')
            self.assertTrue(transaction.external_id.startswith('GH'))
            self.assertTrue(transaction.redirect_url.startswith(
                    f'{self.emulator.url}/pay/'))
            self.assertEqual(transaction.return_url,
                f'https://portal.example/plata/{transaction.token}')
            back = pay_by_card(transaction.redirect_url)
            self.assertTrue(back.startswith(transaction.return_url))
            self.assertIn('status=paid', back)
            Transaction.refresh([transaction])
            transaction = Transaction(transaction.id)
            self.assertEqual(transaction.state, 'paid')
            payment = transaction.payment
            self.assertEqual((payment.amount, payment.channel,
                    payment.external_id),
                (D('200.50'), 'ghiseul', transaction.external_id))
            self.assertEqual(payment.date, local_date(transaction.paid_at))
            self.assertEqual(transaction.receipt.payment, payment)
            self.assertEqual(
                [o.balance for o in pool.get('local_tax.obligation').browse(
                        obligations)], [D(0), D(0)])
            # polled again: nothing booked twice
            Transaction.refresh([transaction])
            Transaction.confirm(company, transaction.external_id,
                D('200.50'), transaction.paid_at)
            self.assertEqual(len(Payment.search([])), 1)
            # the card page is closed once paid
            status, _, _ = open_url(transaction.redirect_url, card_form())
            self.assertEqual(status, 409)
        messages = self.messages()
        self.assertEqual([(m.operation, m.direction, m.status)
                for m in messages], [
                ('InitiatePayment', 'out', 'done'),
                ('GetPaymentStatus', 'out', 'done'),
                ])
        self.assertIn('200.50', messages[0].request)
        self.assertNothingSecret(
            [m.request for m in messages] + [m.response for m in messages])

    @with_transaction()
    def test_items_of_the_payable_handed(self):
        """The lines sent are those of the Payable the payer was shown, not
        read again on another date: shown with a month's surcharge, they
        are sent for that amount; read again today they would not match"""
        from trytond.modules.local_tax.tests.tools import load_code_tables
        pool = Pool()
        FiscalFile = pool.get('local_tax.fiscal_file')
        load_code_tables(2026)          # the surcharge rate
        company, taxpayer, obligations = self.setup_payer()
        later = obligations[0].due_date + dt.timedelta(days=1)
        with set_company(company):
            due = FiscalFile.payable(company, taxpayer, later)
            self.assertGreater(due.to_pay, D('200.50'))
            handed = self.start(company, taxpayer, due.to_pay,
                obligations=due.obligations, due=due)
            read_again = self.start(company, taxpayer, due.to_pay,
                obligations=due.obligations)
        initiated = [m.request for m in self.messages()
            if m.operation == 'InitiatePayment']
        self.assertEqual(len(initiated), 2)
        self.assertEqual(initiated[0].count('budgetCode>'), 2 * 2)
        for obligation in obligations:
            self.assertIn(f'obligationId>{obligation.id}<', initiated[0])
        self.assertNotIn('budgetCode', initiated[1])
        self.assertEqual(
            {handed.state, read_again.state}, {'pending'})

    @with_transaction()
    def test_declined_and_cancelled(self):
        "A declined card fails the transaction, a cancelled one cancels it"
        Transaction = Pool().get('ghiseul.transaction')
        company, taxpayer, _ = self.setup_payer()
        with set_company(company):
            declined = self.start(company, taxpayer, '120.00')
            back = pay_by_card(declined.redirect_url, CARD_DECLINED)
            self.assertIn('status=declined', back)
            given_up = self.start(company, taxpayer, '80.50')
            status, headers, _ = open_url(
                f'{given_up.redirect_url}/cancel', {})
            self.assertIn('status=cancelled', headers['Location'])
            Transaction.refresh([declined, given_up])
            self.assertEqual(
                [Transaction(declined.id).state,
                    Transaction(given_up.id).state],
                ['failed', 'cancelled'])
            self.assertFalse(Pool().get('local_tax.payment').search([]))

    @with_transaction()
    def test_card_form_checked(self):
        "A wrong card number, expiry or CVV is refused and not echoed"
        company, taxpayer, _ = self.setup_payer()
        with set_company(company):
            transaction = self.start(company, taxpayer)
        for key, value in [('card_number', '4111111111111112'),
                ('expiry', '01/20'), ('cvv', '12'), ('holder', ' ')]:
            form = card_form()
            form[key] = value
            status, _, body = open_url(transaction.redirect_url, form)
            self.assertEqual(status, 400)
            self.assertIn(b'role="alert"', body)
            self.assertNotIn(b'4111111111111112', body)
        self.assertEqual(self.emulator.state.payment(
                transaction.external_id)['status'], 'pending')
        self.assertNotIn('card', self.emulator.state.payment(
                transaction.external_id).keys())

    @with_transaction()
    def test_start_refused(self):
        "Bad input is refused before anything is sent"
        Transaction = Pool().get('ghiseul.transaction')
        company, taxpayer, obligations = self.setup_payer()
        other = create_municipality(
            name="Municipiul Cluj-Napoca", cui='4305857', uat='54975',
            seat='54984', village='54984')
        with set_company(company):
            for amount in ['0', '-5', '10.005']:
                with self.assertRaises(UserError):
                    self.start(company, taxpayer, amount)
            with self.assertRaises(UserError):
                self.start(company, taxpayer, channel='cash')
            with self.assertRaises(UserError):
                self.start(other, taxpayer)
            stranger, _ = create_taxpayer(company, cnp='2900202221157')
            with self.assertRaises(UserError):
                self.start(company, stranger, obligations=obligations)
        self.assertFalse(Transaction.search([]))
        self.assertFalse(self.messages())

    @with_transaction()
    def test_unreachable_retried_with_backoff(self):
        "No answer: the call is repeated with back-off, then it fails"
        company, taxpayer, _ = self.setup_payer(
            endpoint=f'http://127.0.0.1:{free_port()}/soap', retries=2,
            backoff='0.1')
        with set_company(company):
            start = dt.datetime.now()
            transaction = self.start(company, taxpayer)
            elapsed = (dt.datetime.now() - start).total_seconds()
        self.assertEqual(transaction.state, 'failed')
        self.assertIn('ConnectionError', transaction.error)
        self.assertGreaterEqual(elapsed, 0.3)   # 0.1 + 0.2 s of back-off
        self.assertEqual([(m.operation, m.status) for m in self.messages()],
            [('InitiatePayment', 'error')] * 3)

    @with_transaction()
    def test_bad_credentials_out(self):
        "Ghișeul.ro refuses our credentials: the fault is not repeated"
        Configuration = Pool().get('ghiseul.configuration')
        company, taxpayer, _ = self.setup_payer(retries=3)
        configuration, = Configuration.search([])
        configuration.out_password = 'wrong'
        configuration.save()
        with set_company(company):
            transaction = self.start(company, taxpayer)
        self.assertEqual(transaction.state, 'failed')
        self.assertIn('Authentication failed.', transaction.error)
        message, = self.messages()
        self.assertNotIn('wrong', message.request)

    @with_transaction()
    def test_hostile_answers_refused(self):
        "An answer with an external entity or a billion laughs is refused"
        Configuration = Pool().get('ghiseul.configuration')
        company, taxpayer, _ = self.setup_payer()
        for prolog, entity in [(XXE, '&x;'), (LAUGHS, '&d;')]:
            server = HostileServer(prolog, entity)
            self.addCleanup(server.stop)
            Configuration.write(Configuration.search([]),
                {'endpoint_url': server.url})
            with set_company(company):
                transaction = self.start(company, taxpayer)
            self.assertEqual(transaction.state, 'failed')
            self.assertIn('DTDForbidden', transaction.error)
            self.assertIsNone(transaction.external_id)

    # Confirmations

    @with_transaction()
    def test_payment_not_started_here(self):
        "A payment made on ghiseul.ro after a lookup pays its obligations"
        pool = Pool()
        Transaction = pool.get('ghiseul.transaction')
        company, taxpayer, (building, fee) = self.setup_payer()
        paid_at = dt.datetime(2026, 11, 20, 22, 30)  # 21 Nov in Bucharest
        with set_company(company):
            transaction = Transaction.confirm(company, 'GH-LOOKUP-1',
                D('80.50'), paid_at, fiscal_code=CNP, payer_name="Ana",
                items=[{'obligation': str(fee.id), 'amount': D('80.50')}])
        self.assertEqual((transaction.initiated_by, transaction.state),
            ('ghiseul', 'paid'))
        self.assertEqual(list(transaction.obligations), [fee])
        self.assertEqual(transaction.payment.date, dt.date(2026, 11, 21))
        self.assertEqual(transaction.receipt.payer_name, "Ana")
        self.assertEqual(pool.get('local_tax.obligation')(fee.id).balance,
            D(0))
        self.assertEqual(
            pool.get('local_tax.obligation')(building.id).balance,
            D('120.00'))

    @with_transaction()
    def test_confirmation_contradicting_refused(self):
        "Another amount or an unknown taxpayer is refused, nothing booked"
        Transaction = Pool().get('ghiseul.transaction')
        company, taxpayer, _ = self.setup_payer()
        with set_company(company):
            transaction = self.start(company, taxpayer)
            with self.assertRaises(UserError):
                Transaction.confirm(company, transaction.external_id,
                    D('200.49'), dt.datetime(2026, 11, 20, 10))
            with self.assertRaises(UserError):
                Transaction.confirm(company, 'GH-OTHER', D('10'),
                    dt.datetime(2026, 11, 20, 10), fiscal_code='1111111111118')
        self.assertFalse(Pool().get('local_tax.payment').search([]))

    @with_transaction()
    def test_records_not_changed_by_clients(self):
        "Transactions and messages are not changed from a client"
        pool = Pool()
        Transaction = pool.get('ghiseul.transaction')
        Message = pool.get('ghiseul.message')
        company, taxpayer, _ = self.setup_payer()
        with set_company(company):
            transaction = self.start(company, taxpayer)
        with check_access(), self.assertRaises(AccessError):
            Transaction.write([transaction], {'amount': D('1')})
        with check_access(), self.assertRaises(AccessError):
            Transaction.delete([transaction])
        with self.assertRaises(AccessError):
            Message.write(Message.search([]), {'status': 'done'})

    # Settlement

    @with_transaction()
    def test_settlement_reconciliation(self):
        "Each kind of difference between the settlement and our books"
        pool = Pool()
        Transaction = pool.get('ghiseul.transaction')
        Payment = pool.get('local_tax.payment')
        Settlement = pool.get('ghiseul.settlement')
        company, taxpayer, _ = self.setup_payer()
        with set_company(company):
            matched = self.start(company, taxpayer, '50.00')
            missing = self.start(company, taxpayer, '20.00')
            differs = self.start(company, taxpayer, '30.00')
            for transaction in [matched, missing, differs]:
                pay_by_card(transaction.redirect_url)
            Transaction.refresh([matched])
            # booked by hand with a wrong amount
            Payment.receive(company, taxpayer, D('29.00'),
                local_date(matched.paid_at), 'ghiseul',
                external_id=differs.external_id)
            # confirmed here, unknown to Ghișeul.ro
            unknown = Transaction.confirm(company, 'GH-NOT-SETTLED',
                D('10.00'), Transaction(matched.id).paid_at,
                fiscal_code=CNP)
            date = local_date(Transaction(matched.id).paid_at)
            settlement = Settlement.fetch_day(company, date)
        self.assertEqual(settlement.state, 'fetched')
        statuses = {l.external_id: (l.status, l.reported_amount,
                l.booked_amount) for l in settlement.lines}
        self.assertEqual(statuses, {
                matched.external_id: ('matched', D('50.00'), D('50.00')),
                missing.external_id: ('missing_books', D('20.00'), None),
                differs.external_id: (
                    'amount_differs', D('30.00'), D('29.00')),
                unknown.external_id: ('missing_settlement', None, D('10.00')),
                })
        self.assertEqual((settlement.reported_total, settlement.booked_total,
                settlement.commission_total, settlement.mismatches),
            (D('100.00'), D('89.00'), D('1.00'), 3))
        # fetched again: the same lines, not twice
        with set_company(company):
            Settlement.fetch([settlement])
        self.assertEqual(len(Settlement(settlement.id).lines), 4)

    @with_transaction()
    def test_settlement_unreachable(self):
        "A settlement that cannot be fetched is failed, with the error"
        Settlement = Pool().get('ghiseul.settlement')
        company, _, _ = self.setup_payer(
            endpoint=f'http://127.0.0.1:{free_port()}/soap', retries=0)
        with set_company(company):
            settlement = Settlement.fetch_day(company, dt.date(2026, 11, 1))
        self.assertEqual(settlement.state, 'failed')
        self.assertTrue(settlement.error)


def open_url_raw(url, data):
    "POST raw bytes as text/xml"
    import urllib.error
    import urllib.request
    request = urllib.request.Request(url, data=data,
        headers={'Content-Type': 'text/xml; charset=utf-8'})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


del ModuleTestCase
