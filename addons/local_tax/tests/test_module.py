# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tests of the local taxes.

The worked examples are the published computations of an apartment
(art. 457), of land (art. 465) and of a car (art. 470).  No test rests on a value the Code table tags R alone: where a rule
uses one (the 400 m² threshold, the trailer amounts, the rounding of exactly
0.50), the test varies the parameter or sets the amount itself."""
import datetime as dt
import itertools
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.municipality.tests.tools import (
    create_building, create_municipality, create_parcel, create_person, own)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction, check_access

from ..code_table import SHIPPED_DIR
from ..exceptions import (
    ApprovedDecisionError, CodeTableImportError, NoDecisionError,
    OutOfRangeError, TaxObjectError)
from ..rules import TaxParameters, capacity_groups, object_tax, round_tax
from .tools import code_line, create_decision, load_code_tables, owner_taxes

D = Decimal
PARCEL_NUMBERS = itertools.count(100001)
# Reference dates in 2026 before and after the OUG of 27.02.2026 that
# reinstated the reductions by age
BEFORE_OUG = dt.date(2026, 2, 1)
AFTER_OUG = dt.date(2026, 3, 2)
IN_2025 = dt.date(2025, 3, 1)


def set_rank(company, rank):
    "Give the seat locality of the municipality another rank"
    Locality = Pool().get('municipality.locality')
    Locality.write([company.seat], {'rank': rank})


def create_apartment(company, **values):
    """The apartment of the worked example of art. 457: 60 m² of built
    developed area, type A with all utilities, in a block built in 1975, in
    fiscal zone A"""
    parcel = create_parcel(company, number=str(next(PARCEL_NUMBERS)))
    values.setdefault('construction_type', 'A')
    values.setdefault('year_built', 1975)
    values.setdefault('built_area', D('60'))
    values.setdefault('apartment_in_block', True)
    values.setdefault('unit_number', '12')
    if values['apartment_in_block']:
        # a block of 4 levels (P+3) and 20 apartments
        values.setdefault('floors', 4)
        values.setdefault('block_apartments', 20)
    for utility in ['water', 'sewerage', 'electricity', 'heating']:
        values.setdefault(utility, True)
    return create_building(parcel, **values)


def create_land(company, area, category='built', intravilan=True, zone='A',
        number='200001'):
    "A parcel in the seat locality, without street"
    Parcel = Pool().get('property.parcel')
    parcel = Parcel(
        company=company, cadastral_number=number, area=D(area),
        locality=company.seat, use_category=category,
        intravilan=intravilan, fiscal_zone=zone)
    parcel.save()
    return parcel


def create_vehicle(company, number='CJ12ABC', capacity=1598, **values):
    Vehicle = Pool().get('vehicle.vehicle')
    values.setdefault('category', 'car')
    values.setdefault('fuel', 'petrol')
    values.setdefault('registration_date', dt.date(2019, 3, 1))
    if values['fuel'] != 'electric':
        values['cylinder_capacity'] = capacity
    vehicle = Vehicle(company=company, registration_number=number, **values)
    vehicle.save()
    return vehicle


def tax_of(asset, company, year, date):
    "The tax of the whole object, not rounded, and the parameters used"
    Decision = Pool().get('local_tax.council_decision')
    params = TaxParameters(Decision.get_applicable(company, year, date))
    return object_tax(asset, params, date)[1], params


def rounded(asset, company, year, date):
    amount, params = tax_of(asset, company, year, date)
    return round_tax(amount, params.decision.rounding)


BUCHAREST_2025_VALUE = [
    # the HCL-indexed value of type A with utilities (art. 457(2), tagged V)
    ('building_value', {'category': 'A', 'variant': 'with_utilities'},
        '1492'),
    ]


class LocalTaxTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Local Tax module"
    module = 'local_tax'

    # Code tables

    @with_transaction()
    def test_shipped_tables_load(self):
        "Both years load, each line with its article and confidence"
        tables = load_code_tables()
        self.assertEqual(sorted(t.year for t in tables), [2025, 2026])
        for table in tables:
            self.assertTrue(table.legal_basis)
            confidences = {l.confidence for l in table.lines}
            self.assertLessEqual(confidences, {'V', 'S', 'R'})
            self.assertIn('R', confidences)
            for line in table.lines:
                self.assertTrue(line.article.startswith('art. '))
            # 4 zones × 6 ranks, art. 457(6) and 465(2)
            for kind in ['building_coefficient', 'land_built']:
                self.assertEqual(
                    len([l for l in table.lines if l.kind == kind]), 24)

    @with_transaction()
    def test_shipped_tables_year_differences(self):
        "2025 and 2026 differ where Legea 239/2025 changed the Code"
        load_code_tables()
        self.assertEqual(
            code_line(2025, 'building_value', category='A',
                variant='with_utilities').value, D('1000'))
        self.assertEqual(
            code_line(2026, 'building_value', category='A',
                variant='with_utilities').value, D('2677'))
        self.assertEqual(
            code_line(2025, 'block_reduction').value, D('0.10'))
        self.assertFalse([l for l in code_line(
                    2026, 'building_coefficient', zone='A', rank='0'
                    ).code_table.lines if l.kind == 'block_reduction'])
        self.assertEqual(
            code_line(2026, 'vehicle_electric', category='car').value,
            D('40'))
        # indexed by the council in 2025, not in 2026 (art. 491)
        self.assertTrue(code_line(
                2025, 'land_built', zone='A', rank='IV').indexable)
        self.assertFalse(code_line(
                2026, 'land_built', zone='A', rank='IV').indexable)

    @with_transaction()
    def test_import_updates_in_place(self):
        "A re-import keeps the lines, so the decisions keep their amounts"
        pool = Pool()
        Line = pool.get('local_tax.code_table.line')
        load_code_tables(2026)
        company = create_municipality()
        decision = create_decision(company, 2026, amounts=[
                ('land_extravilan', {'category': 'arable'}, '112')])
        ids = sorted(l.id for l in Line.search([]))
        load_code_tables(2026)
        self.assertEqual(sorted(l.id for l in Line.search([])), ids)
        self.assertEqual(decision.amounts[0].code_line.category, 'arable')

    @with_transaction()
    def test_import_refuses_bad_files(self):
        "A file without a column or with a bad value names what is wrong"
        CodeTable = Pool().get('local_tax.code_table')
        with self.assertRaises(CodeTableImportError) as cm:
            CodeTable.import_csv('year,kind\n2026,land_built\n')
        self.assertIn('article', cm.exception.message)
        header = ('year,kind,category,variant,zone,rank,band_min,band_max,'
            'value,minimum,maximum,unit,indexable,valid_from,valid_to,'
            'article,law,confidence,note\n')
        with self.assertRaises(CodeTableImportError) as cm:
            CodeTable.import_csv(header
                + '2026,land_built,,,A,IV,,,,711,1788,lei_ha,no,,,'
                'art. 465(2),L,V,\n'
                + '2026,land_built,,,A,V,,,,569,1422,lei_ha,no,,,'
                'art. 465(2),L,X,\n')
        self.assertIn('3', cm.exception.message)
        self.assertIn('confidence', cm.exception.message)
        with self.assertRaises(ValidationError):
            CodeTable.import_csv(header
                + '2026,land_built,,,A,IV,,,,1788,711,lei_ha,no,,,'
                'art. 465(2),L,V,\n')

    @with_transaction()
    def test_import_keeps_lines_in_use(self):
        "A line a decision uses cannot disappear by a re-import"
        pool = Pool()
        CodeTable = pool.get('local_tax.code_table')
        load_code_tables(2026)
        company = create_municipality()
        create_decision(company, 2026, amounts=[
                ('land_extravilan', {'category': 'arable'}, '112')])
        text = (SHIPPED_DIR / 'code-table-2026.csv').read_text(
            encoding='utf-8')
        text = '\n'.join(l for l in text.splitlines()
            if not l.startswith('2026,land_extravilan,arable,'))
        with self.assertRaises(CodeTableImportError):
            CodeTable.import_csv(text)

    @with_transaction()
    def test_corrected_bound_checked_against_decisions(self):
        "A Code bound corrected under an amount the council chose is refused"
        load_code_tables(2026)
        company = create_municipality()
        create_decision(company, 2026, amounts=[
                ('land_extravilan', {'category': 'arable'}, '130')])
        line = code_line(2026, 'land_extravilan', category='arable')
        line.maximum = D('125')
        with self.assertRaises(OutOfRangeError):
            line.save()

    # Council decisions

    @with_transaction()
    def test_rate_out_of_range_refused(self):
        "A rate outside the Code's range names the value, bound and article"
        load_code_tables(2026)
        company = create_municipality()
        with self.assertRaises(OutOfRangeError) as cm:
            create_decision(company, 2026, residential='0.25')
        message = cm.exception.message
        self.assertIn('0.25', message)
        self.assertIn('0.2 ', message)
        self.assertIn('art. 457(1)', message)
        with self.assertRaises(OutOfRangeError) as cm:
            create_decision(company, 2026, non_residential='0.1')
        self.assertIn('0.1', cm.exception.message)
        self.assertIn('art. 458', cm.exception.message)
        with self.assertRaises(OutOfRangeError):
            create_decision(company, 2026, bonification=D('12'))

    @with_transaction()
    def test_amount_out_of_range_refused(self):
        "An amount outside the range of the Code's table is refused"
        load_code_tables(2026)
        company = create_municipality()
        with self.assertRaises(OutOfRangeError) as cm:
            create_decision(company, 2026, amounts=[
                    ('land_extravilan', {'category': 'arable'}, '140')])
        message = cm.exception.message
        self.assertIn('140', message)
        self.assertIn('134', message)
        self.assertIn('art. 465(7)', message)
        with self.assertRaises(OutOfRangeError) as cm:
            create_decision(company, 2026, amounts=[
                    ('land_built', {'zone': 'A', 'rank': 'IV'}, '700')])
        self.assertIn('711', cm.exception.message)
        self.assertIn('art. 465(2)', cm.exception.message)

    @with_transaction()
    def test_code_amount_not_indexable_in_2026(self):
        "In 2026 the council cannot change the Code's building values"
        load_code_tables(2026)
        company = create_municipality()
        with self.assertRaises(ValidationError) as cm:
            create_decision(company, 2026, amounts=[
                    ('building_value',
                        {'category': 'A', 'variant': 'with_utilities'},
                        '3000')])
        self.assertIn('2677', cm.exception.message)
        self.assertIn('art. 457(2)', cm.exception.message)

    @with_transaction()
    def test_indexation_widens_indexable_ranges(self):
        "2025: the council's indexation widens the ranges it indexes"
        load_code_tables(2025)
        company = create_municipality()
        # art. 465(2) zone A rank IV: 711–1,788 lei/ha, indexed by 10 %
        decision = create_decision(
            company, 2025, indexation=D('10'), approve=False, amounts=[
                ('land_built', {'zone': 'A', 'rank': 'IV'}, '1966')])
        decision.indexation = D('0')
        with self.assertRaises(OutOfRangeError) as cm:
            decision.save()
        self.assertIn('1788', cm.exception.message)
        with self.assertRaises(OutOfRangeError):
            create_decision(company, 2025, number='2', indexation=D('10'),
                amounts=[
                    ('land_built', {'zone': 'A', 'rank': 'IV'}, '1967')])

    @with_transaction()
    def test_year_without_decision_refused(self):
        "Computing a year without an approved decision is refused"
        load_code_tables(2026)
        company = create_municipality()
        person = create_person("Popescu", "Ion")
        with self.assertRaises(NoDecisionError) as cm:
            owner_taxes(person, company, 2026, AFTER_OUG)
        self.assertIn('2026', cm.exception.message)
        create_decision(company, 2026, approve=False)
        with self.assertRaises(NoDecisionError):
            owner_taxes(person, company, 2026, AFTER_OUG)
        self.assertTrue(issubclass(NoDecisionError, UserError))

    @with_transaction()
    def test_decision_applies_from_adoption(self):
        "The last decision adopted by the reference date applies"
        pool = Pool()
        Decision = pool.get('local_tax.council_decision')
        load_code_tables(2026)
        company = create_municipality()
        first = create_decision(company, 2026, date=dt.date(2025, 12, 18))
        second = create_decision(
            company, 2026, number='2', residential='0.08',
            date=dt.date(2026, 3, 10))
        self.assertEqual(Decision.get_applicable(
                company, 2026, dt.date(2026, 3, 9)), first)
        self.assertEqual(Decision.get_applicable(
                company, 2026, dt.date(2026, 3, 10)), second)
        with self.assertRaises(NoDecisionError):
            Decision.get_applicable(company, 2026, dt.date(2025, 12, 1))

    @with_transaction()
    def test_approved_decision_not_modifiable(self):
        "An approved decision and its amounts cannot be changed or deleted"
        pool = Pool()
        Decision = pool.get('local_tax.council_decision')
        Amount = pool.get('local_tax.council_decision.amount')
        load_code_tables(2026)
        company = create_municipality()
        draft = create_decision(company, 2026, approve=False, amounts=[
                ('land_extravilan', {'category': 'arable'}, '112')])
        Decision.write([draft], {'building_rate_residential': D('0.15')})
        Decision.approve([draft])
        decision = draft
        self.assertEqual(decision.state, 'approved')
        # a copy is a new draft
        copy, = Decision.copy([decision])
        self.assertEqual(copy.state, 'draft')
        self.assertEqual(len(copy.amounts), 1)
        with self.assertRaises(ApprovedDecisionError):
            Decision.write(
                [decision], {'building_rate_residential': D('0.12')})
        with self.assertRaises(ApprovedDecisionError):
            Decision.write([decision], {'number': '2'})
        with self.assertRaises(ApprovedDecisionError):
            Decision.delete([decision])
        with self.assertRaises(ApprovedDecisionError):
            Amount.write(list(decision.amounts), {'amount': D('120')})
        with self.assertRaises(ApprovedDecisionError):
            Amount.delete(list(decision.amounts))
        with self.assertRaises(ApprovedDecisionError):
            Amount.create([{
                        'decision': decision.id,
                        'code_line': code_line(
                            2026, 'land_extravilan', category='pasture').id,
                        'amount': D('60'),
                        }])
        self.assertTrue(issubclass(ApprovedDecisionError, AccessError))

    @with_transaction()
    def test_approve_needs_rates(self):
        "A decision without its building rates cannot be approved"
        pool = Pool()
        Decision = pool.get('local_tax.council_decision')
        load_code_tables(2026)
        company = create_municipality()
        decision = create_decision(company, 2026, approve=False)
        decision.building_rate_non_residential = None
        decision.save()
        with self.assertRaises(ValidationError):
            Decision.approve([decision])

    @with_transaction()
    def test_code_table_of_another_year_refused(self):
        "The decision of a year uses the Code table of that year"
        pool = Pool()
        Decision = pool.get('local_tax.council_decision')
        CodeTable = pool.get('local_tax.code_table')
        load_code_tables()
        company = create_municipality()
        table_2025, = CodeTable.search([('year', '=', 2025)])
        with self.assertRaises(ValidationError):
            Decision(company=company, fiscal_year=2026, number='1',
                date=dt.date(2025, 12, 18), code_table=table_2025).save()
        decision = Decision(fiscal_year=2026)
        decision.on_change_fiscal_year()
        self.assertEqual(decision.code_table.year, 2026)

    @with_transaction()
    def test_access_clerk_reads_head_writes(self):
        "A DITL clerk reads the decisions; only the head adopts them"
        pool = Pool()
        User = pool.get('res.user')
        Group = pool.get('res.group')
        ModelData = pool.get('ir.model.data')
        Decision = pool.get('local_tax.council_decision')
        load_code_tables(2026)
        company = create_municipality()
        create_decision(company, 2026)
        users = {}
        for name in ['clerk', 'head']:
            group = Group(ModelData.get_id(
                    'local_tax', f'group_local_tax_{name}'))
            user = User(login=name, groups=[group], companies=[company],
                company=company)
            user.save()
            users[name] = user
        values = {
            'company': company.id, 'fiscal_year': 2026, 'number': '9',
            'date': dt.date(2026, 1, 5),
            'code_table': Decision.search([])[0].code_table.id,
            }
        with Transaction().set_user(users['clerk'].id), \
                Transaction().set_context(company=company.id), \
                check_access():
            self.assertEqual(len(Decision.search([])), 1)
            with self.assertRaises(AccessError):
                Decision.create([values])
        with Transaction().set_user(users['head'].id), \
                Transaction().set_context(company=company.id), \
                check_access():
            decision, = Decision.create([values])
            self.assertEqual(decision.state, 'draft')

    # Buildings: the worked examples of art. 457

    @with_transaction()
    def test_building_example_2025(self):
        "2025, Bucharest zone A: 60 × 1,492 × (2.60 − 0.10) × 0.70 × 0.1 %"
        load_code_tables(2025)
        company = create_municipality()
        set_rank(company, '0')
        apartment = create_apartment(company)
        create_decision(company, 2025, amounts=BUCHAREST_2025_VALUE)
        amount, params = tax_of(apartment, company, 2025, IN_2025)
        self.assertEqual(amount, D('156.66'))
        self.assertEqual(round_tax(amount, 'leu_half_down'), D('157'))
        self.assertFalse(params.unverified)
        self.assertIn('art. 457(7)', params.articles)

    @with_transaction()
    def test_block_reduction_by_the_block(self):
        """Art. 457(7) (2025): the reduction by 0.10 of the coefficient for an
        apartment in a block of more than 3 levels and more than 8
        apartments, read from the building: 60 × 1,492 × 2.60 × 0.70 × 0.1 %
        = 162.93 without it, 156.66 with it"""
        load_code_tables(2025)
        company = create_municipality()
        set_rank(company, '0')
        create_decision(company, 2025, amounts=BUCHAREST_2025_VALUE)
        for levels, apartments, expected in [
                (4, 9, D('156.66')), (3, 9, D('162.93')),
                (4, 8, D('162.93')), (10, 120, D('156.66'))]:
            apartment = create_apartment(
                company, floors=levels, block_apartments=apartments)
            amount, params = tax_of(apartment, company, 2025, IN_2025)
            self.assertEqual(amount.quantize(D('0.01')), expected,
                (levels, apartments))
        # a house is no apartment, whatever its levels
        house = create_apartment(company, apartment_in_block=False,
            unit_number=None, floors=4, block_apartments=None)
        amount, _ = tax_of(house, company, 2025, IN_2025)
        self.assertEqual(amount.quantize(D('0.01')), D('162.93'))
        # the block unknown: the clerk is told, nothing is guessed
        unknown = create_apartment(company, floors=None,
            block_apartments=None)
        with self.assertRaises(TaxObjectError) as cm:
            tax_of(unknown, company, 2025, IN_2025)
        self.assertIn('457(7)', cm.exception.message)

    @with_transaction()
    def test_building_example_2026(self):
        "2026: 60 × 2,677 × 2.60 × 0.85 × 0.1 % = 355; 418 before the OUG"
        load_code_tables(2026)
        company = create_municipality()
        set_rank(company, '0')
        apartment = create_apartment(company)
        create_decision(company, 2026)
        amount, params = tax_of(apartment, company, 2026, AFTER_OUG)
        self.assertEqual(amount, D('354.9702'))
        self.assertEqual(
            round_tax(amount, params.decision.rounding), D('355'))
        # the same apartment computed before the OUG of 27.02.2026: no
        # reduction by age and no block reduction (abrogated)
        amount, _ = tax_of(apartment, company, 2026, BEFORE_OUG)
        self.assertEqual(amount, D('417.612'))
        self.assertEqual(
            rounded(apartment, company, 2026, BEFORE_OUG), D('418'))

    @with_transaction()
    def test_building_age_and_renovation(self):
        "Over 100 years: 25 % in 2026; a major renovation restarts the age"
        load_code_tables(2026)
        company = create_municipality()
        set_rank(company, '0')
        old = create_apartment(company, year_built=1900)
        create_decision(company, 2026)
        amount, _ = tax_of(old, company, 2026, AFTER_OUG)
        self.assertEqual(amount, D('417.612') * D('0.75'))
        renovated = create_apartment(
            company, year_built=1950, year_renovated=2000)
        amount, _ = tax_of(renovated, company, 2026, AFTER_OUG)
        self.assertEqual(amount, D('417.612'))

    @with_transaction()
    def test_building_types_and_utilities(self):
        "Without utilities, E/F at 75 %/50 % of A–D, useful area × 1.4"
        load_code_tables(2026)
        company = create_municipality()      # seat: rank IV, zone A: 1.10
        create_decision(company, 2026)
        common = {'year_built': 2000, 'apartment_in_block': False}
        house = create_apartment(company, construction_type='B',
            built_area=D('100'), heating=False, **common)
        # 100 × 535 (type B without utilities) × 1.10 × 0.1 %
        self.assertEqual(
            tax_of(house, company, 2026, AFTER_OUG)[0], D('58.85'))
        attic = create_apartment(company, construction_type='E',
            base_construction_type='A', built_area=D('20'), **common)
        # 20 × 2,677 × 75 % × 1.10 × 0.1 %
        self.assertEqual(
            tax_of(attic, company, 2026, AFTER_OUG)[0], D('44.1705'))
        cellar = create_apartment(company, construction_type='F',
            base_construction_type='A', built_area=D('20'), **common)
        self.assertEqual(
            tax_of(cellar, company, 2026, AFTER_OUG)[0], D('29.447'))
        measured = create_apartment(company, built_area=None,
            useful_area=D('50'), **common)
        # 50 × 1.4 = 70 m²
        self.assertEqual(
            tax_of(measured, company, 2026, AFTER_OUG)[0], D('206.129'))

    @with_transaction()
    def test_non_residential_fallback_and_value(self):
        "Art. 458: the rate on a recent value, otherwise 2 % of the 457 value"
        load_code_tables(2026)
        company = create_municipality()
        create_decision(company, 2026, non_residential='0.5')
        shop = create_apartment(company, use='non_residential',
            built_area=D('100'), year_built=2000, apartment_in_block=False)
        # 100 × 2,677 × 1.10 = 294,470 × 2 %
        self.assertEqual(
            tax_of(shop, company, 2026, AFTER_OUG)[0], D('5889.4'))
        shop.tax_value = D('500000')
        shop.tax_value_source = 'valuation'
        shop.tax_value_date = dt.date(2023, 5, 10)
        shop.save()
        self.assertEqual(
            tax_of(shop, company, 2026, AFTER_OUG)[0], D('2500'))
        # a valuation older than 5 years is not used
        shop.tax_value_date = dt.date(2020, 5, 10)
        shop.save()
        self.assertEqual(
            tax_of(shop, company, 2026, AFTER_OUG)[0], D('5889.4'))

    @with_transaction()
    def test_mixed_use(self):
        "Art. 459: the residential area by 457, the other part by 458"
        load_code_tables(2026)
        company = create_municipality()
        create_decision(company, 2026, non_residential='0.5')
        house = create_apartment(company, use='mixed', built_area=D('100'),
            non_residential_area=D('30'), year_built=2000,
            apartment_in_block=False)
        # 70 × 2,677 × 1.10 × 0.1 % + 30 × 2,677 × 1.10 × 0.5 % (459(2))
        self.assertEqual(
            tax_of(house, company, 2026, AFTER_OUG)[0],
            D('206.129') + D('441.705'))
        house.activity_utilities = True
        house.save()
        # the non-residential part without a value: 2 % (art. 458)
        self.assertEqual(
            tax_of(house, company, 2026, AFTER_OUG)[0],
            D('206.129') + D('1766.82'))

    @with_transaction()
    def test_rank_required(self):
        "Without the locality's rank the tax cannot be computed"
        Locality = Pool().get('municipality.locality')
        load_code_tables(2026)
        company = create_municipality()
        apartment = create_apartment(company)
        create_decision(company, 2026)
        Locality.write([company.seat], {'rank': None})
        with self.assertRaises(TaxObjectError) as cm:
            tax_of(apartment, company, 2026, AFTER_OUG)
        self.assertIn(company.seat.name, cm.exception.message)

    # Land (art. 465)

    @with_transaction()
    def test_land_example_extravilan(self):
        "Art. 465(7): extravilan arable 2.5 ha, rank IV, zone C: 2.5 × 112 × 1.00"
        load_code_tables(2026)
        company = create_municipality()      # seat: rank IV
        land = create_land(
            company, '25000', category='arable', intravilan=False, zone='C')
        create_decision(company, 2026, amounts=[
                ('land_extravilan', {'category': 'arable'}, '112')])
        amount, params = tax_of(land, company, 2026, AFTER_OUG)
        self.assertEqual(amount, D('280'))
        self.assertEqual(
            params.articles, {'art. 465(7)', 'art. 457(6)'})

    @with_transaction()
    def test_land_intravilan_built(self):
        "Art. 465(2): area in ha × the council's amount for zone and rank"
        load_code_tables(2026)
        company = create_municipality()
        land = create_land(company, '500')
        create_decision(company, 2026, amounts=[
                ('land_built', {'zone': 'A', 'rank': 'IV'}, '1000')])
        self.assertEqual(tax_of(land, company, 2026, AFTER_OUG)[0], D('50'))

    @with_transaction()
    def test_land_amount_not_chosen(self):
        "A range the council left unset stops the computation clearly"
        load_code_tables(2026)
        company = create_municipality()
        land = create_land(company, '500')
        create_decision(company, 2026)
        with self.assertRaises(UserError) as cm:
            tax_of(land, company, 2026, AFTER_OUG)
        self.assertIn('711', cm.exception.message)
        self.assertIn('art. 465(2)', cm.exception.message)

    @with_transaction()
    def test_land_intravilan_other_category(self):
        """Art. 465(3)–(5): up to the threshold as built land, the rest by
        category × rank coefficient; the threshold is a parameter"""
        load_code_tables(2026)
        company = create_municipality()
        land = create_land(company, '1000', category='arable')
        create_decision(company, 2026, amounts=[
                ('land_built', {'zone': 'A', 'rank': 'IV'}, '1000')])
        threshold_line = code_line(2026, 'land_other_threshold')

        def expected(threshold):
            # arable zone A 75 lei/ha, rank IV 1.10 (art. 465(4)–(5), [V])
            return (threshold / 10000 * 1000
                + (1000 - threshold) / D(10000) * 75 * D('1.10'))
        amount, params = tax_of(land, company, 2026, AFTER_OUG)
        self.assertEqual(amount, expected(threshold_line.value))
        self.assertTrue(params.unverified)   # the threshold is recalled
        threshold_line.value = D('300')
        threshold_line.save()
        self.assertEqual(
            tax_of(land, company, 2026, AFTER_OUG)[0], D('35.775'))
        small = create_land(company, '250', category='arable', number='2')
        self.assertEqual(
            tax_of(small, company, 2026, AFTER_OUG)[0], D('25'))

    # Vehicles (art. 470): the worked examples of art. 470

    def test_capacity_groups(self):
        "Groups of 200 cm³ or fraction (HG 1/2016: 1,500 cm³ → 8)"
        self.assertEqual(capacity_groups(1500), 8)
        self.assertEqual(capacity_groups(1598), 8)
        self.assertEqual(capacity_groups(1600), 8)
        self.assertEqual(capacity_groups(1601), 9)
        self.assertEqual(capacity_groups(2499), 13)

    @with_transaction()
    def test_vehicle_example_2025(self):
        "2025: 1,598 cm³ → 8 groups × 8 lei = 64 lei"
        load_code_tables(2025)
        company = create_municipality()
        car = create_vehicle(company, capacity=1598)
        create_decision(company, 2025)
        self.assertEqual(rounded(car, company, 2025, IN_2025), D('64'))

    @with_transaction()
    def test_vehicle_examples_2026(self):
        "2026: 150 (Euro 4), 251 (Euro 6), 992 (hybrid over 50 g CO₂)"
        load_code_tables(2026)
        company = create_municipality()
        create_decision(company, 2026)
        euro4 = create_vehicle(company, 'CJ01AAA', 1598, euro_norm='euro4')
        amount, params = tax_of(euro4, company, 2026, AFTER_OUG)
        self.assertEqual(amount, D('150.4'))
        self.assertEqual(round_tax(amount, 'leu_half_down'), D('150'))
        euro6 = create_vehicle(company, 'CJ02AAA', 1998, euro_norm='euro6')
        self.assertEqual(rounded(euro6, company, 2026, AFTER_OUG), D('251'))
        hybrid = create_vehicle(company, 'CJ03AAA', 2499, fuel='hybrid',
            euro_norm='euro6', co2_emissions=110)
        amount, params = tax_of(hybrid, company, 2026, AFTER_OUG)
        self.assertEqual(amount, D('991.9'))
        self.assertEqual(round_tax(amount, 'leu_half_down'), D('992'))
        self.assertFalse(params.unverified)

    @with_transaction()
    def test_vehicle_hybrid_low_emission_reduction(self):
        "2026: hybrids up to 50 g CO₂ get the council's reduction (≤ 30 %)"
        load_code_tables(2026)
        company = create_municipality()
        with self.assertRaises(OutOfRangeError):
            create_decision(company, 2026, hybrid_reduction=D('31'))
        create_decision(company, 2026, hybrid_reduction=D('30'))
        low = create_vehicle(company, 'CJ04AAA', 2499, fuel='hybrid',
            euro_norm='euro6', co2_emissions=40)
        self.assertEqual(
            tax_of(low, company, 2026, AFTER_OUG)[0], D('694.33'))
        unknown = create_vehicle(company, 'CJ05AAA', 2499, fuel='hybrid',
            euro_norm='euro6')
        self.assertEqual(
            tax_of(unknown, company, 2026, AFTER_OUG)[0], D('991.9'))

    @with_transaction()
    def test_vehicle_electric(self):
        "2026: electric vehicles 40 lei; 2025: exempt (art. 469(1) n)), 0 lei"
        load_code_tables()
        company = create_municipality()
        create_decision(company, 2026)
        create_decision(company, 2025)
        electric = create_vehicle(company, fuel='electric')
        self.assertEqual(rounded(electric, company, 2026, AFTER_OUG), D('40'))
        self.assertEqual(rounded(electric, company, 2025, IN_2025), D('0'))
        self.assertEqual(
            code_line(2025, 'vehicle_electric').article, 'art. 469(1) n)')

    @with_transaction()
    def test_vehicle_without_euro_norm_2026(self):
        "2026 taxes cars by emission norm: it must be recorded"
        load_code_tables(2026)
        company = create_municipality()
        create_decision(company, 2026)
        car = create_vehicle(company, capacity=1598)
        with self.assertRaises(TaxObjectError) as cm:
            tax_of(car, company, 2026, AFTER_OUG)
        self.assertIn('CJ12ABC', cm.exception.message)

    @with_transaction()
    def test_vehicle_trailer(self):
        "Art. 470(7): an amount per year by maximum mass (set by the HCL)"
        load_code_tables(2025)
        company = create_municipality()
        create_decision(company, 2025, amounts=[
                ('vehicle_trailer', {'category': 'trailer', 'band': 2000},
                    '40')])
        trailer = create_vehicle(company, 'CJ06AAA', category='trailer',
            fuel='other', max_mass=2000)
        amount, params = tax_of(trailer, company, 2025, IN_2025)
        self.assertEqual(amount, D('40'))
        self.assertTrue(params.unverified)
        trailer.max_mass = None
        trailer.save()
        with self.assertRaises(TaxObjectError):
            tax_of(trailer, company, 2025, IN_2025)

    @with_transaction()
    def test_vehicle_indexation_2025(self):
        "2025: the council's indexation applies to the Code base amounts"
        load_code_tables(2025)
        company = create_municipality()
        create_decision(company, 2025, indexation=D('50'))
        car = create_vehicle(company, capacity=1598)
        self.assertEqual(tax_of(car, company, 2025, IN_2025)[0], D('96'))

    # Liability, shares and rounding

    @with_transaction()
    def test_acquisition_taxed_from_next_year(self):
        "A car bought during 2025 is taxed from 2026, not in 2025"
        load_code_tables()
        company = create_municipality()
        create_decision(company, 2025)
        create_decision(company, 2026)
        buyer = create_person("Ionescu", "Maria")
        car = create_vehicle(company, capacity=1598, euro_norm='euro4')
        own(car, buyer, start=dt.date(2025, 6, 1))
        _, lines = owner_taxes(buyer, company, 2025, IN_2025)
        self.assertEqual(lines, [])
        _, lines = owner_taxes(buyer, company, 2026, AFTER_OUG)
        self.assertEqual([(l.asset, l.amount) for l in lines],
            [(car, D('150'))])

    @with_transaction()
    def test_sale_during_year_owed_by_seller(self):
        "The seller owes the year of the sale; the buyer from the next year"
        Ownership = Pool().get('ownership.ownership')
        load_code_tables(2026)
        company = create_municipality()
        set_rank(company, '0')
        create_decision(company, 2026)
        seller = create_person("Popescu", "Ion")
        buyer = create_person("Ionescu", "Maria")
        apartment = create_apartment(company)
        own(apartment, seller, start=dt.date(2010, 4, 2))
        Ownership.transfer('building', apartment, dt.date(2026, 5, 1),
            "Contract 123/2026", [(buyer, 1, 1)])
        _, lines = owner_taxes(seller, company, 2026, dt.date(2026, 6, 1))
        self.assertEqual([(l.asset, l.amount) for l in lines],
            [(apartment, D('355'))])
        _, lines = owner_taxes(buyer, company, 2026, dt.date(2026, 6, 1))
        self.assertEqual(lines, [])

    @with_transaction()
    def test_co_owners_by_share(self):
        "Co-owners owe their share of the tax, rounded once each"
        load_code_tables(2026)
        company = create_municipality()
        set_rank(company, '0')
        create_decision(company, 2026)
        first = create_person("Popescu", "Ion")
        second = create_person("Popescu", "Ana")
        apartment = create_apartment(company)
        Ownership = Pool().get('ownership.ownership')
        Ownership.create([{
                    'company': company.id,
                    'building': apartment.id, 'owner': owner.id,
                    'share_numerator': numerator, 'share_denominator': 3,
                    'start_date': dt.date(2020, 1, 1),
                    } for owner, numerator in [(first, 2), (second, 1)]])
        _, (line,) = owner_taxes(first, company, 2026, AFTER_OUG)
        self.assertEqual(line.object_tax, D('354.9702'))
        self.assertEqual(line.exact, D('236.6468'))
        self.assertEqual(line.amount, D('237'))
        _, (line,) = owner_taxes(second, company, 2026, AFTER_OUG)
        self.assertEqual(line.exact, D('118.3234'))
        self.assertEqual(line.amount, D('118'))

    @with_transaction()
    def test_shares_of_one_owner_added(self):
        "Two shares of one owner in one object are rounded once together"
        Ownership = Pool().get('ownership.ownership')
        load_code_tables(2026)
        company = create_municipality()
        set_rank(company, '0')
        create_decision(company, 2026)
        first = create_person("Popescu", "Ion")
        second = create_person("Popescu", "Ana")
        apartment = create_apartment(company)
        Ownership.create([{
                    'company': company.id, 'building': apartment.id,
                    'owner': owner.id, 'share_numerator': 1,
                    'share_denominator': 2, 'start_date': start,
                    'end_date': end,
                    } for owner, start, end in [
                    (first, dt.date(2015, 1, 1), None),
                    (second, dt.date(2015, 1, 1), dt.date(2018, 1, 1)),
                    (first, dt.date(2018, 1, 1), None),
                    ]])
        _, lines = owner_taxes(first, company, 2026, AFTER_OUG)
        self.assertEqual([(l.share, l.amount) for l in lines], [('1', D('355'))])

    @with_transaction()
    def test_objects_not_existing_at_year_end(self):
        "A building received in the fiscal year, a car deregistered before"
        load_code_tables(2026)
        company = create_municipality()
        create_decision(company, 2026)
        owner = create_person("Popescu", "Ion")
        new = create_apartment(company, year_built=2026)
        own(new, owner, start=dt.date(2020, 1, 1))
        car = create_vehicle(company, capacity=1598, euro_norm='euro4',
            deregistration_date=dt.date(2025, 7, 1))
        own(car, owner)
        _, lines = owner_taxes(owner, company, 2026, AFTER_OUG)
        self.assertEqual(lines, [])

    @with_transaction()
    def test_legal_person_building(self):
        "Art. 460: the council's rate of the value, 5 % when not revalued"
        Party = Pool().get('party.party')
        load_code_tables(2026)
        company = create_municipality()
        create_decision(company, 2026, pj_building_rate_residential=D('0.2'),
            pj_building_rate_non_residential=D('1.3'))
        firm = Party(name="Agro SRL", person_type='legal', cui='4305857')
        firm.save()
        office = create_apartment(company)
        own(office, firm)
        with self.assertRaises(TaxObjectError):
            owner_taxes(firm, company, 2026, AFTER_OUG)
        office.tax_value = D('500000')
        office.tax_value_source = 'valuation'
        office.tax_value_date = dt.date(2023, 5, 10)
        office.save()
        # residential: 500 000 × 0.2 % = 1 000 lei
        _, (line,) = owner_taxes(firm, company, 2026, AFTER_OUG)
        self.assertEqual(line.amount, D('1000'))
        self.assertIn('art. 460', line.articles)
        # non-residential: 500 000 × 1.3 % = 6 500 lei
        office.use = 'non_residential'
        office.save()
        _, (line,) = owner_taxes(firm, company, 2026, AFTER_OUG)
        self.assertEqual(line.amount, D('6500'))
        # agricultural: 500 000 × 0.4 % = 2 000 lei
        office.agricultural_use = True
        office.save()
        _, (line,) = owner_taxes(firm, company, 2026, AFTER_OUG)
        self.assertEqual(line.amount, D('2000'))
        # valued in 2020, not in the 5 years before 2026: 5 % = 25 000 lei
        office.tax_value_date = dt.date(2020, 12, 1)
        office.save()
        _, (line,) = owner_taxes(firm, company, 2026, AFTER_OUG)
        self.assertEqual(line.amount, D('25000'))

    @with_transaction()
    def test_other_municipality_not_taxed_here(self):
        "Only the assets of the municipality are taxed by its decision"
        load_code_tables(2026)
        company = create_municipality()
        other = create_municipality(
            name="Municipiul Cluj-Napoca", cui='4305857', uat='54975',
            seat='54984', village='54984')
        create_decision(company, 2026)
        owner = create_person("Popescu", "Ion")
        own(create_vehicle(other, capacity=1598, euro_norm='euro4'), owner)
        _, lines = owner_taxes(owner, company, 2026, AFTER_OUG)
        self.assertEqual(lines, [])

    def test_rounding_rules(self):
        "The rounding rule is a parameter: half down, half up or bani"
        self.assertEqual(round_tax(D('156.66'), 'leu_half_down'), D('157'))
        self.assertEqual(round_tax(D('150.4'), 'leu_half_down'), D('150'))
        self.assertEqual(round_tax(D('10.50'), 'leu_half_down'), D('10'))
        self.assertEqual(round_tax(D('10.50'), 'leu_half_up'), D('11'))
        self.assertEqual(round_tax(D('10.505'), 'ban'), D('10.51'))

    @with_transaction()
    def test_rounding_of_decision(self):
        "The decision's rounding rule applies to the final amount"
        load_code_tables(2026)
        company = create_municipality()
        set_rank(company, '0')
        create_decision(company, 2026, rounding='ban')
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        _, (line,) = owner_taxes(owner, company, 2026, AFTER_OUG)
        self.assertEqual(line.amount, D('354.97'))


del ModuleTestCase
