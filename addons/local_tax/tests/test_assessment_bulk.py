# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The annual batch reads the tax objects in bulk (tax_object.TaxObject) and
caches the Code lines by key (rules.TaxParameters): it must tax exactly as
the rules do on the records themselves (rules.object_tax)."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.municipality.tests.tools import create_person, own
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from ..rules import TaxParameters, object_tax, round_tax
from .test_fiscal import assess
from .test_module import (
    AFTER_OUG, create_apartment, create_land, create_vehicle, set_rank)
from .tools import create_decision, load_code_tables

D = Decimal


class AssessmentBulkTestCase(unittest.TestCase):
    "Test the bulk reading and the caches of the annual assessment"

    @classmethod
    def setUpClass(cls):
        activate_module('local_tax')

    def setup_municipality(self):
        pool = Pool()
        Party = pool.get('party.party')
        from trytond.modules.municipality.tests.tools import (
            create_municipality)
        load_code_tables(2026)
        company = create_municipality()
        set_rank(company, '0')
        create_decision(company, 2026, amounts=[
                ('land_built', {'zone': zone, 'rank': '0'}, amount)
                for zone, amount in [('A', '9000'), ('C', '6000')]] + [
                ('land_extravilan', {'category': 'arable'}, '112')],
            pj_building_rate_residential=D('0.2'),
            pj_building_rate_non_residential=D('1.3'))
        first = create_person("Popescu", "Ion")
        second = create_person("Popescu", "Ana")
        firm = Party(person_type='legal', name="Firma SRL")
        firm.save()
        # a co-owned apartment, 2/3 and 1/3
        apartment = create_apartment(company)
        pool.get('ownership.ownership').create([{
                    'company': company.id, 'building': apartment.id,
                    'owner': owner.id, 'share_numerator': numerator,
                    'share_denominator': 3,
                    'start_date': dt.date(2020, 1, 1),
                    } for owner, numerator in [(first, 2), (second, 1)]])
        # a mixed-use house with a declared value, renovated
        own(create_apartment(company, apartment_in_block=False,
                unit_number=None, use='mixed',
                non_residential_area=D('20'), built_area=D('140'),
                year_built=1950, year_renovated=2001, water=False,
                tax_value=D('90000'), tax_value_source='valuation',
                tax_value_date=dt.date(2023, 5, 1)), first)
        # a type E room under another building, useful area only
        own(create_apartment(company, construction_type='E',
                base_construction_type='B', built_area=None,
                useful_area=D('33.33'), apartment_in_block=False,
                unit_number=None), second)
        # land: built, arable above the threshold, extravilan
        own(create_land(company, '500', number='300001'), first)
        own(create_land(company, '1000', category='arable', zone='C',
                number='300002'), second)
        own(create_land(company, '25000', category='arable',
                intravilan=False, zone='C', number='300003'), first)
        # vehicles: Euro 4 car, hybrid, electric, trailer
        own(create_vehicle(company, 'CJ01AAA', euro_norm='euro4'), first)
        own(create_vehicle(company, 'CJ02AAA', capacity=1798,
                fuel='hybrid', euro_norm='euro6', co2_emissions=45), second)
        own(create_vehicle(company, 'CJ03AAA', fuel='electric',
                euro_norm='euro6'), first)
        own(create_vehicle(company, 'CJ04AAA', category='trailer',
                fuel='other', max_mass=750), second)
        # a building of a legal person valued 6 years ago (5 %)
        own(create_apartment(company, apartment_in_block=False,
                unit_number=None, use='non_residential',
                tax_value=D('250000'), tax_value_source='valuation',
                tax_value_date=dt.date(2019, 6, 30)), firm)
        return company, [first, second, firm]

    @with_transaction()
    def test_batch_taxes_as_the_rules_on_records(self):
        "Each line of the batch is the tax the rules give on the records"
        Ownership = Pool().get('ownership.ownership')
        company, owners = self.setup_municipality()
        decisions = assess(company)
        self.assertEqual(
            [d.taxpayer for d in decisions], owners)
        params = TaxParameters(decisions[0].decision)
        for decision in decisions:
            expected = []
            for ownership in Ownership.search(
                    [('owner', '=', decision.taxpayer.id)]):
                asset = (ownership.building or ownership.parcel
                    or ownership.vehicle)
                params.reset()
                tax, whole = object_tax(
                    asset, params, AFTER_OUG, owner=decision.taxpayer)
                exact = (whole * ownership.share_numerator
                    / ownership.share_denominator)
                expected.append((asset.__name__, asset.id, tax,
                        whole.quantize(D('0.0001')),
                        round_tax(exact, decision.decision.rounding),
                        ', '.join(sorted(params.articles)),
                        params.unverified))
            got = [
                (a.__name__, a.id, l.tax, l.object_tax, l.amount,
                    l.articles, l.unverified)
                for l in decision.lines
                for a in [l.building or l.parcel or l.vehicle]]
            self.assertEqual(sorted(got), sorted(expected))
            self.assertEqual(decision.total, sum(l[4] for l in expected))

    @with_transaction()
    def test_exemption_of_one_object(self):
        "An exemption of one building leaves the taxpayer's other one taxed"
        Exemption = Pool().get('local_tax.exemption')
        company, (first, second, firm) = self.setup_municipality()
        veteran = create_person("Ionescu", "Maria")
        exempted = create_apartment(company)
        own(exempted, veteran)
        own(create_apartment(company), veteran)
        Exemption.create([{
                    'company': company.id, 'party': veteran.id,
                    'building': exempted.id, 'percentage': D(100),
                    'legal_basis': "art. 456(1)",
                    'start_date': dt.date(2025, 6, 1),
                    }])
        decision, = [d for d in assess(company) if d.taxpayer == veteran]
        lines = {l.building: l for l in decision.lines}
        self.assertEqual(lines[exempted].amount, D('0'))
        self.assertEqual(lines[exempted].relief, D('354.9702'))
        other, = [b for b in lines if b != exempted]
        self.assertEqual(lines[other].amount, D('355'))
        self.assertEqual(decision.total, D('355'))

    @with_transaction()
    def test_compute_wizard_shows_the_decision(self):
        """The Compute wizard shows the amounts of the decision the clerk
        will issue, exemptions applied (one computation path)"""
        pool = Pool()
        Exemption = pool.get('local_tax.exemption')
        Compute = pool.get('local_tax.compute', type='wizard')
        company, _ = self.setup_municipality()
        veteran = create_person("Ionescu", "Maria")
        exempted = create_apartment(company)
        own(exempted, veteran)
        own(create_apartment(company), veteran)
        Exemption.create([{
                    'company': company.id, 'party': veteran.id,
                    'building': exempted.id, 'percentage': D(100),
                    'legal_basis': "art. 456(1)",
                    'start_date': dt.date(2025, 6, 1),
                    }])
        session_id, _, _ = Compute.create()
        compute = Compute(session_id)
        compute.start.company = company
        compute.start.owner = veteran
        compute.start.fiscal_year = 2026
        compute.start.date = AFTER_OUG
        shown = compute.default_result(None)
        decision, = [d for d in assess(company) if d.taxpayer == veteran]
        self.assertEqual(shown['total'], decision.total)
        self.assertEqual(shown['total'], D('355'))
        self.assertEqual(
            sorted((l['amount'], l['relief']) for l in shown['lines']),
            sorted((l.amount, l.relief) for l in decision.lines))

    @with_transaction()
    def test_parameters_cached_by_date(self):
        """The same keys on two dates: the age reduction of the OUG of
        27.02.2026 applies from its date only; a cached amount still
        records its line and article after a reset"""
        pool = Pool()
        Decision = pool.get('local_tax.council_decision')
        company, _ = self.setup_municipality()
        decision = Decision.get_applicable(company, 2026, AFTER_OUG)
        params = TaxParameters(decision)
        before, after = dt.date(2026, 2, 1), AFTER_OUG
        self.assertEqual(params.lines('age_reduction', before, band=51), [])
        reductions = params.lines('age_reduction', after, band=51)
        self.assertTrue(reductions)
        self.assertEqual(params.lines('age_reduction', before, band=51), [])
        self.assertEqual(
            params.lines('age_reduction', after, band=51), reductions)
        value = params.value('building_value', after, category='A',
            variant='with_utilities')
        params.reset()
        self.assertEqual(params.value('building_value', after, category='A',
                variant='with_utilities'), value)
        self.assertEqual(params.articles, {'art. 457(2)'})
        self.assertEqual(len(params.used), 1)


