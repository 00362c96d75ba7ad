# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tests of the certificat de atestare fiscală (CPF art. 159).

The amounts are those of test_fiscal: the apartment of art. 457's worked example
(355 lei in 2026, instalments of 177.50) and the 2026 car of art. 470 (150 lei,
instalments of 75)."""
import datetime as dt
import io
import unittest
import zipfile
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.municipality.tests.tools import (
    create_municipality, create_person, own)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from ..exceptions import CertificateError
from .test_fiscal import assess, fine, pay, setup_2026
from .test_module import create_apartment, create_land, create_vehicle
from .tools import code_line, load_code_tables

D = Decimal
date = dt.date


def issue(company, taxpayer, on, purpose='transfer', **values):
    Certificate = Pool().get('local_tax.fiscal_certificate')
    return Certificate.issue_for(company, taxpayer, on, purpose, **values)


def debts(certificate):
    return {d.tax_type: (d.principal, d.accessories, d.total, d.not_due)
        for d in certificate.debts}


class CertificateTestCase(unittest.TestCase):
    "Test the fiscal certificate"

    @classmethod
    def setUpClass(cls):
        activate_module('local_tax')

    def create_user(self, name, company):
        "A user of the DITL group clerk, head or cashier"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        user, = User.create([{
                    'login': name,
                    'groups': [('add', [ModelData.get_id(
                                    'local_tax', f'group_local_tax_{name}')])],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    }])
        return user

    def owner_with_taxes(self, company):
        "Popescu, owner of the apartment (355 lei) and the car (150 lei)"
        owner = create_person("Popescu", "Ion", cnp='1800101221144')
        own(create_apartment(company), owner)
        own(create_vehicle(company, 'CJ01AAA', euro_norm='euro4'), owner)
        assess(company)
        return owner

    @with_transaction()
    def test_certificate_without_debts(self):
        "The whole year paid: no overdue obligation, the assets and taxes"
        company = setup_2026()
        owner = self.owner_with_taxes(company)
        pay(company, owner, '505', date(2026, 3, 20))
        certificate = issue(company, owner, date(2026, 4, 10))
        self.assertEqual(certificate.state, 'issued')
        self.assertEqual(certificate.number, '2026/1')
        self.assertEqual(certificate.taxpayer_name, "Popescu Ion")
        self.assertEqual(certificate.taxpayer_code, '1800101221144')
        self.assertFalse(certificate.has_debts)
        self.assertEqual(certificate.total_debt, D('0'))
        self.assertEqual(certificate.not_due, D('0'))
        self.assertEqual(certificate.credit, D('0'))
        self.assertEqual(list(certificate.debts), [])
        self.assertEqual(
            [(a.kind, a.share, a.fiscal_year, a.annual_tax, a.base_unit)
                for a in certificate.assets], [
                ('building', '1', 2026, D('355'), 'lei'),
                ('vehicle', '1', 2026, D('150'), 'cm3'),
                ])
        building, vehicle = certificate.assets
        # 60 m² × 2 677 lei × 2.60 × (1 − 15 %): art. 457 after the OUG
        self.assertEqual(building.base, D('354970.20'))
        self.assertEqual(vehicle.base, D('1598'))
        self.assertEqual(building.assessment.taxpayer, owner)

    @with_transaction()
    def test_certificate_with_debts(self):
        "Unpaid taxes and a fine by type, the surcharge computed to the date"
        company = setup_2026()
        owner = self.owner_with_taxes(company)
        fine(company, owner, '100', date(2026, 2, 10))
        # 2 May: instalment 1 is 2 months late (CPF art. 183: 1 % a month
        # or fraction), instalment 2 not yet due
        certificate = issue(company, owner, date(2026, 5, 2))
        self.assertTrue(certificate.has_debts)
        self.assertEqual(debts(certificate), {
                'building': (D('177.50'), D('3.55'), D('181.05'),
                    D('177.50')),
                'vehicle': (D('75.00'), D('1.50'), D('76.50'), D('75.00')),
                # no surcharge on fines
                'fine': (D('100.00'), D('0.00'), D('100.00'), D('0.00')),
                })
        self.assertEqual(certificate.principal, D('352.50'))
        self.assertEqual(certificate.accessories, D('5.05'))
        self.assertEqual(certificate.total_debt, D('357.55'))
        self.assertEqual(certificate.not_due, D('252.50'))

    @with_transaction()
    def test_certificate_surcharges_to_the_date(self):
        "A surcharge booked and unpaid, another computed on the date"
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        assess(company)
        # on 2 May the payment of 177.50 takes instalment 1 and books its
        # surcharge (3.55), left unpaid
        pay(company, owner, '177.50', date(2026, 5, 2))
        certificate = issue(company, owner, date(2026, 5, 10))
        self.assertEqual(debts(certificate), {
                'building': (D('0.00'), D('3.55'), D('3.55'), D('177.50')),
                })
        # on 1 November instalment 2 is 2 months late: 3.55 more
        certificate = issue(company, owner, date(2026, 11, 1))
        self.assertEqual(debts(certificate), {
                'building': (D('177.50'), D('7.10'), D('184.60'),
                    D('0.00')),
                })
        # the surcharges on a day are those of that day: on 30 September
        # instalment 2 is due, not overdue
        certificate = issue(company, owner, date(2026, 9, 30))
        self.assertEqual(debts(certificate)['building'][1], D('3.55'))

    @with_transaction()
    def test_surcharge_booked_on_the_day_is_overdue(self):
        "A surcharge booked on the day of the certificate is owed that day"
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        assess(company)
        # 2 May: 177.50 pays instalment 1 (due 31 March) and books its
        # surcharge of 2 months × 1 % = 3.55 (CPF art. 183), due the
        # payment day and left unpaid; instalment 2 (30 September) is
        # the only obligation not yet due
        pay(company, owner, '177.50', date(2026, 5, 2))
        certificate = issue(company, owner, date(2026, 5, 2))
        self.assertEqual(debts(certificate), {
                'building': (D('0.00'), D('3.55'), D('3.55'), D('177.50')),
                })
        self.assertEqual(certificate.accessories, D('3.55'))
        self.assertEqual(certificate.total_debt, D('3.55'))
        self.assertEqual(certificate.not_due, D('177.50'))
        self.assertTrue(certificate.has_debts)

    @with_transaction()
    def test_credit_and_not_due_year(self):
        "An overpayment is stated as a credit"
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        assess(company)
        pay(company, owner, '400', date(2026, 3, 20))
        certificate = issue(company, owner, date(2026, 3, 25))
        self.assertFalse(certificate.has_debts)
        self.assertEqual(certificate.credit, D('45.00'))

    @with_transaction()
    def test_validity_from_the_code_table(self):
        """Valid 30 days (Code table), to the next working day when the 30th
        is not one; another value of the table applies"""
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        certificate = issue(company, owner, date(2026, 4, 10))
        # 10 May 2026 is a Sunday
        self.assertEqual(certificate.validity_end, date(2026, 5, 11))
        line = code_line(2026, 'certificate_validity')
        self.assertEqual(line.value, D('30'))
        line.value = D('45')
        line.save()
        certificate = issue(company, owner, date(2026, 4, 10))
        self.assertEqual(certificate.validity_end, date(2026, 5, 25))

    @with_transaction()
    def test_no_validity_refused(self):
        "Without a Code table giving the validity, nothing is issued"
        Certificate = Pool().get('local_tax.fiscal_certificate')
        company = create_municipality()
        owner = create_person("Popescu", "Ion")
        with self.assertRaises(CertificateError):
            issue(company, owner, date(2026, 4, 10))
        self.assertEqual(
            Certificate.search([('state', '=', 'issued')]), [])

    @with_transaction()
    def test_numbering_gapless_per_year(self):
        "A strict sequence per year; a cancelled certificate keeps its number"
        pool = Pool()
        Certificate = pool.get('local_tax.fiscal_certificate')
        Numbering = pool.get('local_tax.fiscal_certificate.sequence')
        load_code_tables(2025)
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        other = create_person("Ionescu", "Maria")
        numbers = [issue(company, p, on).number for p, on in [
                (owner, date(2025, 12, 30)),
                (other, date(2025, 12, 31)),
                (owner, date(2026, 1, 2)),
                ]]
        self.assertEqual(numbers, ['2025/1', '2025/2', '2026/1'])
        second = Certificate.search([('number', '=', '2026/1')])
        Certificate.cancel(second)
        self.assertEqual(second[0].state, 'cancelled')
        self.assertEqual(second[0].number, '2026/1')
        # drafts have no number; issued together, numbered by date
        drafts = Certificate.create([{
                    'company': company.id, 'taxpayer': p.id,
                    'date': on, 'purpose': 'acquisition',
                    } for p, on in [
                    (owner, date(2026, 1, 6)), (other, date(2026, 1, 5))]])
        self.assertEqual([d.number for d in drafts], [None, None])
        Certificate.issue(drafts)
        self.assertEqual([d.number for d in drafts], ['2026/3', '2026/2'])
        self.assertEqual(
            sorted((n.fiscal_year, n.sequence.number_next)
                for n in Numbering.search([])),
            [(2025, 3), (2026, 4)])
        # an issued certificate is never issued again
        Certificate.issue(drafts)
        self.assertEqual([d.number for d in drafts], ['2026/3', '2026/2'])

    @with_transaction()
    def test_issued_certificate_immutable(self):
        "check_modification protects an issued or cancelled certificate"
        pool = Pool()
        Certificate = pool.get('local_tax.fiscal_certificate')
        Asset = pool.get('local_tax.fiscal_certificate.asset')
        Debt = pool.get('local_tax.fiscal_certificate.debt')
        company = setup_2026()
        owner = self.owner_with_taxes(company)
        certificate = issue(company, owner, date(2026, 5, 2))
        for values in [{'purpose': 'other'}, {'number': '2026/99'},
                {'total_debt': D('0')}, {'date': date(2026, 5, 3)},
                {'state': 'draft'}]:
            with self.assertRaises(AccessError):
                Certificate.write([certificate], values)
        with self.assertRaises(AccessError):
            Certificate.delete([certificate])
        with self.assertRaises(AccessError):
            Asset.write(list(certificate.assets), {'annual_tax': D('0')})
        with self.assertRaises(AccessError):
            Debt.delete(list(certificate.debts))
        with self.assertRaises(AccessError):
            Debt.create([{'certificate': certificate.id,
                        'tax_type': 'fee', 'principal': D('1'),
                        'accessories': D('0'), 'total': D('1'),
                        'not_due': D('0')}])
        # a later payment does not change what the certificate states
        pay(company, owner, '600', date(2026, 5, 2))
        certificate = Certificate(certificate.id)
        self.assertEqual(certificate.total_debt, D('357.55') - D('100'))
        Certificate.cancel([certificate])
        with self.assertRaises(AccessError):
            Certificate.write([certificate], {'state': 'issued'})
        with self.assertRaises(AccessError):
            Certificate.delete([certificate])
        # a copy is a new draft, to issue anew
        copy, = Certificate.copy([certificate])
        self.assertEqual(
            (copy.state, copy.number, copy.assets, copy.debts,
                copy.total_debt), ('draft', None, (), (), None))
        Certificate.issue([copy])
        self.assertEqual(copy.number, '2026/2')
        # a draft is freely changed and deleted
        draft, = Certificate.create([{
                    'company': company.id, 'taxpayer': owner.id,
                    'purpose': 'other', 'date': date(2026, 5, 2)}])
        Certificate.write([draft], {'purpose': 'succession'})
        Certificate.delete([draft])

    @with_transaction()
    def test_future_date_refused(self):
        "A certificate cannot state the situation of a day to come"
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        today = Pool().get('ir.date').today()
        with self.assertRaises(CertificateError):
            issue(company, owner, today + dt.timedelta(days=1))

    @with_transaction()
    def test_seller_and_buyer(self):
        "The seller's asset sold this year is still stated; the buyer's none"
        Ownership = Pool().get('ownership.ownership')
        # intravilan built land, zone A, rank 0: 10 000 lei/ha (art. 465(2))
        company = setup_2026(amounts=[
                ('land_built', {'zone': 'A', 'rank': '0'}, '10000')])
        seller = create_person("Popescu", "Ion")
        buyer = create_person("Ionescu", "Maria")
        apartment = create_apartment(company)
        own(apartment, seller, start=date(2010, 4, 2))
        land = create_land(company, '500')
        Ownership.create([{
                    'company': company.id, 'parcel': land.id,
                    'owner': owner.id,
                    'share_numerator': 1, 'share_denominator': 2,
                    'start_date': date(2010, 4, 2),
                    } for owner in [seller, buyer]])
        assess(company)
        Ownership.transfer('building', apartment, date(2026, 5, 1),
            "Contract 123/2026", [(buyer, 1, 1)])
        certificate = issue(company, seller, date(2026, 5, 5),
            requester=buyer, purpose_details="Contract 123/2026")
        self.assertEqual(certificate.requester, buyer)
        self.assertEqual(certificate.requester_quality, 'proxy')
        self.assertEqual(
            sorted((a.kind, a.share, a.annual_tax)
                for a in certificate.assets),
            [('building', '1', D('355')), ('parcel', '1/2', D('250'))])
        parcel, = [a for a in certificate.assets if a.kind == 'parcel']
        self.assertEqual((parcel.base, parcel.base_unit), (D('500'), 'm2'))
        # the buyer owns the apartment from 1 May, taxed from 2027
        certificate = issue(company, buyer, date(2026, 5, 5),
            purpose='acquisition')
        self.assertEqual(
            sorted((a.kind, a.share, a.annual_tax)
                for a in certificate.assets),
            [('building', '1', None), ('parcel', '1/2', D('250'))])

    @with_transaction()
    def test_rendered_certificate(self):
        "The template states the number, the debts or their absence"
        pool = Pool()
        Certificate = pool.get('local_tax.fiscal_certificate')
        CertificateReport = pool.get(
            'local_tax.fiscal_certificate', type='report')
        ActionReport = pool.get('ir.action.report')
        company = setup_2026()
        owner = self.owner_with_taxes(company)
        clean = create_person("Ionescu", "Maria")
        action, = ActionReport.search(
            [('report_name', '=', 'local_tax.fiscal_certificate')])

        def render(certificate):
            context = CertificateReport.get_context(
                [Certificate(certificate.id)], {}, {})
            content = CertificateReport.render(action, context)
            with zipfile.ZipFile(io.BytesIO(content)) as odt:
                return odt.read('content.xml').decode()

        content = render(issue(company, owner, date(2026, 5, 2)))
        self.assertIn('2026/1', content)
        self.assertIn('Popescu Ion', content)
        self.assertIn('257.55', content)
        self.assertIn('has overdue tax obligations', content)
        self.assertNotIn('has no overdue tax obligations', content)
        content = render(issue(company, clean, date(2026, 5, 2),
                purpose='acquisition'))
        self.assertIn('has no overdue tax obligations', content)
        self.assertIn('No building, land or vehicle', content)
        # 30 days after 2 May: 1 June 2026, Children's Day and Whit Monday
        self.assertIn('06/02/2026', content)

    @with_transaction()
    def test_pdf(self):
        "A real PDF (LibreOffice), kept with the issued certificate"
        pool = Pool()
        Certificate = pool.get('local_tax.fiscal_certificate')
        company = setup_2026()
        owner = self.owner_with_taxes(company)
        certificate = issue(company, owner, date(2026, 5, 2))
        self.assertIsNone(certificate.report_cache)
        # asked for by a clerk, as the portal or the back office would
        clerk = self.create_user('clerk', company)
        with Transaction().set_user(clerk.id), \
                Transaction().set_context(company=company.id), \
                check_access():
            pdf = Certificate(certificate.id).get_pdf()
        self.assertTrue(pdf.startswith(b'%PDF'))
        certificate = Certificate(certificate.id)
        self.assertEqual(bytes(certificate.report_cache), pdf)
        self.assertEqual(certificate.get_pdf(), pdf)
        # the kept PDF is not replaced
        with self.assertRaises(AccessError):
            Certificate.write([certificate], {'report_cache': b'%PDF-1.4'})

    @with_transaction()
    def test_issue_wizard_from_the_person(self):
        "From the person's form: issued today, its PDF kept and printed"
        pool = Pool()
        Issue = pool.get('local_tax.fiscal_certificate.issue', type='wizard')
        Date = pool.get('ir.date')
        company = setup_2026()
        owner = self.owner_with_taxes(company)
        with Transaction().set_context(company=company.id,
                active_model='party.party', active_id=owner.id,
                active_ids=[owner.id]):
            session_id, _, _ = Issue.create()
            wizard = Issue(session_id)
            self.assertEqual(wizard.default_start([]),
                {'taxpayer': owner.id})
            wizard.start.taxpayer = owner
            wizard.start.purpose = 'succession'
            wizard.start.purpose_details = "Moștenire, BNP Pop"
            self.assertEqual(wizard.transition_issue(), 'print_')
            _, data = wizard.do_print_({})
            self.assertEqual(wizard.end(), 'reload')
        certificate = wizard.issued
        self.assertEqual(data['ids'], [certificate.id])
        self.assertEqual(certificate.state, 'issued')
        self.assertEqual(certificate.date, Date.today())
        self.assertEqual(certificate.taxpayer, owner)
        self.assertEqual(certificate.purpose, 'succession')
        self.assertEqual(certificate.requester_quality, 'taxpayer')
        self.assertTrue(bytes(certificate.report_cache).startswith(b'%PDF'))

    @with_transaction()
    def test_access_clerk_issues_head_cancels(self):
        "A clerk issues; only the head of the service cancels"
        Certificate = Pool().get('local_tax.fiscal_certificate')
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        users = {name: self.create_user(name, company)
            for name in ['clerk', 'head']}
        with Transaction().set_user(users['clerk'].id), \
                Transaction().set_context(company=company.id), \
                check_access():
            certificate, = Certificate.create([{
                        'company': company.id, 'taxpayer': owner.id,
                        'date': date(2026, 4, 1), 'purpose': 'transfer',
                        }])
            # the number and what the certificate states come from the
            # issue only
            with self.assertRaises(AccessError):
                Certificate.write([certificate], {'number': '2026/7'})
            with self.assertRaises(AccessError):
                Certificate.write([certificate], {'state': 'issued'})
            with self.assertRaises(AccessError):
                Certificate.create([{
                            'company': company.id, 'taxpayer': owner.id,
                            'date': date(2026, 4, 1), 'purpose': 'other',
                            'number': '2026/8'}])
            Certificate.issue([certificate])
            self.assertEqual(certificate.number, '2026/1')
            with self.assertRaises(AccessButtonError):
                Certificate.cancel([certificate])
        with Transaction().set_user(users['head'].id), \
                Transaction().set_context(company=company.id), \
                check_access():
            Certificate.cancel([Certificate(certificate.id)])
        self.assertEqual(Certificate(certificate.id).state, 'cancelled')

    @with_transaction()
    def test_legal_person_building_value(self):
        "The building of a legal person is stated at its recorded value"
        Party = Pool().get('party.party')
        company = setup_2026(pj_building_rate_residential=D('0.1'))
        firm = Party(person_type='legal', name="Alfa SRL", cui='14399840')
        firm.save()
        apartment = create_apartment(company, tax_value=D('250000'),
            tax_value_source='valuation', tax_value_date=date(2024, 6, 1))
        own(apartment, firm)
        certificate = issue(company, firm, date(2026, 1, 15))
        asset, = certificate.assets
        self.assertEqual((asset.base, asset.base_unit), (D('250000'), 'lei'))
        self.assertEqual(certificate.taxpayer_code, '14399840')
