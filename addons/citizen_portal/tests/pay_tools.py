# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Fixtures of the payment and document tests of the portal: the Ghișeul.ro
emulator and a trytond server on loopback for its notifications (the
ghiseul module's test helpers), the municipality's signing certificate (the
document_signature test PKI), tax decisions with open obligations."""
import datetime as dt
import secrets
import threading
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from trytond.modules.ghiseul.tests.tools import (
    IN, INSTITUTION, OUT, pay_by_card, start_emulator, wait_for)
from trytond.modules.municipality.tests import tools
from trytond.tests.test_tryton import DB_NAME

from .tools import PortalTestCase, committed

__all__ = ['PaymentTestCase', 'pay_by_card', 'wait_for', 'path_of']


def path_of(url):
    "The path and query of a URL of the portal (the test client's)"
    parts = urlsplit(url)
    return parts.path + ('?' + parts.query if parts.query else '')


def ensure_decision(company, year):
    "The approved council decision of the year (made once per database)"
    from trytond.modules.local_tax.tests.tools import (
        create_decision, load_code_tables)
    from trytond.pool import Pool
    pool = Pool()
    CodeTable = pool.get('local_tax.code_table')
    Decision = pool.get('local_tax.council_decision')
    if not CodeTable.search([('year', '=', year)]):
        load_code_tables(year)
    decisions = Decision.search([
            ('company', '=', company.id), ('fiscal_year', '=', year)],
        limit=1)
    if decisions:
        return decisions[0]
    return create_decision(company, year)


def create_assessment(company, taxpayer, amounts=('120.00', '80.50'),
        due_in=30):
    """A tax decision of this year for the taxpayer (number YEAR/random)
    with posted obligations due in due_in days"""
    from trytond.pool import Pool
    pool = Pool()
    Assessment = pool.get('local_tax.assessment')
    Obligation = pool.get('local_tax.obligation')
    today = pool.get('ir.date').today()
    decision = ensure_decision(company, today.year)
    sequence = 100000 + secrets.randbelow(800000)
    total = sum(Decimal(a) for a in amounts)
    assessment = Assessment(
        company=company, taxpayer=taxpayer, fiscal_year=today.year,
        number=f'{today.year}/{sequence}', sequence=sequence, date=today,
        decision=decision, kind='initial', total=total,
        bonification=Decimal(0), bonification_deadline=today)
    assessment.save()
    obligations = [Obligation(
            company=company, taxpayer=taxpayer, fiscal_year=today.year,
            tax_type=tax_type, description=description,
            amount=Decimal(amount), date=today, assessment=assessment,
            due_date=today + dt.timedelta(days=due_in))
        for (tax_type, description), amount in zip([
                ('building', "Impozit clădiri"),
                ('fee', "Taxă salubrizare")], amounts)]
    Obligation.save(obligations)
    Obligation.post(obligations)
    return assessment


class PaymentTestCase(PortalTestCase):
    """The portal with the Ghișeul.ro emulator and a trytond server that
    receives its notifications, on the test database"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from werkzeug.serving import make_server

        from trytond.wsgi import app
        cls.server = make_server('127.0.0.1', 0, app, threaded=True)
        thread = threading.Thread(target=cls.server.serve_forever,
            daemon=True)
        thread.start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        notify_url = (f'http://127.0.0.1:{cls.server.server_port}/'
            f'{DB_NAME}/ghiseul/soap')
        cls.app.config['KIOSK_NETWORKS'] = ['192.0.2.0/24']
        cls.emulator = start_emulator(notify_url=notify_url)
        cls.addClassCleanup(cls.emulator.stop)
        with committed() as pool:
            Configuration = pool.get('ghiseul.configuration')
            Company = pool.get('company.company')
            company = Company(cls.company_id)
            values = dict(institution_code=INSTITUTION,
                endpoint_url=f'{cls.emulator.url}/soap',
                out_username=OUT[0], out_password=OUT[1],
                in_username=IN[0], in_password=IN[1], retries=1,
                backoff=Decimal('0.05'), timeout=Decimal('5'))
            configurations = Configuration.search(
                [('company', '=', company.id)])
            if configurations:
                Configuration.write(configurations, values)
            else:
                Configuration.create([dict(company=company.id, **values)])

    def obligations_for(self, party_id, **kwargs):
        "A new tax decision with open obligations: (number, [ids])"
        with committed() as pool:
            Party = pool.get('party.party')
            Company = pool.get('company.company')
            assessment = create_assessment(
                Company(self.company_id), Party(party_id), **kwargs)
            return assessment.number, [o.id for o in assessment.obligations]

    def decision_for(self, party_id, **kwargs):
        "A new tax decision: (payment reference, number, [obligation ids])"
        with committed() as pool:
            Party = pool.get('party.party')
            Company = pool.get('company.company')
            assessment = create_assessment(
                Company(self.company_id), Party(party_id), **kwargs)
            return (assessment.payment_reference, assessment.number,
                [o.id for o in assessment.obligations])

    def kiosk_client(self):
        "A browser of the city hall's hall: an address of KIOSK_NETWORKS"
        client = self.client()
        client.environ_base['REMOTE_ADDR'] = '192.0.2.%d' % (
            secrets.randbelow(250) + 1)
        return client

    def transaction_of(self, token):
        with committed() as pool:
            Transaction_ = pool.get('ghiseul.transaction')
            transaction, = Transaction_.search([('token', '=', token)])
            return {
                'state': transaction.state,
                'external_id': transaction.external_id,
                'channel': transaction.channel,
                'payment': transaction.payment.id
                if transaction.payment else None,
                'receipt': transaction.receipt.id
                if transaction.receipt else None,
                }

    def payments(self, external_id):
        with committed() as pool:
            Payment = pool.get('local_tax.payment')
            return [(p.amount, p.channel) for p in Payment.search([
                        ('external_id', '=', external_id)])]

    def wait_paid(self, token):
        wait_for(lambda: self.transaction_of(token)['state'] == 'paid', 30,
            "the notification to be booked")
        return self.transaction_of(token)

    def wait_delivered(self, external_id):
        def delivered():
            row = self.emulator.state.notification(external_id)
            return row is not None and row['delivered_at'] is not None
        wait_for(delivered, 30, "the notification to be delivered")

    @staticmethod
    def token_of(url):
        "The token of a return URL /…/return?token=…"
        return parse_qs(urlsplit(url).query)['token'][0]

    def returned(self, client, url):
        """Back from the card page: the token leaves the address at once
        (into the session), then the page"""
        response = client.get(path_of(url))
        self.assertEqual(response.status_code, 302)
        self.assertNotIn('token', response.headers['Location'])
        return client.get(response.headers['Location'])

    def start_card_payment(self, client, path, data, csrf_from):
        """POST the pay form: the redirection to the emulator's card page"""
        response = self.post(client, path, data, csrf_from=csrf_from)
        self.assertEqual(response.status_code, 303,
            response.get_data(as_text=True)[:2000])
        location = response.headers['Location']
        self.assertTrue(location.startswith(self.emulator.url), location)
        return location



def run_committed(func):
    "Run func(pool) in a committed transaction, restarted for its locks"
    from trytond.pool import Pool
    return tools.run_committed(DB_NAME, lambda: func(Pool()))
