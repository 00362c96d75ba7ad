# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import json

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .common import search_any
from .company import FISCAL_ZONES
from .exceptions import AreaError, BuildingError
from .ownership import OwnedMixin

# Categories of use of land, Codul fiscal art. 465(4) and (7)
LAND_USE_CATEGORIES = [
    ('built', "Built land (curți-construcții)"),
    ('arable', "Arable (arabil)"),
    ('pasture', "Pasture (pășune)"),
    ('hayfield', "Hayfield (fâneață)"),
    ('vineyard', "Vineyard (vie)"),
    ('orchard', "Orchard (livadă)"),
    ('forest', "Forest (pădure)"),
    ('water', "Water (ape)"),
    ('roads', "Roads and railways (drumuri)"),
    ('unproductive', "Unproductive (neproductiv)"),
    ('beach', "Beach used for economic activities (plajă, from 2026)"),
    ]

# Codul fiscal art. 457(2): types of construction for the taxable value
CONSTRUCTION_TYPES = [
    ('A', "A – reinforced concrete frame or fired brick walls"),
    ('B', "B – wood, natural stone, unfired brick or untreated walls"),
    ('C', "C – annex building with walls as type A"),
    ('D', "D – annex building with walls as type B"),
    ('E', "E – basement, demi-basement or attic rooms used as dwelling"),
    ('F', "F – basement, demi-basement or attic rooms used otherwise"),
    ]

BUILDING_USES = [
    ('residential', "Residential"),
    ('non_residential', "Non-residential"),
    ('mixed', "Mixed use"),
    ]

_STATES = {'readonly': ~Eval('active', True)}


class Parcel(OwnedMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'property.parcel'
    __string__ = "Parcel"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT')
    cadastral_number = fields.Char(
        "Cadastral Number",
        help="Numărul cadastral (identificator electronic) under "
        "Legea 7/1996.")
    land_book_number = fields.Char(
        "Land Book Number", help="Numărul cărții funciare (CF).")
    area = fields.Numeric(
        "Area (m²)", digits=(16, 2), required=True,
        help="The area from the cadastral documentation, in square metres.")
    intravilan = fields.Boolean(
        "Intravilan",
        help="Inside the built-up area of the locality (intravilan); "
        "otherwise extravilan.")
    use_category = fields.Selection(
        LAND_USE_CATEGORIES, "Use Category", required=True,
        help="Categoria de folosință, Codul fiscal art. 465.")
    use_category_string = use_category.translated('use_category')
    locality = fields.Many2One(
        'municipality.locality', "Locality", required=True,
        ondelete='RESTRICT', domain=[('level', '=', 3)])
    street = fields.Many2One(
        'municipality.street', "Street", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('locality', '=', Eval('locality', -1)),
            ])
    street_number = fields.Char("Number")
    fiscal_zone = fields.Selection(
        FISCAL_ZONES, "Fiscal Zone", required=True,
        help="Zona fiscală of the street section, set by the council (HCL).")
    tarla = fields.Char("Tarla", help="Tarla / parcelă for extravilan land.")
    geometry = fields.Text(
        "Geometry (GeoJSON)",
        help="Optional outline as a GeoJSON geometry (Polygon or "
        "MultiPolygon) in EPSG:3844 (Stereo 70) or WGS 84.")
    buildings = fields.One2Many(
        'property.building', 'parcel', "Buildings")
    ownerships = fields.One2Many('ownership.ownership', 'parcel', "Owners")
    address = fields.Function(fields.Char("Address"), 'get_address')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('cadastral_number_unique',
                Unique(t, t.company, t.cadastral_number),
                'municipality.msg_parcel_cadastral_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.cadastral_number, Index.Similarity())),
                Index(t, (t.street, Index.Range())),
                })

    @classmethod
    def _ownership_field(cls):
        return 'parcel'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_intravilan(cls):
        return True

    @classmethod
    def default_use_category(cls):
        return 'built'

    @classmethod
    def default_fiscal_zone(cls):
        return 'A'

    @fields.depends('street', 'street_number')
    def on_change_street(self):
        if self.street:
            self.locality = self.street.locality
            self.fiscal_zone = self.street.fiscal_zone_for(self.street_number)

    @fields.depends(methods=['on_change_street'])
    def on_change_street_number(self):
        self.on_change_street()

    def get_address(self, name):
        parts = []
        if self.street:
            parts.append(self.street.short_name)
        if self.street_number:
            parts.append(f'nr. {self.street_number}')
        if self.tarla:
            parts.append(self.tarla)
        parts.append(self.locality.name)
        return ', '.join(parts)

    def get_rec_name(self, name):
        label = self.cadastral_number or f'#{self.id}'
        return f'{label} — {self.address}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'cadastral_number',
                'land_book_number',
                'street.name',
                ])

    @classmethod
    def validate_fields(cls, parcels, field_names):
        super().validate_fields(parcels, field_names)
        for parcel in parcels:
            if parcel.area is not None and parcel.area <= 0:
                raise AreaError(gettext(
                        'municipality.msg_parcel_area_positive',
                        parcel=parcel.rec_name))
            if parcel.geometry and 'geometry' in field_names:
                check_geojson(parcel)
            if parcel.street and parcel.street.locality != parcel.locality:
                raise AreaError(gettext(
                        'municipality.msg_parcel_street_locality',
                        parcel=parcel.rec_name,
                        street=parcel.street.rec_name))


