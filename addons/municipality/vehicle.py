# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import re

from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Exclude, Index, ModelSQL, ModelView, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .common import search_any
from .exceptions import VehicleError
from .ownership import OwnedMixin

# Codul fiscal art. 470: the kinds of vehicle the tax tables distinguish.
# The cylinder-capacity bands of art. 470(2) follow from cylinder_capacity.
VEHICLE_CATEGORIES = [
    ('motorcycle', "Motorcycle, tricycle or quadricycle (art. 470(2))"),
    ('car', "Car (art. 470(2))"),
    ('bus', "Bus, coach or minibus (art. 470(2))"),
    ('other_le12t', "Other motor vehicle up to 12 t (art. 470(2))"),
    ('tractor', "Registered tractor (art. 470(2))"),
    ('registered', "Registered vehicle (vehicul înregistrat, art. 470(2))"),
    ('truck_ge12t', "Goods vehicle of 12 t or more (art. 470(5))"),
    ('road_train', "Road train or articulated vehicle of 12 t or more "
        "(art. 470(6))"),
    ('trailer', "Trailer, semi-trailer or caravan (art. 470(7))"),
    ('boat', "Water vehicle (art. 470(8))"),
    ]
# Categories taxed by groups of 200 cm³: they need the cylinder capacity
# unless electric.
CAPACITY_CATEGORIES = {'motorcycle', 'car', 'bus', 'other_le12t', 'tractor'}

EURO_NORMS = [
    (None, ""),
    ('non_euro', "Non-Euro"),
    ('euro1', "Euro 1"),
    ('euro2', "Euro 2"),
    ('euro3', "Euro 3"),
    ('euro4', "Euro 4"),
    ('euro5', "Euro 5"),
    ('euro6', "Euro 6"),
    ]

FUELS = [
    ('petrol', "Petrol"),
    ('diesel', "Diesel"),
    ('lpg', "LPG"),
    ('hybrid', "Hybrid"),
    ('electric', "Electric"),
    ('other', "Other"),
    ]

REGISTRATION_RE = re.compile(r'^[A-Z]{1,2}[0-9]{2,6}[A-Z]{0,3}$')
VIN_RE = re.compile(r'^[A-HJ-NPR-Z0-9]{17}$')


class Vehicle(OwnedMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'vehicle.vehicle'
    __string__ = "Vehicle"
    _rec_name = 'registration_number'

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT')
    registration_number = fields.Char(
        "Registration Number", required=True,
        help="Numărul de înmatriculare or de înregistrare, e.g. CJ 12 ABC.")
    vin = fields.Char("VIN", size=17)
    make = fields.Char("Make")
    model = fields.Char("Model")
    category = fields.Selection(
        VEHICLE_CATEGORIES, "Category", required=True)
    category_string = category.translated('category')
    cylinder_capacity = fields.Integer(
        "Cylinder Capacity (cm³)",
        states={'invisible': Eval('fuel') == 'electric'})
    euro_norm = fields.Selection(
        EURO_NORMS, "Euro Norm",
        help="The emission norm from the vehicle identity card (CIV).")
    fuel = fields.Selection(FUELS, "Fuel", required=True)
    co2_emissions = fields.Integer(
        "CO₂ (g/km)", states={'invisible': Eval('fuel') != 'hybrid'})
    max_mass = fields.Integer(
        "Max. Authorised Mass (kg)")
    axles = fields.Integer("Axles")
    air_suspension = fields.Boolean(
        "Pneumatic Suspension",
        help="Pneumatic or equivalent suspension on the driving axles "
        "(art. 470(5)–(6)).")
    seats = fields.Integer("Seats")
    registration_date = fields.Date("Registration Date", required=True)
    deregistration_date = fields.Date("Deregistration Date")
    ownerships = fields.One2Many('ownership.ownership', 'vehicle', "Owners")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('registration_number_active',
                Exclude(t,
                    (t.company, Equal),
                    (t.registration_number, Equal),
                    where=t.deregistration_date == None),  # noqa: E711
                'municipality.msg_vehicle_registration_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.registration_number, Index.Similarity())),
                Index(t, (t.vin, Index.Equality())),
                })

    @classmethod
    def _ownership_field(cls):
        return 'vehicle'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_category(cls):
        return 'car'

    @classmethod
    def default_fuel(cls):
        return 'petrol'

    @classmethod
    def default_registration_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('registration_number'):
            values['registration_number'] = normalize_registration(
                values['registration_number'])
        if values.get('vin'):
            values['vin'] = values['vin'].strip().upper()
        return values

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if isinstance(operand, str):
            operand = operand.replace(' ', '').replace('-', '').upper()
        return search_any(
            (name, operator, operand, *extra),
            ['registration_number', 'vin'])

    @classmethod
    def validate_fields(cls, vehicles, field_names):
        super().validate_fields(vehicles, field_names)
        for vehicle in vehicles:
            vehicle.check_identification()
            vehicle.check_technical_data()

    def check_identification(self):
        if not REGISTRATION_RE.match(self.registration_number):
            raise VehicleError(gettext(
                    'municipality.msg_vehicle_registration_format',
                    number=self.registration_number))
        if self.vin and not VIN_RE.match(self.vin):
            raise VehicleError(gettext(
                    'municipality.msg_vehicle_vin',
                    vin=self.vin, vehicle=self.registration_number))
        if (self.deregistration_date
                and self.deregistration_date < self.registration_date):
            raise VehicleError(gettext(
                    'municipality.msg_vehicle_deregistration_date',
                    vehicle=self.registration_number))

    def check_technical_data(self):
        for field in ['cylinder_capacity', 'co2_emissions', 'max_mass',
                'axles', 'seats']:
            value = getattr(self, field)
            if value is not None and value < 0:
                raise VehicleError(gettext(
                        'municipality.msg_vehicle_negative',
                        vehicle=self.registration_number,
                        field=self.__names__(field)['field']))
        if self.fuel == 'electric':
            if self.cylinder_capacity:
                raise VehicleError(gettext(
                        'municipality.msg_vehicle_electric_capacity',
                        vehicle=self.registration_number))
        elif (self.category in CAPACITY_CATEGORIES
                and not self.cylinder_capacity):
            raise VehicleError(gettext(
                    'municipality.msg_vehicle_capacity_required',
                    vehicle=self.registration_number,
                    category=self.category_string))
        if self.category in {'truck_ge12t', 'road_train'} and (
                not self.max_mass or not self.axles):
            raise VehicleError(gettext(
                    'municipality.msg_vehicle_mass_axles_required',
                    vehicle=self.registration_number))


def normalize_registration(number):
    return re.sub(r'[\s\-]', '', number).upper()
