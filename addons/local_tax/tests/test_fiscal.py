# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tests of the annual assessment, the fiscal file and the payments.

Worked examples: the apartment of art. 457's worked example (355 lei in 2026
after the OUG of 27.02.2026, 418 lei before it), the 2026 car of art. 470
(1 598 cm³ Euro 4: 150 lei), a trailer up to 1 t (9 lei)."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.municipality.tests.tools import (
    create_municipality, create_person, own)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from ..exceptions import NoDecisionError, PaymentError
from ..fiscal_file import surcharge, surcharge_months
from .test_module import AFTER_OUG, create_apartment, create_vehicle, set_rank
from .tools import create_decision, load_code_tables

D = Decimal
date = dt.date


def fiscal_file():
    return Pool().get('local_tax.fiscal_file')


def setup_2026(bonification='0', **values):
    "Dej as a rank 0 municipality with its 2026 decision"
    load_code_tables(2026)
    company = create_municipality()
    set_rank(company, '0')
    create_decision(company, 2026, bonification=D(bonification), **values)
    return company


def assess(company, taxpayers=None, on=AFTER_OUG, year=2026, reason=None):
    Assessment = Pool().get('local_tax.assessment')
    return Assessment.assess(company, year, on, taxpayers=taxpayers,
        reason=reason)


def obligations(taxpayer, **domain):
    Obligation = Pool().get('local_tax.obligation')
    return Obligation.search([('taxpayer', '=', taxpayer.id)]
        + [(k, '=', v) for k, v in domain.items()],
        order=[('due_date', 'ASC'), ('id', 'ASC')])


def schedule(taxpayer):
    return [(o.tax_type, o.instalment, o.due_date, o.amount)
        for o in obligations(taxpayer, state='posted')]


def pay(company, taxpayer, amount, on, channel='cash', **values):
    Payment = Pool().get('local_tax.payment')
    return Payment.receive(company, taxpayer, D(amount), on, channel, **values)


def unpaid(taxpayer, on=None):
    Obligation = Pool().get('local_tax.obligation')
    from trytond.transaction import Transaction
    with Transaction().set_context(fiscal_file_date=on):
        return {o.description: o.balance
            for o in Obligation.browse(obligations(taxpayer))}


def fine(company, taxpayer, amount, due, enforceable=True, tax_type='fine',
        description="Amendă"):
    Obligation = Pool().get('local_tax.obligation')
    obligation = Obligation(
        company=company, taxpayer=taxpayer, fiscal_year=due.year,
        tax_type=tax_type, description=description, amount=D(amount),
        date=due - dt.timedelta(days=15), due_date=due,
        enforceable=enforceable)
    obligation.save()
    Obligation.post([obligation])
    return obligation


