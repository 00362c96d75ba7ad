# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The tax rules of Codul fiscal, Titlul IX (Legea 227/2015), one small
function per rule with the article it applies.

Every rule takes the tax object (building, parcel, vehicle), the parameters
of the fiscal year (TaxParameters: the Code table of the year and the
council decision) and the reference date (the law and the decision in force
on that date apply), and returns a Decimal at full precision.  Only the
final annual tax of each object, for each owner, is rounded (round_tax).
No amount of the Code is written here: they all come from the Code table
(data/local_tax/) or from the council decision."""
import datetime as dt
from collections import defaultdict
from types import SimpleNamespace
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal

from trytond.i18n import gettext
from trytond.modules.municipality.vehicle import CAPACITY_CATEGORIES
from trytond.pool import Pool

from .code_table import format_number
from .decision import indexed
from .exceptions import (
    MissingParameterError, NoDecisionError, TaxObjectError)

HUNDRED = Decimal(100)
SQUARE_METRES_PER_HECTARE = Decimal(10000)
CAPACITY_GROUP = 200    # cm³, art. 470(2)
# The vehicle categories vehicle_tax computes (art. 470(5), (6) and (8) have
# no table yet)
TAXED_VEHICLE_CATEGORIES = CAPACITY_CATEGORIES | {'trailer'}
# The columns of the 2026 table by emission norm (art. 470(2) as amended by
# Legea 239/2025): non-Euro and Euro 1–3 share the first one.
EURO_COLUMNS = {
    'non_euro': 'euro3',
    'euro1': 'euro3',
    'euro2': 'euro3',
    'euro3': 'euro3',
    'euro4': 'euro4',
    'euro5': 'euro5',
    'euro6': 'euro6',
    }


# The fields of a Code line that CodeTableLine.matches reads
MATCHED_FIELDS = [
    'category', 'variant', 'zone', 'rank', 'band_min', 'band_max',
    'valid_from', 'valid_to']


class TaxParameters:
    """The values the rules use for one municipality and fiscal year.

    A Code line gives either a value or a range: the council decision
    chooses the amount in a range, may set indexable amounts one by one,
    and otherwise indexes them by its indexation (art. 491).  The lines
    and articles used are recorded in `used`, to show how a tax was
    computed and whether it rests on unverified data."""

    @classmethod
    def in_force(cls, company, date):
        """The parameters (Code table and council decision) in force on the
        date, of its year or else of the year before; None when there are
        none"""
        Decision = Pool().get('local_tax.council_decision')
        for year in [date.year, date.year - 1]:
            try:
                return cls(Decision.get_applicable(company, year, date))
            except NoDecisionError:
                continue

    def __init__(self, decision):
        self.decision = decision
        self.year = decision.fiscal_year
        self.code_table = decision.code_table
        CodeLine = Pool().get('local_tax.code_table.line')
        self._lines = defaultdict(list)
        self._keys = defaultdict(list)
        self._articles = {}
        self._recalled = set()
        for line in self.code_table.lines:
            self._lines[line.kind].append(line)
            # the keys of the line, matched without going through the
            # record's field descriptors (CodeTableLine.matches)
            self._keys[line.kind].append(SimpleNamespace(**{
                        f: getattr(line, f) for f in MATCHED_FIELDS}))
            self._register(line)
        self._matches = CodeLine.matches
        self._amounts = {a.code_line.id: a.amount for a in decision.amounts}
        # The lines and amounts depend only on the decision and the keys:
        # an annual assessment asks for the same ones hundreds of thousands
        # of times
        self._matching = {}
        self._line_amounts = {}
        self._rates = {}
        self.reset()

    def _register(self, line):
        "Remember the article and the confidence of the line"
        self._articles[line.id] = line.article
        if line.confidence == 'R':
            self._recalled.add(line.id)

    def reset(self):
        "Start recording the lines and articles of a new computation"
        self.used = set()
        self.articles = set()

    @property
    def unverified(self):
        "Whether a value used since the reset is recalled, not verified"
        return any(l.id in self._recalled for l in self.used)

    def lines(self, kind, date, **keys):
        key = (kind, date, tuple(sorted(keys.items())))
        lines = self._matching.get(key)
        if lines is None:
            lines = self._matching[key] = tuple(
                l for l, k in zip(self._lines[kind], self._keys[kind])
                if self._matches(k, date, **keys))
        return list(lines)

    def line(self, kind, date, required=True, **keys):
        "The one line of the kind for the keys on the date"
        lines = self.lines(kind, date, **keys)
        if len(lines) > 1:
            raise MissingParameterError(gettext(
                    'local_tax.msg_code_value_ambiguous',
                    year=self.year, description=self.describe(kind, keys),
                    lines='; '.join(l.rec_name for l in lines)))
        if not lines:
            if required:
                raise MissingParameterError(gettext(
                        'local_tax.msg_code_value_missing',
                        year=self.year,
                        description=self.describe(kind, keys),
                        date=date.strftime('%d.%m.%Y')))
            return None
        return lines[0]

    def amount(self, line):
        "The amount of the line for the municipality"
        self.used.add(line)
        if line.id not in self._articles:
            self._register(line)
        self.articles.add(self._articles[line.id])
        amount = self._line_amounts.get(line.id)
        if amount is None:
            amount = self._line_amounts[line.id] = self._amount(line)
        return amount

    def _amount(self, line):
        chosen = self._amounts.get(line.id)
        if chosen is not None:
            return chosen
        if line.is_range:
            raise MissingParameterError(gettext(
                    'local_tax.msg_decision_amount_missing',
                    decision=self.decision.rec_name,
                    description=line.rec_name,
                    minimum=format_number(line.minimum),
                    maximum=format_number(line.maximum),
                    article=line.article))
        if line.indexable:
            return indexed(line.value, self.decision)
        return line.value

    def value(self, kind, date, **keys):
        return self.amount(self.line(kind, date, **keys))

    def variants(self, kind, date, **keys):
        "The variants (columns) the table has for the keys on the date"
        return {l.variant for l in self._lines[kind]
            if l.variant and l.matches(date, variant=l.variant, **keys)}

    def rate(self, name, article):
        "A rate of the decision (in %) as a fraction"
        value = self._rates.get(name)
        if value is None:
            value = getattr(self.decision, name)
            if value is None:
                Decision = Pool().get('local_tax.council_decision')
                raise MissingParameterError(gettext(
                        'local_tax.msg_decision_rate_missing',
                        decision=self.decision.rec_name,
                        field=Decision.__names__(name)['field']))
            value = self._rates[name] = value / HUNDRED
        self.articles.add(article)
        return value

    def describe(self, kind, keys):
        "The kind and keys of a Code line, for a message"
        Line = Pool().get('local_tax.code_table.line')
        definitions = Line.fields_get(
            ['kind', 'category', 'variant', 'zone', 'rank'])
        parts = [dict(definitions['kind']['selection'])[kind]]
        for key, value in keys.items():
            if value is None:
                continue
            if key == 'band':
                parts.append(gettext('local_tax.msg_describe_band',
                        value=value))
                continue
            if key == 'variant':
                value = dict(definitions['variant']['selection'])[value]
            parts.append(f"{definitions[key]['string']} {value}")
        return ', '.join(parts)


# Rounding --------------------------------------------------------------------

def round_tax(amount, rule):
    """Round the final annual tax of one object.

    The historic rule of the fiscal procedure code, whole lei with fractions
    up to 0.50 down and above 0.50 up, is recalled, not verified: the rule
    is therefore a parameter of the council decision."""
    if rule == 'leu_half_down':
        return amount.quantize(Decimal(1), rounding=ROUND_HALF_DOWN)
    if rule == 'leu_half_up':
        return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)


# Common ----------------------------------------------------------------------

def locality_rank(parcel, asset):
    """The rank of the locality where the parcel lies (Legea 351/2001),
    used by the tables of art. 457(6), 465(2), (5) and (7)"""
    rank = parcel.locality.rank
    if not rank:
        raise TaxObjectError(gettext(
                'local_tax.msg_locality_rank_missing',
                locality=parcel.locality.rec_name, asset=asset.rec_name))
    return rank


def zone_rank_coefficient(zone, rank, params, date):
    """Art. 457(6): the correction coefficient of the fiscal zone and the
    locality rank (also applied to extravilan land, art. 465(7))"""
    return params.value('building_coefficient', date, zone=zone, rank=rank)


# Buildings of natural persons (art. 457–459) ---------------------------------

def building_value_per_m2(building, params, date):
    """Art. 457(2): the value per m² of the building type A–D, with or
    without utilities (water, sewerage, electricity and heating, all four);
    types E and F: 75 % / 50 % of the value of the type A–D of the building
    the rooms belong to (the share is in the Code table)"""
    variant = ('with_utilities' if building.has_all_utilities
        else 'without_utilities')
    construction_type = building.construction_type
    if construction_type in {'E', 'F'}:
        value = params.value(
            'building_value', date,
            category=building.base_construction_type, variant=variant)
        share = params.value(
            'building_value_share', date, category=construction_type)
        return value * share / HUNDRED
    return params.value(
        'building_value', date, category=construction_type, variant=variant)


def building_coefficient(building, params, date):
    """Art. 457(6): the zone × rank coefficient of the building's location;
    art. 457(7) (2025, abrogated from 2026): reduced by 0.10 for an
    apartment in a block of more than 3 levels and more than 8 apartments,
    when the year's table has that reduction"""
    parcel = building.parcel
    coefficient = zone_rank_coefficient(
        parcel.fiscal_zone, locality_rank(parcel, building), params, date)
    if building.apartment_in_block:
        reduction = params.line('block_reduction', date, required=False)
        if reduction and in_large_block(building, params, date):
            coefficient -= params.amount(reduction)
    return coefficient