def check_geojson(parcel):
    try:
        geometry = json.loads(parcel.geometry)
        valid = (isinstance(geometry, dict)
            and geometry.get('type') in {'Polygon', 'MultiPolygon'}
            and isinstance(geometry.get('coordinates'), list)
            and geometry['coordinates'])
    except ValueError:
        valid = False
    if not valid:
        raise AreaError(gettext(
                'municipality.msg_parcel_geometry',
                parcel=parcel.rec_name))


class Building(OwnedMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'property.building'
    __string__ = "Building"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT')
    parcel = fields.Many2One(
        'property.parcel', "Parcel", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="The land the building stands on.")
    cadastral_number = fields.Char(
        "Cadastral Number",
        help="The building's number (e.g. 312567-C1) or the unit's "
        "(e.g. 312567-C1-U3).")
    name = fields.Char("Description", help="House, garage, summer kitchen …")
    construction_type = fields.Selection(
        CONSTRUCTION_TYPES, "Construction Type", required=True,
        help="Tipul clădirii, Codul fiscal art. 457(2).")
    construction_type_string = construction_type.translated(
        'construction_type')
    base_construction_type = fields.Selection(
        [(None, "")] + CONSTRUCTION_TYPES[:4], "Structure Type",
        states={
            'invisible': ~Eval('construction_type').in_(['E', 'F']),
            'required': Eval('construction_type').in_(['E', 'F']),
            },
        help="For types E and F, the type A–D of the building the rooms "
        "belong to (their value is 75 % or 50 % of it).")
    year_built = fields.Integer("Year Built", required=True)
    year_renovated = fields.Integer(
        "Year of Major Renovation",
        help="Year of reception of a major renovation (renovare majoră).")
    built_area = fields.Numeric(
        "Built Developed Area (m²)", digits=(16, 2),
        help="Suprafața construită desfășurată: all levels, with balconies, "
        "loggias, basement and attic (Codul fiscal art. 457(4)).")
    useful_area = fields.Numeric(
        "Useful Area (m²)", digits=(16, 2),
        help="Suprafața utilă; used × 1.4 when the built area cannot be "
        "measured (art. 457(5)).")
    floors = fields.Integer(
        "Levels",
        help="Levels above ground, the ground floor included (P+3: 4); for "
        "an apartment, those of its block.")
    use = fields.Selection(BUILDING_USES, "Use", required=True)
    use_string = use.translated('use')
    non_residential_area = fields.Numeric(
        "Non-residential Area (m²)", digits=(16, 2),
        states={
            'invisible': Eval('use') != 'mixed',
            'required': Eval('use') == 'mixed',
            })
    water = fields.Boolean("Water")
    sewerage = fields.Boolean("Sewerage")
    electricity = fields.Boolean("Electricity")
    heating = fields.Boolean("Heating")
    apartment_in_block = fields.Boolean(
        "Apartment in Block", help="A unit (apartment) of a block of flats.")
    unit_number = fields.Char(
        "Apartment", states={'invisible': ~Eval('apartment_in_block')})
    block_apartments = fields.Integer(
        "Apartments in the Block",
        domain=['OR', ('block_apartments', '=', None),
            ('block_apartments', '>', 0)],
        states={'invisible': ~Eval('apartment_in_block')},
        help="The number of apartments of the block (with its levels, it "
        "decides the reduction of Codul fiscal art. 457(7) in 2025).")
    ownerships = fields.One2Many('ownership.ownership', 'building', "Owners")
    locality = fields.Function(
        fields.Many2One('municipality.locality', "Locality"),
        'on_change_with_locality')
    fiscal_zone = fields.Function(
        fields.Selection([(None, "")] + FISCAL_ZONES, "Fiscal Zone"),
        'on_change_with_fiscal_zone')
    address = fields.Function(fields.Char("Address"), 'get_address')
    has_all_utilities = fields.Function(
        fields.Boolean("With Utilities",
            help="Water, sewerage, electricity and heating, all four "
            "(art. 457(2))."),
        'on_change_with_has_all_utilities')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.parcel, Index.Range())),
                Index(t, (t.cadastral_number, Index.Similarity())),
                })

    @classmethod
    def _ownership_field(cls):
        return 'building'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_construction_type(cls):
        return 'A'

    @classmethod
    def default_use(cls):
        return 'residential'

    @classmethod
    def default_year_built(cls):
        return Pool().get('ir.date').today().year

    @fields.depends('parcel', '_parent_parcel.locality')
    def on_change_with_locality(self, name=None):
        return self.parcel.locality if self.parcel else None

    @fields.depends('parcel', '_parent_parcel.fiscal_zone')
    def on_change_with_fiscal_zone(self, name=None):
        return self.parcel.fiscal_zone if self.parcel else None

    @fields.depends('water', 'sewerage', 'electricity', 'heating')
    def on_change_with_has_all_utilities(self, name=None):
        return bool(
            self.water and self.sewerage and self.electricity
            and self.heating)

    @property
    def taxable_area(self):
        "Built developed area, or useful area × 1.4 (art. 457(5))"
        if self.built_area:
            return self.built_area
        if self.useful_area:
            return (self.useful_area * 14 / 10).quantize(self.useful_area)

    def get_address(self, name):
        if not self.parcel:
            return ''
        address = self.parcel.address
        if self.unit_number:
            address = f'{address}, ap. {self.unit_number}'
        return address

    def get_rec_name(self, name):
        label = self.cadastral_number or self.name or f'#{self.id}'
        return f'{label} — {self.address}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'cadastral_number',
                'name',
                'parcel.rec_name',
                ])

    @classmethod
    def validate_fields(cls, buildings, field_names):
        super().validate_fields(buildings, field_names)
        this_year = Pool().get('ir.date').today().year
        for building in buildings:
            building.check_areas()
            building.check_years(this_year)
            if building.parcel.company != building.company:
                raise BuildingError(gettext(
                        'municipality.msg_building_parcel_company',
                        building=building.rec_name))

    def check_areas(self):
        for field in ['built_area', 'useful_area', 'non_residential_area']:
            value = getattr(self, field)
            if value is not None and value < 0:
                raise AreaError(gettext(
                        'municipality.msg_building_area_negative',
                        building=self.rec_name,
                        field=self.__names__(field)['field']))
        if not self.built_area and not self.useful_area:
            raise AreaError(gettext(
                    'municipality.msg_building_area_missing',
                    building=self.rec_name))
        if (self.use == 'mixed' and self.non_residential_area
                and self.non_residential_area > (
                    self.taxable_area or 0)):
            raise AreaError(gettext(
                    'municipality.msg_building_non_residential_area',
                    building=self.rec_name))

    def check_years(self, this_year):
        if not (1000 <= self.year_built <= this_year + 1):
            raise BuildingError(gettext(
                    'municipality.msg_building_year_built',
                    building=self.rec_name, year=self.year_built))
        if self.year_renovated and not (
                self.year_built <= self.year_renovated <= this_year + 1):
            raise BuildingError(gettext(
                    'municipality.msg_building_year_renovated',
                    building=self.rec_name, year=self.year_renovated))
        if self.construction_type in {'E', 'F'} and (
                not self.base_construction_type):
            raise BuildingError(gettext(
                    'municipality.msg_building_base_type',
                    building=self.rec_name))
