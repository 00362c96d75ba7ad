# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Bool, Eval

from .exceptions import (
    MissingParameterError, TaxObjectError, TaxValueError)
from .fiscal_file import money
from .rules import building_taxable_value, declared_value

TAX_VALUE_SOURCES = [
    (None, ""),
    ('valuation', "Valuation report"),
    ('works', "Final value of the works"),
    ('acquisition', "Acquisition deed"),
    ]


class Building(metaclass=PoolMeta):
    __name__ = 'property.building'

    tax_value = fields.Numeric(
        "Taxable Value", digits=(16, 2),
        help="For a non-residential building (or the non-residential part "
        "of a mixed one) of a natural person: the value from a valuation "
        "report, the final value of the works or the acquisition value "
        "(Codul fiscal art. 458(1) a)–c)), used when it dates from the 5 "
        "years before the fiscal year; otherwise the 2 % rate applies to "
        "the value computed under art. 457.  For a building of a legal "
        "person: its value at 31 December of the previous year (art. 460), "
        "to be updated by a valuation report every 5 years.")
    tax_value_source = fields.Selection(
        TAX_VALUE_SOURCES, "Value From",
        states={
            'required': Bool(Eval('tax_value')),
            })
    tax_value_date = fields.Date(
        "Value Date",
        states={
            'required': Bool(Eval('tax_value')),
            },
        help="Date of the valuation report, of the reception of the works "
        "or of the acquisition deed.")
    agricultural_use = fields.Boolean(
        "Used in Agriculture",
        states={'invisible': Eval('use') == 'residential'},
        help="A non-residential building used for agricultural activities "
        "(Codul fiscal art. 458(2), 460): taxed at the agricultural rate "
        "of the Code table.")
    activity_utilities = fields.Boolean(
        "Utilities in the Activity's Name",
        states={'invisible': Eval('use') != 'mixed'},
        help="For a mixed-use building: the utilities of the non-residential "
        "part are recorded in the name of the person carrying on the "
        "activity, so that part is taxed under art. 458.  Otherwise the "
        "non-residential rate applies to the art. 457 value of that part "
        "(art. 459(2)).")

    @classmethod
    def default_agricultural_use(cls):
        return False

    @classmethod
    def default_activity_utilities(cls):
        return False

    @classmethod
    def validate_fields(cls, buildings, field_names):
        super().validate_fields(buildings, field_names)
        if field_names & {'tax_value', 'tax_value_date', 'tax_value_source'}:
            for building in buildings:
                if building.tax_value is None:
                    continue
                if (building.tax_value < 0 or not building.tax_value_date
                        or not building.tax_value_source):
                    raise TaxValueError(gettext(
                            'local_tax.msg_building_tax_value',
                            building=building.rec_name))

    def certificate_value(self, params, date, legal):
        """The taxable value on the date, for a fiscal certificate: for a
        legal person the recorded value (Codul fiscal art. 460); for a
        natural person the value of a non-residential building from a
        valuation, works or deed (art. 458(1)), otherwise the value computed
        under art. 457(2)–(8); (None, None) when it cannot be known"""
        if legal:
            if self.tax_value is None:
                return None, None
            return money(self.tax_value), 'lei'
        if params is None:
            return None, None
        try:
            if self.use == 'non_residential':
                value = declared_value(self, params, date)
                if value is not None:
                    return money(value), 'lei'
            if not self.taxable_area:
                return None, None
            return money(building_taxable_value(
                    self, self.taxable_area, params, date)), 'lei'
        except (MissingParameterError, TaxObjectError):
            return None, None