def in_large_block(building, params, date):
    """Art. 457(7) (2025): the block of the apartment has more than 3 levels
    and more than 8 apartments (the thresholds of the year's table)"""
    if not building.floors or not building.block_apartments:
        raise TaxObjectError(gettext(
                'local_tax.msg_block_unknown', building=building.rec_name))
    return (building.floors > params.value('block_min_levels', date)
        and building.block_apartments > params.value(
            'block_min_apartments', date))


def building_age(building, year):
    """Art. 457(8): the age at 1 January of the fiscal year, counted from the
    year built, or from the year of reception of a major renovation"""
    reference = max(building.year_built, building.year_renovated or 0)
    return year - reference


def age_reduction(building, params, date):
    """Art. 457(8): the reduction by age, as a fraction (2025: 50 % over 100
    years, 30 % from 50 to 100, 10 % from 30 to 50; 2026: none until the
    OUG of 27.02.2026, then 25 % and 15 %: all in the Code table, with the
    dates they are in force).  Where two bands meet (50 years in 2025) the
    larger reduction applies, as in the worked example of the tests."""
    age = building_age(building, params.year)
    lines = params.lines('age_reduction', date, band=age)
    if not lines:
        return Decimal(0)
    return max(params.amount(l) for l in lines) / HUNDRED


