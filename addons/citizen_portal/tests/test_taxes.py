# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""My taxes and the mandates through the portal.

Worked example: the apartment of local_tax's worked example (art. 457), 355 lei in
2026 (two instalments of 177.50 due 31 March and 30 September), with the
council's 10 % bonification for the whole year paid by 31 March:
- on 15 March 2026 the citizen owes 355 and pays 319.50 (35.50 off);
- on 2 May 2026 instalment 1 is overdue by two months: 2 × 1 % = 3.55
  surcharge (CPF art. 183), no bonification any more: 358.55."""
import datetime as dt
import io
import secrets
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.modules.municipality.tests.tools import (
    CONVERT_COMMAND, run_committed, set_config_for_test)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from .tools import PortalTestCase, committed, new_cnp

D = Decimal
MARCH_15 = dt.date(2026, 3, 15)
MAY_2 = dt.date(2026, 5, 2)


def retried(func, *args):
    """func(*args) in a committed transaction, started again with the
    locks it asks for (local_tax locks the taxpayer, the sequences …)"""
    return run_committed(DB_NAME, lambda: func(*args))


def pdf_bytes(text="Procura"):
    "A small real PDF"
    from pypdf import PdfWriter
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({'/Title': text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def tax_year_2026(company):
    """The Code tables of 2026, the seat as a rank 0 locality and the 2026
    council decision with a 10 % bonification (once per database: it
    outlives the run)"""
    from trytond.modules.local_tax.tests.test_module import set_rank
    from trytond.modules.local_tax.tests.tools import (
        create_decision, load_code_tables)
    pool = Pool()
    CodeTable = pool.get('local_tax.code_table')
    Decision = pool.get('local_tax.council_decision')
    if not CodeTable.search([('year', '=', 2026)]):
        load_code_tables(2026)
    set_rank(company, '0')
    if not Decision.search([
                ('company', '=', company.id), ('fiscal_year', '=', 2026)]):
        create_decision(company, 2026, bonification=D('10'))


def apartment_owner(company_id, party_id=None, cnp=None, plate=None):
    """The party (given, or a new person) owning the apartment of 355 lei,
    assessed for 2026; returns (party id, decision id)"""
    from trytond.modules.local_tax.tests.test_module import AFTER_OUG
    from trytond.modules.municipality.tests.tools import (
        create_building, create_parcel, create_person, own)
    with committed({'company': company_id}) as pool:
        company = pool.get('company.company')(company_id)
        tax_year_2026(company)
        if not party_id:
            party_id = create_person(
                "Rusu", "Elena", cnp=cnp or new_cnp()).id
        # the apartment of create_apartment on a parcel number of its own:
        # the test database outlives the run
        parcel = create_parcel(company, number=str(
                100_000_000 + secrets.randbelow(800_000_000)))
        building = create_building(parcel, construction_type='A',
            year_built=1975, built_area=D('60'), apartment_in_block=True,
            unit_number='12', water=True, sewerage=True, electricity=True,
            heating=True)
        own(building, pool.get('party.party')(party_id))
        if plate:
            from trytond.modules.local_tax.tests.test_module import (
                create_vehicle)
            own(create_vehicle(company, plate, 1598, euro_norm='euro4'),
                pool.get('party.party')(party_id))

    def assess():
        pool = Pool()
        company = pool.get('company.company')(company_id)
        assessment, = pool.get('local_tax.assessment').assess(
            company, 2026, AFTER_OUG,
            taxpayers=[pool.get('party.party')(party_id)])
        return assessment.id
    return party_id, retried(assess)


def company_party(cui=None):
    "A company (CUI), unknown to the portal"
    from stdnum.ro import cf
    with committed() as pool:
        Party = pool.get('party.party')
        while True:
            body = '%08d' % (10_000_000 + secrets.randbelow(80_000_000))
            cui = body + cf.calc_check_digit(body)
            if cf.is_valid(cui) and not Party.search(
                    [('fiscal_code', '=', cui)]):
                break
        party = Party(person_type='legal', name="Construct SRL", cui=cui)
        party.save()
        return party.id, cui


class TaxesTestCase(PortalTestCase):
    "Test my taxes and the mandates on the portal"

    def setUp(self):
        super().setUp()
        self.app.config['PORTAL_TODAY'] = MARCH_15
        self.addCleanup(self.app.config.pop, 'PORTAL_TODAY', None)

    def page(self, client, path, status=200):
        response = client.get(path)
        text = response.get_data().decode('utf-8', 'replace')
        self.assertEqual(response.status_code, status, text[:2000])
        return text

    def assert_login_redirect(self, path):
        response = self.client().get(path)
        self.assertEqual(response.status_code, 302, path)
        self.assertIn('/login', response.headers['Location'])

    # My taxes

    def test_worked_example_bonification_before_31_march(self):
        "355 lei, 10 % off until 31 March: pay 319.50 on 15 March"
        client, email, party_id = self.citizen(validated=True)
        _, assessment_id = apartment_owner(self.company_id, party_id)
        page = self.page(client, '/taxes')
        self.assertIn('355,00', page)
        self.assertIn('319,50', page)
        self.assertIn('35,50', page)
        self.assertIn('31.03.2026', page)
        # by tax and object: the apartment's address, the decision
        with committed() as pool:
            assessment = pool.get('local_tax.assessment')(assessment_id)
            number = assessment.number
            address = assessment.lines[0].building.address
            obligations = [o.id for o in assessment.obligations]
        self.assertIn(number, page)
        self.assertIn(str(address), page)
        # one pay link per line, one for everything
        all_ids = '&amp;'.join(f'obligations={i}' for i in sorted(
                obligations))
        self.assertIn(f'/pay?party={party_id}&amp;{all_ids}', page)
        for obligation in obligations:
            self.assertIn(
                f'/pay?party={party_id}&amp;obligations={obligation}"', page)

    def test_vehicle_by_registration_number(self):
        "The vehicle tax is shown with the vehicle's registration number"
        client, _, party_id = self.citizen(validated=True)
        plate = 'CJ%02d%s' % (10 + secrets.randbelow(89), ''.join(
                secrets.choice('ABCDEFGHJKLMNPRSTUVWXYZ') for _ in range(3)))
        _, assessment_id = apartment_owner(
            self.company_id, party_id, plate=plate)
        page = self.page(client, '/taxes')
        self.assertIn(plate, page)
        self.assertIn('Impozit pe mijloacele de transport 2026', page)
        page = self.page(client, f'/taxes/decisions/{assessment_id}')
        self.assertIn(plate, page)
        self.assertIn('355,00', page)

    def test_worked_example_after_the_deadline(self):
        "2 May: 3.55 surcharge on instalment 1, no bonification: 358.55"
        self.app.config['PORTAL_TODAY'] = MAY_2
        client, _, party_id = self.citizen(validated=True)
        apartment_owner(self.company_id, party_id)
        page = self.page(client, '/taxes')
        self.assertIn('3,55', page)
        self.assertIn('358,55', page)
        self.assertNotIn('319,50', page)
        self.assertNotIn('Bonificație:', page)

    def test_standard_account_sees_only_what_is_due(self):
        "Standard: amounts by tax and total; no decision, object, payment"
        client, _, party_id = self.citizen(validated=False)
        _, assessment_id = apartment_owner(self.company_id, party_id)
        with committed() as pool:
            assessment = pool.get('local_tax.assessment')(assessment_id)
            number = assessment.number
            address = str(assessment.lines[0].building.address)
        page = self.page(client, '/taxes')
        self.assertIn('319,50', page)
        self.assertIn(f'/pay?party={party_id}', page)
        self.assertNotIn(number, page)
        self.assertNotIn(address, page)
        self.assertNotIn('Chitanță', page)
        # the fiscal file's pages need a validated account
        for path in [f'/taxes/decisions/{assessment_id}', '/mandates',
                '/mandates/new']:
            response = client.get(path)
            self.assertEqual(response.status_code, 302, path)
            self.assertIn('/account/validation', response.headers['Location'])

    def test_standard_account_unknown_code(self):
        "A code the city hall does not know: no taxes, no party made"
        client, _, party_id = self.citizen(known=False)
        self.assertIsNone(party_id)
        self.assertIn('id="taxes-unknown"', self.page(client, '/taxes'))
        self.assertEqual(client.get('/pay').status_code, 404)

    def test_nothing_due(self):
        "A citizen without obligations owes nothing"
        client, _, _ = self.citizen(validated=True)
        page = self.page(client, '/taxes')
        self.assertIn('Nu datorați nimic', page)

    def test_receipt_download(self):
        "A portal payment's receipt: real PDF bytes; only for its owner"
        set_config_for_test(
            self, 'report', 'convert_command', CONVERT_COMMAND)
        client, _, party_id = self.citizen(validated=True)
        apartment_owner(self.company_id, party_id)

        def pay():
            pool = Pool()
            company = pool.get('company.company')(self.company_id)
            with Transaction().set_context(company=self.company_id):
                payment = pool.get('local_tax.payment').receive(
                    company, pool.get('party.party')(party_id),
                    D('319.50'), MARCH_15, 'portal',
                    external_id=secrets.token_hex(8))
                receipt = pool.get('local_tax.receipt').issue_for(payment)
            return receipt.id, receipt.number
        receipt_id, number = retried(pay)
        page = self.page(client, '/taxes')
        self.assertIn(number, page)
        self.assertIn(f'/taxes/receipts/{receipt_id}.pdf', page)
        self.assertIn('Nu datorați nimic', page)
        response = client.get(f'/taxes/receipts/{receipt_id}.pdf')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.mimetype, 'application/pdf')
        self.assertTrue(response.get_data().startswith(b'%PDF'))
        other, _, _ = self.citizen(validated=True)
        self.assertEqual(
            other.get(f'/taxes/receipts/{receipt_id}.pdf').status_code, 404)
        self.assert_login_redirect(f'/taxes/receipts/{receipt_id}.pdf')

    def test_fiscal_file_extract(self):
        "The extract of the fiscal file: a real PDF; only for its owner"
        from pypdf import PdfReader
        set_config_for_test(
            self, 'report', 'convert_command', CONVERT_COMMAND)
        client, _, party_id = self.citizen(validated=True)
        apartment_owner(self.company_id, party_id)
        path = f'/taxes/extract.pdf?party={party_id}'
        self.assertIn(path.replace('&', '&amp;'), self.page(client, '/taxes'))
        response = client.get(path)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.mimetype, 'application/pdf')
        text = ' '.join(' '.join(p.extract_text() for p in PdfReader(
                    io.BytesIO(response.get_data())).pages).split())
        with committed() as pool:
            party = pool.get('party.party')(party_id)
            name, code = party.name, party.fiscal_code
        for expected in [name, code]:
            self.assertIn(expected, text)
        # the two instalments of 177.50, in the database's number format
        self.assertRegex(text, r'177[.,]50')
        other, _, _ = self.citizen(validated=True)
        for bad in [path, '/taxes/extract.pdf?party=abc',
                '/taxes/extract.pdf']:
            with self.subTest(path=bad):
                self.assertEqual(other.get(bad).status_code, 404)
        self.assert_login_redirect(path)

    def test_decision_pdf(self):
        """The decision page links to its PDF: the issued decision with its
        number, the CNP, the amounts and due dates"""
        from pypdf import PdfReader
        set_config_for_test(
            self, 'report', 'convert_command', CONVERT_COMMAND)
        client, _, party_id = self.citizen(validated=True)
        _, assessment_id = apartment_owner(self.company_id, party_id)
        path = f'/taxes/decisions/{assessment_id}.pdf'
        page = self.page(client, f'/taxes/decisions/{assessment_id}')
        self.assertIn(f'href="{path}"', page)
        self.assertIn('Descărcați decizia (PDF)', page)
        response = client.get(path)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.mimetype, 'application/pdf')
        self.assertEqual(response.headers['Cache-Control'], 'no-store')
        content = response.get_data()
        self.assertTrue(content.startswith(b'%PDF'))
        text = ' '.join(' '.join(p.extract_text() for p in PdfReader(
                    io.BytesIO(content)).pages).split())
        with committed() as pool:
            assessment = pool.get('local_tax.assessment')(assessment_id)
            number = assessment.number
            code = assessment.taxpayer.fiscal_code
        for expected in [number, code, '462(2)', '268–270']:
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
        # in the database's formats: 355 lei in two instalments of 177.50
        # (31 March, 30 September), 35.50 off by 31 March
        for pattern in [r'355[.,]00', r'177[.,]50', r'35[.,]50', r'319[.,]50',
                r'31\.03\.2026|03/31/2026', r'30\.09\.2026|09/30/2026']:
            with self.subTest(pattern=pattern):
                self.assertRegex(text, pattern)

    def test_two_citizens(self):
        "B reaches nothing of A's: party, decision, receipt, mandate proof"
        a, _, a_party = self.citizen(validated=True)
        b, _, _ = self.citizen(validated=True)
        _, assessment_id = apartment_owner(self.company_id, a_party)
        mandate_id = self.request_mandate(a, new_cnp())
        self.page(a, f'/taxes/decisions/{assessment_id}')
        self.page(a, f'/mandates/{mandate_id}/proof')
        for path in [
                f'/taxes?party={a_party}',
                '/taxes?party=abc',
                f'/taxes/decisions/{assessment_id}',
                f'/taxes/decisions/{assessment_id}.pdf',
                '/taxes/decisions/999999999',
                '/taxes/decisions/999999999.pdf',
                '/taxes/receipts/999999999.pdf',
                f'/mandates/{mandate_id}/proof',
                ]:
            with self.subTest(path=path):
                self.page(b, path, 404)
        # B's pages do not show A's mandate
        self.assertNotIn(f'/mandates/{mandate_id}/proof',
            self.page(b, '/mandates'))
        for path in ['/taxes', f'/taxes?party={a_party}',
                f'/taxes/decisions/{assessment_id}',
                f'/taxes/decisions/{assessment_id}.pdf',
                '/taxes/receipts/1.pdf', '/mandates', '/mandates/new',
                f'/mandates/{mandate_id}/proof']:
            with self.subTest(anonymous=path):
                self.assert_login_redirect(path)

    # Mandates

    def request_mandate(self, client, party_code, kind='power_of_attorney',
            status=302, **values):
        code = values.pop('code', party_code)
        data = {
            'code': code, 'last_name': "Rusu", 'first_name': "Elena",
            'kind': kind, 'valid_from': '2026-01-01', 'valid_until': '',
            'proof': (io.BytesIO(pdf_bytes()), 'procura.pdf'),
            }
        data.update(values)
        response = self.post(client, '/mandates/new', data)
        self.assertEqual(response.status_code, status,
            response.get_data(as_text=True)[:2000])
        if status != 302:
            return response
        with committed() as pool:
            Party = pool.get('party.party')
            party, = Party.search([('fiscal_code', '=', code)])
            mandate, = pool.get('citizen_portal.mandate').search(
                [('party', '=', party.id)], order=[('id', 'DESC')], limit=1)
            return mandate.id

    def decide(self, mandate_id, button):
        with committed() as pool:
            Mandate = pool.get('citizen_portal.mandate')
            getattr(Mandate, button)([Mandate(mandate_id)])

    def test_mandate_lifecycle(self):
        """Request → approved: the represented party's taxes are shown →
        revoked: 404"""
        client, email, _ = self.citizen(validated=True)
        code = new_cnp()
        represented, _ = apartment_owner(self.company_id, cnp=code)
        mandate_id = self.request_mandate(client, code)
        page = self.page(client, '/mandates')
        self.assertIn('Solicitat', page)
        self.assertIn('RUSU', page.upper())
        # requested only: not yet acting for the party
        self.page(client, f'/taxes?party={represented}', 404)
        self.decide(mandate_id, 'approve')
        page = self.page(client, '/mandates')
        self.assertIn('Aprobat', page)
        self.assertIn(f'/taxes?party={represented}', page)
        page = self.page(client, f'/taxes?party={represented}')
        self.assertIn('319,50', page)
        self.assertIn('Acționați pentru', page)
        # the own party is still the default one
        self.assertIn('Nu datorați nimic', self.page(client, '/taxes'))
        # a mandate out of date does not count
        self.app.config['PORTAL_TODAY'] = dt.date(2025, 12, 31)
        self.page(client, f'/taxes?party={represented}', 404)
        self.app.config['PORTAL_TODAY'] = MARCH_15
        self.decide(mandate_id, 'revoke')
        self.page(client, f'/taxes?party={represented}', 404)
        self.assertIn('Revocat', self.page(client, '/mandates'))

    def test_mandate_company_representative(self):
        "A company by its CUI: legal representative, approved, its taxes"
        client, _, _ = self.citizen(validated=True)
        company_id, cui = company_party()
        mandate_id = self.request_mandate(
            client, cui, kind='company_representative', last_name='')
        self.decide(mandate_id, 'approve')
        page = self.page(client, f'/taxes?party={company_id}')
        self.assertIn('Construct SRL', page)

    def test_mandate_bad_input_writes_nothing(self):
        """Not a PDF, bad code, bad dates, own CNP: 422, no mandate (the
        test database has no Romanian loaded: Tryton's messages are in
        English here, the portal's own strings in Romanian)"""
        client, email, party_id = self.citizen(validated=True)
        with committed() as pool:
            own_code = pool.get('party.party')(party_id).cnp
        code = new_cnp()
        png = b'\x89PNG\r\n\x1a\n' + b'0' * 64
        for values, message in [
                ({'proof': (io.BytesIO(b'not a pdf'), 'procura.pdf')},
                    'procura.pdf'),
                ({'proof': (io.BytesIO(png), 'procura.png')}, 'PDF'),
                ({'proof': (io.BytesIO(b'%PDF-1.4 broken'), 'procura.pdf')},
                    'procura.pdf'),
                ({'code': code[:-1] + str((int(code[-1]) + 1) % 10)},
                    'CNP'),
                ({'valid_from': '31.12.2026'}, 'AAAA-LL-ZZ'),
                ({'valid_until': '2025-01-01'}, 'înainte de a începe'),
                ({'code': own_code}, 'pentru dumneavoastră'),
                ({'kind': 'other'}, 'tipul mandatului'),
                ({'proof': (io.BytesIO(b''), '')}, 'Atașați dovada'),
                ]:
            with self.subTest(values=values):
                response = self.request_mandate(
                    client, code, status=422, **values)
                self.assertIn(message, response.get_data(as_text=True))
        with committed() as pool:
            self.assertEqual(pool.get('citizen_portal.mandate').search_count(
                    [('user.email', '=', email)]), 0)
            self.assertEqual(pool.get('party.party').search_count(
                    [('fiscal_code', '=', code)]), 0)

    def test_mandate_legal_fields_protected(self):
        "Decided: party, proof, dates and state change only by the buttons"
        client, _, _ = self.citizen(validated=True)
        other, _ = company_party()
        mandate_id = self.request_mandate(client, new_cnp())
        self.decide(mandate_id, 'approve')
        with Transaction().start(DB_NAME, 0) as transaction:
            Mandate = Pool().get('citizen_portal.mandate')
            mandate = Mandate(mandate_id)
            for values in [{'party': other},
                    {'valid_until': dt.date(2030, 1, 1)},
                    {'proof': pdf_bytes()},
                    {'state': 'requested'},
                    ]:
                with self.subTest(values=values):
                    with self.assertRaises(AccessError):
                        Mandate.write([mandate], values)
            with self.assertRaises(AccessError):
                Mandate.delete([mandate])
            # the clerk's note may change
            Mandate.write([mandate], {'note': "Procura verificată"})
            transaction.rollback()