class FiscalTestCase(unittest.TestCase):
    "Test the assessment, the fiscal file and the payments"

    @classmethod
    def setUpClass(cls):
        activate_module('local_tax')

    # Surcharges (CPF art. 183)

    def test_surcharge_months_around_month_ends(self):
        "1 % per month or fraction, from the day after the due date"
        for due, paid, months in [
                (date(2026, 3, 31), date(2026, 3, 31), 0),
                (date(2026, 3, 31), date(2026, 4, 1), 1),
                (date(2026, 3, 31), date(2026, 4, 30), 1),
                (date(2026, 3, 31), date(2026, 5, 1), 2),
                (date(2026, 3, 31), date(2026, 5, 2), 2),    # CPF art. 183
                (date(2026, 3, 31), date(2026, 5, 31), 2),
                (date(2026, 3, 31), date(2026, 6, 1), 3),
                (date(2026, 9, 30), date(2026, 10, 31), 1),
                (date(2026, 9, 30), date(2026, 11, 1), 2),
                (date(2026, 2, 28), date(2026, 3, 31), 1),
                (date(2026, 2, 28), date(2026, 4, 1), 2),
                (date(2026, 1, 15), date(2026, 2, 15), 1),
                (date(2026, 1, 15), date(2026, 2, 16), 2),
                (date(2026, 1, 30), date(2026, 2, 28), 1),
                (date(2026, 1, 30), date(2026, 3, 1), 2),
                (date(2027, 12, 31), date(2028, 2, 29), 2),
                (date(2025, 9, 30), date(2026, 9, 30), 12),
                (date(2025, 9, 30), date(2026, 10, 1), 13),
                ]:
            with self.subTest(due=due, paid=paid):
                self.assertEqual(surcharge_months(due, paid), months)
        # 157 lei due 31 March paid 2 May: 2 months × 1 % = 3.14 lei
        self.assertEqual(
            surcharge(D('157'), date(2026, 3, 31), date(2026, 5, 2), D(1)),
            D('3.14'))

    @with_transaction()
    def test_one_surcharge_rule(self):
        "CPF art. 183: only a principal that is not a fine bears it, once due"
        due = date(2026, 3, 31)
        for tax_type, day, bears in [
                ('building', date(2026, 3, 31), False),     # on its due date
                ('building', date(2026, 4, 1), True),
                ('vehicle', date(2026, 4, 1), True),
                ('fee', date(2026, 4, 1), True),
                ('fine', date(2026, 4, 1), False),          # art. 173(3)
                ('surcharge', date(2026, 4, 1), False),     # an accessory
                ]:
            with self.subTest(tax_type=tax_type, day=day):
                self.assertEqual(
                    fiscal_file().bears_surcharge(tax_type, due, day), bears)

    # The annual assessment

    @with_transaction()
    def test_decision_numbers_gapless_per_year(self):
        """The decisions of a municipality and year are numbered from 1 by
        a strict sequence; a year numbered before the sequence existed goes
        on from its last decision"""
        pool = Pool()
        YearSequence = pool.get('municipality.year_sequence')
        company = setup_2026()
        owners = [create_person("Popescu", f"Ion {i}") for i in range(3)]
        for i, owner in enumerate(owners[:2]):
            own(create_vehicle(company, f'CJ0{i}AAA', euro_norm='euro4'),
                owner)
        self.assertEqual(sorted(d.number for d in assess(company)),
            ['2026/1', '2026/2'])
        self.assertEqual(assess(company), [])     # a re-run: nothing new
        # as a database numbered by the greatest number + 1 (before 8.0)
        YearSequence.delete(YearSequence.search([]))
        own(create_vehicle(company, 'CJ09AAA', euro_norm='euro4'), owners[2])
        decision, = assess(company)
        self.assertEqual((decision.number, decision.sequence), ('2026/3', 3))
        sequence, = YearSequence.search([])
        self.assertEqual(sequence.sequence.number_next, 4)

    @with_transaction()
    def test_taxpayer_found_by_decision_number(self):
        "The party search box finds the taxpayer of a decision by its number"
        Party = Pool().get('party.party')
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        other = create_person("Ionescu", "Maria")
        own(create_apartment(company), owner)
        own(create_vehicle(company, 'CJ01AAA', euro_norm='euro4'), other)
        decision, = [d for d in assess(company) if d.taxpayer == owner]
        for text in [decision.number, decision.payment_reference]:
            with self.subTest(text=text):
                self.assertEqual(
                    Party.search([('rec_name', 'ilike', f'%{text}%')]),
                    [owner])

    @with_transaction()
    def test_assessment_instalments_and_small_taxes(self):
        "Two equal instalments; a tax up to 50 lei per kind due by 31 March"
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        other = create_person("Ionescu", "Maria")
        own(create_apartment(company), owner)                     # 355
        own(create_vehicle(company, 'CJ01AAA', euro_norm='euro4'),
            owner)                                                # 150
        own(create_vehicle(company, 'CJ02AAA', category='trailer',
                fuel='other', max_mass=1000), owner)              # 9
        own(create_vehicle(company, 'CJ03AAA', category='trailer',
                fuel='other', max_mass=1000), other)              # 9
        decisions = assess(company, on=date(2026, 3, 2))
        self.assertEqual(len(decisions), 2)
        mine, = [d for d in decisions if d.taxpayer == owner]
        self.assertEqual(mine.total, D('514'))
        self.assertEqual(mine.number.split('/')[0], '2026')
        self.assertEqual(sorted(l.amount for l in mine.lines),
            [D('9'), D('150'), D('355')])
        # the vehicle tax is cumulated (159 lei) before the 50 lei rule
        self.assertEqual(sorted(schedule(owner)), sorted([
                    ('building', 1, date(2026, 3, 31), D('177.50')),
                    ('building', 2, date(2026, 9, 30), D('177.50')),
                    ('vehicle', 1, date(2026, 3, 31), D('79.50')),
                    ('vehicle', 2, date(2026, 9, 30), D('79.50')),
                    ]))
        self.assertEqual(schedule(other),
            [('vehicle', 1, date(2026, 3, 31), D('9'))])
        # a re-run assesses nobody twice
        self.assertEqual(assess(company, on=date(2026, 3, 2)), [])

    @with_transaction()
    def test_threshold_inclusive(self):
        "50 lei is paid whole by the first instalment, 51 lei in two"
        from ..assessment import Computation
        company = setup_2026()
        computation = Computation(company, 2026, date(2026, 1, 10))
        self.assertEqual(computation.schedule(D('50'), date(2026, 1, 10)),
            [(1, date(2026, 3, 31), D('50'))])
        self.assertEqual(computation.schedule(D('51'), date(2026, 1, 10)), [
                (1, date(2026, 3, 31), D('25.50')),
                (2, date(2026, 9, 30), D('25.50'))])
        self.assertEqual(computation.schedule(D('157'), date(2026, 1, 10)), [
                (1, date(2026, 3, 31), D('78.50')),
                (2, date(2026, 9, 30), D('78.50'))])
        # issued on 20 April: the past deadline becomes 20 May (art. 156(1))
        self.assertEqual(computation.schedule(D('157'), date(2026, 4, 20)), [
                (1, date(2026, 5, 20), D('78.50')),
                (2, date(2026, 9, 30), D('78.50'))])

    @with_transaction()
    def test_acquisition_and_sale_during_the_year(self):
        "The seller owes the year of the sale, the buyer from the next year"
        Ownership = Pool().get('ownership.ownership')
        company = setup_2026()
        seller = create_person("Popescu", "Ion")
        buyer = create_person("Ionescu", "Maria")
        apartment = create_apartment(company)
        own(apartment, seller, start=date(2010, 4, 2))
        Ownership.transfer('building', apartment, date(2026, 5, 1),
            "Contract 123/2026", [(buyer, 1, 1)])
        car = create_vehicle(company, 'CJ09XYZ', euro_norm='euro4',
            registration_date=date(2026, 2, 1))
        own(car, buyer, start=date(2026, 2, 1))
        decisions = assess(company, on=date(2026, 6, 1))
        self.assertEqual([d.taxpayer for d in decisions], [seller])
        self.assertEqual(decisions[0].total, D('355'))
        self.assertEqual(obligations(buyer), [])

    @with_transaction()
    def test_failed_batch_leaves_no_decision(self):
        "A vehicle without Euro norm in 2026 stops the batch: nothing issued"
        pool = Pool()
        Batch = pool.get('local_tax.assessment.batch')
        Assessment = pool.get('local_tax.assessment')
        company = setup_2026()
        good = create_person("Popescu", "Ion")
        bad = create_person("Ionescu", "Maria")
        own(create_apartment(company), good)
        own(create_vehicle(company, 'CJ01BAD', euro_norm=None), bad)
        batch = Batch(company=company, fiscal_year=2026,
            date=date(2026, 3, 2))
        batch.save()
        Batch.write([batch], {'state': 'running'})
        Batch.process([batch])
        self.assertEqual(batch.state, 'failed')
        self.assertIn('CJ01BAD', batch.message)
        self.assertEqual(Assessment.search([]), [])
        self.assertEqual(obligations(good), [])
        # fixed, the batch runs again and issues both
        vehicle, = pool.get('vehicle.vehicle').search(
            [('registration_number', '=', 'CJ01BAD')])
        vehicle.euro_norm = 'euro6'
        vehicle.save()
        Batch.write([batch], {'state': 'running'})
        Batch.process([batch])
        self.assertEqual(batch.state, 'done', batch.message)
        self.assertEqual(batch.issued, 2)

    @with_transaction()
    def test_batch_skipping_errors(self):
        "Asked to, the batch skips a taxpayer it cannot assess and lists it"
        Batch = Pool().get('local_tax.assessment.batch')
        company = setup_2026()
        good = create_person("Popescu", "Ion")
        bad = create_person("Ionescu", "Maria")
        own(create_apartment(company), good)
        own(create_vehicle(company, 'CJ01BAD', euro_norm=None), bad)
        batch = Batch(company=company, fiscal_year=2026,
            date=date(2026, 3, 2), on_error='skip')
        batch.save()
        Batch.write([batch], {'state': 'running'})
        Batch.process([batch])
        self.assertEqual(batch.state, 'done')
        self.assertEqual(batch.issued, 1)
        self.assertIn('Ionescu', batch.message)
        self.assertIn('CJ01BAD', batch.message)
        # once the data is complete the taxpayer is assessed alone
        vehicle, = Pool().get('vehicle.vehicle').search(
            [('registration_number', '=', 'CJ01BAD')])
        vehicle.euro_norm = 'euro6'
        vehicle.save()
        decision, = assess(company, [bad])
        self.assertEqual(decision.kind, 'initial')

    @with_transaction()
    def test_year_without_decision(self):
        "A year with no council decision is refused"
        load_code_tables(2026)
        company = create_municipality()
        with self.assertRaises(NoDecisionError):
            assess(company)

    @with_transaction()
    def test_issued_decision_not_modifiable(self):
        "An issued decision, its lines and obligations are never changed"
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        decision, = assess(company)
        Assessment = Pool().get('local_tax.assessment')
        Obligation = Pool().get('local_tax.obligation')
        with self.assertRaises(AccessError):
            Assessment.write([decision], {'total': D('1')})
        with self.assertRaises(AccessError):
            Assessment.delete([decision])
        with self.assertRaises(AccessError):
            Obligation.write(list(decision.obligations), {'amount': D('1')})
        with self.assertRaises(AccessError):
            Obligation.delete(list(decision.obligations))

    @with_transaction()
    def test_decision_payment_reference(self):
        "Each decision gets a random, unique, unchangeable payment reference"
        company = setup_2026()
        owners = [create_person("Popescu", f"Ion{i}") for i in range(3)]
        for owner in owners:
            own(create_apartment(company), owner)
        decisions = assess(company)
        Assessment = Pool().get('local_tax.assessment')
        references = [d.payment_reference for d in decisions]
        self.assertEqual(len(set(references)), 3)
        for reference in references:
            self.assertRegex(reference, r'^[0-9]{12}$')
        self.assertEqual(
            Assessment.search([('payment_reference', '=', references[1])]),
            [decisions[1]])
        with self.assertRaises(AccessError):
            Assessment.write([decisions[0]],
                {'payment_reference': references[1]})
        # a corrective decision has its own
        own(create_vehicle(company, euro_norm="euro4"), owners[0])
        corrective, = assess(company, [owners[0]], reason="vehicle")
        self.assertEqual(corrective.kind, 'corrective')
        self.assertRegex(corrective.payment_reference, r'^[0-9]{12}$')
        self.assertNotIn(corrective.payment_reference, references)

    @with_transaction()
    def test_payment_reference_migration(self):
        "Decisions issued before the references existed get one on update"
        from trytond import backend
        from trytond.transaction import Transaction
        company = setup_2026()
        for i in range(2):
            own(create_apartment(company), create_person("Pop", f"Ana{i}"))
        decisions = assess(company)
        Assessment = Pool().get('local_tax.assessment')
        table = Assessment.__table_handler__('local_tax')
        if backend.name == 'sqlite':
            raise unittest.SkipTest("SQLite cannot drop the constraint")
        table.drop_constraint('payment_reference_unique')
        table.drop_column('payment_reference')
        Assessment.__register__('local_tax')
        cursor = Transaction().connection.cursor()
        sql = Assessment.__table__()
        cursor.execute(*sql.select(sql.payment_reference,
                where=sql.id.in_([d.id for d in decisions])))
        references = [r for r, in cursor]
        self.assertEqual(len(set(references)), 2)
        for reference in references:
            self.assertRegex(reference, r'^[0-9]{12}$')

    @with_transaction()
    def test_exemptions_by_month(self):
        "A full exemption from January; a 50 % reduction from July"
        Exemption = Pool().get('local_tax.exemption')
        company = setup_2026()
        veteran = create_person("Popescu", "Ion")
        other = create_person("Ionescu", "Maria")
        own(create_apartment(company), veteran)
        own(create_apartment(company), other)
        Exemption.create([{
                    'company': company.id, 'party': veteran.id,
                    'tax': 'building', 'percentage': D(100),
                    'legal_basis': "art. 456(1)",
                    'start_date': date(2025, 6, 1),
                    }, {
                    'company': company.id, 'party': other.id,
                    'percentage': D(50), 'legal_basis': "OUG 2026",
                    'start_date': date(2026, 7, 1),
                    }])
        decisions = assess(company)
        self.assertEqual([d.taxpayer for d in decisions], [veteran, other])
        exempted, reduced = decisions
        self.assertEqual(exempted.total, D('0'))
        self.assertEqual(obligations(veteran), [])
        # 354.9702 × (1 − 50 % × 6/12) = 266.23 → 266
        self.assertEqual(reduced.total, D('266'))

    # Payments

    @with_transaction()
    def test_payment_confirmed_three_times_booked_once(self):
        "The same transaction id books one payment"
        Payment = Pool().get('local_tax.payment')
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        assess(company)
        payments = [pay(company, owner, '177.50', date(2026, 3, 20),
                channel='ghiseul', external_id='GH-2026-000042')
            for _ in range(3)]
        self.assertEqual(len({p.id for p in payments}), 1)
        self.assertEqual(len(Payment.search([])), 1)
        self.assertEqual(unpaid(owner)['Building Tax 2026, instalment 1'],
            D('0'))
        # the same id with another amount is refused, not booked
        with self.assertRaises(PaymentError):
            pay(company, owner, '100', date(2026, 3, 20), channel='ghiseul',
                external_id='GH-2026-000042')
        self.assertEqual(len(Payment.search([])), 1)

    @with_transaction()
    def test_bad_payments_refused(self):
        "A negative amount, no taxpayer, an online payment without id"
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        for amount in ['-10', '0', '10.005']:
            with self.assertRaises(PaymentError):
                pay(company, owner, amount, date(2026, 3, 1))
        with self.assertRaises(PaymentError):
            pay(company, None, '10', date(2026, 3, 1))
        with self.assertRaises(PaymentError):
            pay(company, owner, '10', date(2026, 3, 1), channel='portal')
        Payment = Pool().get('local_tax.payment')
        self.assertEqual(Payment.search([]), [])

    @with_transaction()
    def test_bonification_31_march_and_1_april(self):
        "10 % when the year's tax is paid by 31 March; none on 1 April"
        company = setup_2026(bonification='10')
        early = create_person("Popescu", "Ion")
        late = create_person("Ionescu", "Maria")
        own(create_apartment(company), early)
        own(create_apartment(company), late)
        assess(company)
        # 355 − 35.50 = 319.50 on 31 March: the whole year is paid
        payment = pay(company, early, '319.50', date(2026, 3, 31))
        self.assertEqual(payment.unallocated, D('0'))
        self.assertEqual(set(unpaid(early).values()), {D('0')})
        position = fiscal_file().position(company, early, date(2026, 12, 31))
        self.assertEqual(position['balance'], D('0'))
        # the same on 1 April: instalment 1 paid a day late bears 1 %
        # (1.78 lei), the rest goes to instalment 2
        payment = pay(company, late, '319.50', date(2026, 4, 1))
        self.assertEqual(payment.unallocated, D('0'))
        balances = unpaid(late)
        self.assertEqual(balances['Building Tax 2026, instalment 1'], D('0'))
        self.assertEqual(
            balances['Late-payment surcharge on Building Tax 2026, '
                'instalment 1'], D('0'))
        self.assertEqual(
            balances['Building Tax 2026, instalment 2'], D('37.28'))

    @with_transaction()
    def test_deadline_on_a_saturday(self):
        """31 March 2029 is a Saturday: the instalment and the bonification
        are due on Monday 2 April (CPF art. 75, CPC art. 181(2)); the whole
        year paid that day gets the bonification and bears no surcharge"""
        pool = Pool()
        CodeTable = pool.get('local_tax.code_table')
        Calendar = pool.get('municipality.calendar')
        from ..code_table import SHIPPED_DIR
        # the 2026 Code table and the fixed public holidays of Codul muncii
        # art. 139 standing for 2029's (no 2029 table or calendar ships)
        CodeTable.import_csv((SHIPPED_DIR / 'code-table-2026.csv').read_text(
                encoding='utf-8').replace('2026', '2029'))
        Calendar.import_csv('date,name\n' + ''.join(
                f'2029-{day},holiday\n' for day in [
                    '01-01', '01-02', '01-06', '01-07', '01-24', '05-01',
                    '06-01', '08-15', '11-30', '12-01', '12-25', '12-26']))
        company = create_municipality()
        set_rank(company, '0')
        create_decision(company, 2029, bonification=D('10'))
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        assessment, = assess(company, on=date(2029, 3, 2), year=2029)
        self.assertEqual(assessment.bonification_deadline, date(2029, 4, 2))
        # 30 September 2029 is a Sunday: Monday 1 October
        self.assertEqual(
            [o.due_date for o in obligations(owner, state='posted')],
            [date(2029, 4, 2), date(2029, 10, 1)])
        total = assessment.total
        payment = pay(company, owner, total - total / 10, date(2029, 4, 2))
        self.assertEqual(payment.unallocated, D('0'))
        self.assertEqual(set(unpaid(owner).values()), {D('0')})
        self.assertEqual(obligations(owner, tax_type='surcharge'), [])

    @with_transaction()
    def test_bonification_needs_the_whole_year(self):
        "Only instalment 1 paid by 31 March: no bonification"
        company = setup_2026(bonification='10')
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        assess(company)
        pay(company, owner, '177.50', date(2026, 3, 31))
        self.assertEqual(
            unpaid(owner)['Building Tax 2026, instalment 2'], D('177.50'))
        # the rest paid on 31 March too: the whole year less 10 %
        pay(company, owner, '142', date(2026, 3, 31))
        self.assertEqual(set(unpaid(owner).values()), {D('0')})

    @with_transaction()
    def test_payable_everything_with_bonification(self):
        "Before 31 March: fine 100 + 355 − 35.50 bonification = 419.50"
        company = setup_2026(bonification='10')
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        assess(company)
        fine(company, owner, '100', date(2026, 2, 10))
        due = fiscal_file().payable(company, owner, date(2026, 3, 15))
        self.assertEqual(
            [(l.obligation.tax_type, l.balance, l.surcharge, l.bonification)
                for l in due.lines], [
                ('fine', D('100'), D('0'), D('0')),
                ('building', D('177.50'), D('0'), D('0')),
                ('building', D('177.50'), D('0'), D('35.50')),
                ])
        self.assertEqual(
            (due.total, due.bonification, due.to_pay),
            (D('455.00'), D('35.50'), D('419.50')))
        payment = pay(company, owner, due.to_pay, date(2026, 3, 15),
            channel='ghiseul', external_id='T-1', obligations=due.obligations)
        self.assertEqual(payment.unallocated, D('0'))
        self.assertEqual(set(unpaid(owner).values()), {D('0')})
        self.assertEqual(
            fiscal_file().payable(company, owner, date(2026, 3, 15)).lines,
            [])

    @with_transaction()
    def test_payable_chosen_obligation_with_its_surcharge(self):
        """On 2 May, instalment 1 (177.50, due 31 March) bears 2 × 1 % =
        3.55; the unpaid enforceable fine is paid first (art. 165(2)); the
        land tax not chosen stays untouched"""
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        assess(company)
        ticket = fine(company, owner, '100', date(2026, 2, 10))
        land = fine(company, owner, '200', date(2026, 3, 31),
            tax_type='land', enforceable=False, description="Land Tax 2026")
        first, = [o for o in obligations(owner, tax_type='building')
            if o.instalment == 1]
        due = fiscal_file().payable(
            company, owner, date(2026, 5, 2), obligations=[first])
        self.assertEqual(
            [(l.obligation, l.balance, l.surcharge) for l in due.lines], [
                (ticket, D('100'), D('0')),
                (first, D('177.50'), D('3.55')),
                ])
        self.assertEqual(due.to_pay, D('281.05'))
        payment = pay(company, owner, due.to_pay, date(2026, 5, 2),
            obligations=[first])
        self.assertEqual(payment.unallocated, D('0'))
        balances = unpaid(owner)
        self.assertEqual(balances["Amendă"], D('0'))
        self.assertEqual(balances['Building Tax 2026, instalment 1'], D('0'))
        self.assertEqual(balances[
                'Late-payment surcharge on Building Tax 2026, '
                'instalment 1'], D('0'))
        self.assertEqual(balances["Land Tax 2026"], D('200'))
        self.assertEqual(
            balances['Building Tax 2026, instalment 2'], D('177.50'))
        # the unpaid ones are found by their balance (SQLite too)
        Obligation = Pool().get('local_tax.obligation')
        second, = [o for o in obligations(owner, tax_type='building')
            if o.instalment == 2]
        self.assertEqual(set(Obligation.search([
                        ('taxpayer', '=', owner.id), ('balance', '>', 0)])),
            {land, second})
        # only fees chosen: the fine is not put first
        fee = fine(company, owner, '20', date(2026, 6, 30), tax_type='fee',
            description="Taxă certificat")
        fine(company, owner, '50', date(2026, 4, 10), description="PV 2")
        due = fiscal_file().payable(
            company, owner, date(2026, 5, 2), obligations=[fee])
        self.assertEqual(due.obligations, [fee])

    @with_transaction()
    def test_allocation_order_art_165(self):
        "Fines first, the indicated debt, principal oldest first, accessories"
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        old_tax = fine(company, owner, '80', date(2025, 9, 30),
            tax_type='building', description="Building Tax 2025")
        ticket = fine(company, owner, '100', date(2026, 2, 10),
            description="Amendă PV 12/2026")
        fee = fine(company, owner, '20', date(2026, 4, 30), tax_type='fee',
            description="Taxă certificat")
        tax = fine(company, owner, '200', date(2026, 3, 31),
            tax_type='land', description="Land Tax 2026")
        # 150 lei indicating the 2026 land tax, on 15 April: the fine first
        pay(company, owner, '150', date(2026, 4, 15), obligations=[tax])
        balances = unpaid(owner)
        self.assertEqual(balances["Amendă PV 12/2026"], D('0'))
        self.assertEqual(balances["Land Tax 2026"], D('150'))
        self.assertEqual(balances["Building Tax 2025"], D('80'))
        # the 50 lei paid on the land tax 15 days late: 1 % = 0.50
        self.assertEqual(balances[
                "Late-payment surcharge on Land Tax 2026"], D('0.50'))
        # paying a fee does not go to the fine first (art. 165(2))
        ticket2 = fine(company, owner, '50', date(2026, 4, 10),
            description="Amendă PV 13/2026")
        pay(company, owner, '20', date(2026, 4, 15), obligations=[fee])
        balances = unpaid(owner)
        self.assertEqual(balances["Taxă certificat"], D('0'))
        self.assertEqual(balances["Amendă PV 13/2026"], D('50'))
        # 300 lei, nothing indicated: the fine, the principal oldest first
        # (2025 tax, 7 months late: 5.60 lei surcharge), then accessories
        pay(company, owner, '300', date(2026, 4, 20))
        balances = unpaid(owner)
        self.assertEqual(balances["Amendă PV 13/2026"], D('0'))
        self.assertEqual(balances["Building Tax 2025"], D('0'))
        self.assertEqual(balances["Land Tax 2026"], D('0'))
        self.assertEqual(balances[
                "Late-payment surcharge on Building Tax 2025"], D('0'))
        # 300 − 50 − 80 − 150 = 20 left: 0.50 + 5.60 + 1.50 of surcharges,
        # the rest a credit
        position = fiscal_file().position(company, owner, date(2026, 4, 20))
        self.assertEqual(position['accessories'], D('0'))
        self.assertEqual(position['credit'], D('12.40'))
        del ticket, ticket2, old_tax

    @with_transaction()
    def test_cancel_payment_is_a_reversal(self):
        "Cancelling books a reversal; the debts and surcharge are restored"
        Payment = Pool().get('local_tax.payment')
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        tax = fine(company, owner, '200', date(2026, 3, 31),
            tax_type='land', description="Land Tax 2026")
        payment = pay(company, owner, '210', date(2026, 5, 5))
        self.assertEqual(unpaid(owner)["Land Tax 2026"], D('0'))
        Payment.cancel([payment])
        self.assertEqual(payment.state, 'cancelled')
        reversal, = Payment.search([('reversal_of', '=', payment.id)])
        self.assertEqual(reversal.amount, D('-210'))
        balances = unpaid(owner)
        self.assertEqual(balances["Land Tax 2026"], D('200'))
        self.assertEqual(balances[
                "Late-payment surcharge on Land Tax 2026"], D('0'))
        today = Pool().get('ir.date').today()
        self.assertEqual(
            fiscal_file().position(company, owner, today)['credit'], D('0'))
        with self.assertRaises(AccessError):
            Payment.delete([payment])
        del tax

    @with_transaction()
    def test_corrective_decision_credit(self):
        "February 2026: 418 lei assessed and paid, corrected to 355: credit"
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        initial, = assess(company, on=date(2026, 2, 1))
        self.assertEqual(initial.total, D('418'))
        pay(company, owner, '418', date(2026, 2, 10))
        corrective, = assess(company, [owner], on=AFTER_OUG,
            reason="OUG of 27.02.2026: reductions by age")
        self.assertEqual(corrective.kind, 'corrective')
        self.assertEqual(corrective.corrects, initial)
        self.assertEqual(corrective.total, D('355'))
        position = fiscal_file().position(company, owner, AFTER_OUG)
        self.assertEqual(position['principal'], D('0'))
        self.assertEqual(position['credit'], D('63'))
        # nothing changed since: no new decision
        self.assertEqual(assess(company, [owner], on=AFTER_OUG), [])
        # the credit is offset against the next debt (art. 167)
        fine(company, owner, '50', date(2026, 4, 10))
        position = fiscal_file().position(company, owner, date(2026, 4, 10))
        self.assertEqual(position['principal'], D('0'))
        self.assertEqual(position['credit'], D('13'))

    @with_transaction()
    def test_corrective_decision_increase(self):
        """A tax raised after the first deadline: the difference per art. 156,
        due on 5 July — a Sunday in 2026, so on Monday 6 July"""
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        apartment = create_apartment(company)
        own(apartment, owner)
        assess(company, on=AFTER_OUG)
        apartment.built_area = D('120')
        apartment.save()
        corrective, = assess(company, [owner], on=date(2026, 6, 10))
        self.assertEqual(corrective.total, D('710'))
        self.assertIn(('building', 1, date(2026, 7, 6), D('177.50')),
            schedule(owner))
        self.assertIn(('building', 2, date(2026, 9, 30), D('177.50')),
            schedule(owner))

    @with_transaction()
    def test_fiscal_position_surcharge_on_date(self):
        "The surcharge is computable on any date, booked only when paid"
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        assess(company)
        position = fiscal_file().position(company, owner, date(2026, 5, 2))
        # instalment 1 (177.50) unpaid since 31 March: 2 months → 3.55
        self.assertEqual(position['pending_surcharge'], D('3.55'))
        self.assertEqual(position['balance'], D('358.55'))
        position = fiscal_file().position(company, owner, date(2026, 3, 31))
        self.assertEqual(position['pending_surcharge'], D('0'))

    @with_transaction()
    def test_fiscal_file_on_the_party(self):
        "The clerk sees the whole fiscal file on the taxpayer's form"
        from trytond.transaction import Transaction
        Party = Pool().get('party.party')
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        assess(company)
        pay(company, owner, '100', date(2026, 3, 20))
        with Transaction().set_context(
                company=company.id, fiscal_file_date=date(2026, 5, 2)):
            owner = Party(owner.id)
            self.assertEqual(len(owner.fiscal_assessments), 1)
            self.assertEqual(len(owner.fiscal_obligations), 2)
            self.assertEqual(len(owner.fiscal_payments), 1)
            self.assertEqual(owner.fiscal_principal, D('255'))
            # 77.50 of instalment 1 unpaid since 31 March: 2 % = 1.55
            self.assertEqual(owner.fiscal_accessories, D('1.55'))
            self.assertEqual(owner.fiscal_balance, D('256.55'))

    @with_transaction()
    def test_import_council_decision(self):
        "The demo HCL file gives a decision within the Code's bounds"
        from ..code_table import SHIPPED_DIR
        from ..decision_import import import_decision
        from ..exceptions import CodeTableImportError
        Decision = Pool().get('local_tax.council_decision')
        load_code_tables(2026)
        company = create_municipality()
        data = (SHIPPED_DIR / 'demo-hcl-2026.csv').read_bytes()
        decision = import_decision(company, data)
        self.assertEqual(decision.state, 'draft')
        self.assertEqual(decision.number, '212')
        self.assertEqual(decision.bonification, D('10'))
        self.assertEqual(len(decision.amounts), 33)
        Decision.approve([decision])
        # a value outside the Code's range is refused, nothing is created
        bad = data.decode().replace(
            'building_rate_residential,,,,,,,,0.1',
            'building_rate_residential,,,,,,,,0.3').encode()
        with self.assertRaises(UserError):
            import_decision(company, bad)
        # a row naming no Code value
        bad = data.decode() + '2026,212,2025-12-18,,land_built,,,E,0,,,1,,\n'
        with self.assertRaises(CodeTableImportError):
            import_decision(company, bad.encode())
        self.assertEqual(len(Decision.search([])), 1)