def building_taxable_value(building, area, params, date):
    """Art. 457(2)–(8): area × value per m² × zone and rank coefficient,
    less the reduction by age"""
    return (area
        * building_value_per_m2(building, params, date)
        * building_coefficient(building, params, date)
        * (1 - age_reduction(building, params, date)))


def building_tax_residential(building, params, date, area=None):
    """Art. 457(1): residential building or annex of a natural person: the
    council's rate (0.08–0.2 %) of the taxable value of the built developed
    area (or useful area × 1.4, art. 457(5): Building.taxable_area)"""
    if area is None:
        area = building.taxable_area
    return (building_taxable_value(building, area, params, date)
        * params.rate('building_rate_residential', 'art. 457(1)'))


def declared_value(building, params, date):
    """Art. 458(1) a)–c): the value from a valuation report, the final value
    of the works or the acquisition value, usable when it dates from the
    years before the fiscal year that the Code table says (5)"""
    if building.tax_value is None or not building.tax_value_date:
        return
    years = params.value('declared_value_years', date)
    if params.year - years <= building.tax_value_date.year < params.year:
        return building.tax_value


def building_tax_non_residential(building, params, date, area=None):
    """Art. 458: non-residential building of a natural person: the council's
    rate (0.2–1.3 %) of the value of art. 458(1) a)–c); without such a
    value, the fallback rate of the Code table (2 %) of the value computed
    under art. 457"""
    value = declared_value(building, params, date)
    if value is not None and building.agricultural_use:
        params.articles.add('art. 458(2)')
        return value * params.value(
            'building_rate_agricultural', date) / HUNDRED
    if value is not None:
        params.articles.add('art. 458(1)')
        return value * params.rate(
            'building_rate_non_residential', 'art. 458')
    if area is None:
        area = building.taxable_area
    fallback = params.value('building_rate_fallback', date) / HUNDRED
    return building_taxable_value(building, area, params, date) * fallback


def building_tax_mixed(building, params, date):
    """Art. 459: mixed-use building of a natural person: the residential
    area under art. 457 plus the non-residential area under art. 458.
    When the utilities are not in the name of the person carrying on the
    activity (the non-residential area is then declared by the owner), the
    council's non-residential rate applies to the art. 457 value of that
    area (art. 459(2))."""
    params.articles.add('art. 459')
    non_residential_area = building.non_residential_area or Decimal(0)
    residential_area = building.taxable_area - non_residential_area
    tax = building_tax_residential(
        building, params, date, area=residential_area)
    if not non_residential_area:
        return tax
    if building.activity_utilities:
        return tax + building_tax_non_residential(
            building, params, date, area=non_residential_area)
    return tax + (
        building_taxable_value(building, non_residential_area, params, date)
        * params.rate('building_rate_non_residential', 'art. 459(2)'))


def building_tax(building, params, date):
    "The building tax of a natural person by the use of the building"
    if building.use == 'non_residential':
        return building_tax_non_residential(building, params, date)
    if building.use == 'mixed':
        return building_tax_mixed(building, params, date)
    return building_tax_residential(building, params, date)


def revalued(building, params, date):
    """Art. 460(8): the value of a building of a legal person must be
    updated by a valuation report in the years before the fiscal year that
    the Code table says (5)"""
    years = params.value('declared_value_years', date)
    return params.year - years <= building.tax_value_date.year < params.year


def building_tax_legal_person(building, params, date):
    """Art. 460: building of a legal person: the council's rate (residential
    0.08–0.2 %, non-residential 0.2–1.3 %, agricultural 0.4 %) of its value
    at 31 December of the previous year; the rate of the Code table (5 %)
    when that value was not updated by a valuation in the last 5 years.  A
    mixed building is taxed on each part's share of the value."""
    if building.tax_value is None or not building.tax_value_date:
        raise TaxObjectError(gettext(
                'local_tax.msg_building_legal_person_value',
                building=building.rec_name))
    value = building.tax_value
    params.articles.add('art. 460')
    if not revalued(building, params, date):
        return value * params.value(
            'pj_building_rate_not_revalued', date) / HUNDRED
    if building.use == 'residential':
        return value * params.rate(
            'pj_building_rate_residential', 'art. 460(1)')
    if building.agricultural_use:
        return value * params.value(
            'pj_building_rate_agricultural', date) / HUNDRED
    non_residential = value * params.rate(
        'pj_building_rate_non_residential', 'art. 460(2)')
    if building.use == 'non_residential':
        return non_residential
    share = (building.non_residential_area or Decimal(0)) / (
        building.taxable_area or 1)
    residential = value * params.rate(
        'pj_building_rate_residential', 'art. 460(1)')
    return residential * (1 - share) + non_residential * share


# Land (art. 465) -------------------------------------------------------------

def built_land_amount(parcel, params, date):
    """Art. 465(2): the council's amount per ha of intravilan built land for
    the fiscal zone and the locality rank, within the Code's range"""
    return params.value(
        'land_built', date, zone=parcel.fiscal_zone,
        rank=locality_rank(parcel, parcel))


def land_tax_intravilan_built(parcel, params, date):
    "Art. 465(2): area in ha × the amount of the zone and rank"
    return (parcel.area / SQUARE_METRES_PER_HECTARE
        * built_land_amount(parcel, params, date))


def land_tax_intravilan_other(parcel, params, date):
    """Art. 465(3)–(5): intravilan land of another category than built land:
    the area up to the threshold of the Code table (400 m²) is taxed as built
    land (art. 465(2)); the area above it, in ha × the amount of the category
    and zone (art. 465(4)) × the coefficient of the rank (art. 465(5)).

    That only the area above the threshold is taxed by category is recalled,
    not verified (tagged R in the Code table); the threshold is data."""
    threshold = params.value('land_other_threshold', date)
    first = min(parcel.area, threshold)
    rest = parcel.area - first
    tax = first / SQUARE_METRES_PER_HECTARE * built_land_amount(
        parcel, params, date)
    if rest > 0:
        tax += (rest / SQUARE_METRES_PER_HECTARE
            * params.value('land_other', date,
                category=parcel.use_category, zone=parcel.fiscal_zone)
            * params.value('land_rank_coefficient', date,
                rank=locality_rank(parcel, parcel)))
    return tax


def land_tax_extravilan(parcel, params, date):
    """Art. 465(7): extravilan land: area in ha × the council's amount for
    the category (within the Code's range) × the zone and rank coefficient
    of art. 457(6)"""
    return (parcel.area / SQUARE_METRES_PER_HECTARE
        * params.value('land_extravilan', date, category=parcel.use_category)
        * zone_rank_coefficient(
            parcel.fiscal_zone, locality_rank(parcel, parcel), params, date))


def land_tax(parcel, params, date):
    "The land tax by location and category of use (art. 465)"
    if not parcel.intravilan:
        return land_tax_extravilan(parcel, params, date)
    if parcel.use_category == 'built':
        return land_tax_intravilan_built(parcel, params, date)
    return land_tax_intravilan_other(parcel, params, date)


# Vehicles (art. 470) ---------------------------------------------------------

def capacity_groups(cylinder_capacity):
    """Art. 470(2): the number of groups of 200 cm³ or fraction of one
    (HG 1/2016: 1,500 cm³ → 8 groups)"""
    return -(-cylinder_capacity // CAPACITY_GROUP)


def vehicle_capacity_amount(vehicle, params, date):
    """Art. 470(2): the amount per 200 cm³ of the vehicle's row; from 2026
    the column of its emission norm, or the hybrid column (Legea 239/2025,
    OUG 78/2025); a table without columns has one amount per row"""
    variants = []
    if vehicle.fuel == 'hybrid':
        variants.append('hybrid')
    if vehicle.euro_norm:
        variants.append(EURO_COLUMNS[vehicle.euro_norm])
    variants.append(None)
    for variant in variants:
        line = params.line(
            'vehicle_capacity', date, required=False,
            category=vehicle.category, variant=variant,
            band=vehicle.cylinder_capacity)
        if line:
            return params.amount(line)
    if not vehicle.euro_norm and params.variants(
            'vehicle_capacity', date, category=vehicle.category,
            band=vehicle.cylinder_capacity):
        raise TaxObjectError(gettext(
                'local_tax.msg_vehicle_euro_norm_missing',
                vehicle=vehicle.rec_name, year=params.year))
    # no line at all: report the value missing from the table
    return params.value(
        'vehicle_capacity', date, category=vehicle.category,
        band=vehicle.cylinder_capacity)


def hybrid_reduction(vehicle, params, date):
    """Art. 470(3) (2025): the council's reduction for hybrid vehicles;
    2026: only for hybrids up to the CO₂ limit of the Code table
    (50 g/km), at most 30 %.  Without a recorded CO₂ value the reduction
    of a limited table does not apply."""
    if vehicle.fuel != 'hybrid' or not params.decision.hybrid_reduction:
        return Decimal(0)
    # a line with a band applies only to a CO₂ value within it
    line = params.line(
        'hybrid_reduction', date, required=False, band=vehicle.co2_emissions)
    if line is None:
        return Decimal(0)
    return params.rate('hybrid_reduction', line.article)


def vehicle_tax_capacity(vehicle, params, date):
    """Art. 470(2): groups of 200 cm³ × the amount per group, less the
    hybrid reduction"""
    return (capacity_groups(vehicle.cylinder_capacity)
        * vehicle_capacity_amount(vehicle, params, date)
        * (1 - hybrid_reduction(vehicle, params, date)))


def vehicle_tax_electric(vehicle, params, date):
    """2026 (Legea 239/2025): electric vehicles pay a fixed amount per year
    (40 lei); a year whose table has no such amount cannot tax them"""
    return params.value('vehicle_electric', date, category=vehicle.category)


def vehicle_tax_trailer(vehicle, params, date):
    """Art. 470(7): trailers, semi-trailers and caravans: a fixed amount per
    year by maximum authorised mass"""
    if not vehicle.max_mass:
        raise TaxObjectError(gettext(
                'local_tax.msg_vehicle_max_mass_missing',
                vehicle=vehicle.rec_name))
    return params.value(
        'vehicle_trailer', date, category=vehicle.category,
        band=vehicle.max_mass)


def vehicle_tax(vehicle, params, date):
    "The vehicle tax by category (art. 470)"
    if vehicle.category in CAPACITY_CATEGORIES:
        if vehicle.fuel == 'electric':
            return vehicle_tax_electric(vehicle, params, date)
        return vehicle_tax_capacity(vehicle, params, date)
    if vehicle.category == 'trailer':
        return vehicle_tax_trailer(vehicle, params, date)
    raise TaxObjectError(gettext(
            'local_tax.msg_vehicle_category_unsupported',
            vehicle=vehicle.rec_name, category=vehicle.category_string))


# Liability -------------------------------------------------------------------

def liability_date(year):
    """Art. 461, 466, 471: the owner at 31 December of the previous year owes
    the whole year's tax; an acquisition is taxed from 1 January of the next
    year, and the seller owes the year of the sale"""
    return dt.date(year - 1, 12, 31)


def existed_on(asset, date):
    """Whether the asset was a tax object on the date: a building received
    by the end of that year, a vehicle registered and not deregistered"""
    if asset.__name__ == 'property.building':
        return asset.year_built <= date.year
    if asset.__name__ == 'vehicle.vehicle':
        return (asset.registration_date <= date
            and (asset.deregistration_date is None
                or asset.deregistration_date > date))
    return True


def asset_of(ownership):
    return ownership.building or ownership.parcel or ownership.vehicle


TAX_RULES = {
    'property.building': ('building', building_tax),
    'property.parcel': ('land', land_tax),
    'vehicle.vehicle': ('vehicle', vehicle_tax),
    }

def object_tax(asset, params, date, owner=None):
    "The annual tax of one object, whole, at full precision, and its kind"
    tax, rule = TAX_RULES[asset.__name__]
    if tax == 'building' and owner and owner.person_type == 'legal':
        rule = building_tax_legal_person
    return tax, rule(asset, params, date)
