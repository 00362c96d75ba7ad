# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Exemptions and reductions (Codul fiscal art. 456, 464, 469; art. 487–488)
as dated data per person or object.

The clerk records the document and the period it covers: from 1 January
when the documents were valid on 31 December of the previous year,
otherwise from the month after filing (the rule of the year, e.g. the
February 2026 ordinance).  A year's tax is reduced for the months the
exemption covers."""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import ExemptionError
from .fiscal_file import ASSESSED_TAX_TYPES

TAXES = [(None, "All")] + ASSESSED_TAX_TYPES


class Exemption(ModelSQL, ModelView):
    __name__ = 'local_tax.exemption'
    __string__ = "Tax Exemption or Reduction"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT')
    party = fields.Many2One(
        'party.party', "Taxpayer", required=True, ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    tax = fields.Selection(TAXES, "Tax")
    building = fields.Many2One(
        'property.building', "Building", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'invisible': Eval('tax').in_(['land', 'vehicle'])})
    parcel = fields.Many2One(
        'property.parcel', "Parcel", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'invisible': Eval('tax').in_(['building', 'vehicle'])})
    vehicle = fields.Many2One(
        'vehicle.vehicle', "Vehicle", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'invisible': Eval('tax').in_(['building', 'land'])})
    percentage = fields.Numeric(
        "Percentage", digits=(5, 2), required=True,
        help="100 for an exemption (scutire), less for a reduction.")
    legal_basis = fields.Char(
        "Legal Basis", required=True,
        help="The article and law, e.g. \"Codul fiscal art. 456(1) a), "
        "Legea 44/1994 (veteran de război)\".")
    document = fields.Char(
        "Document", help="The document filed: certificate, decision …")
    start_date = fields.Date("From", required=True)
    end_date = fields.Date("To")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.company, Index.Range()), (t.party, Index.Range())))
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_percentage(cls):
        return Decimal(100)

    def get_rec_name(self, name):
        return f'{self.party.rec_name} – {self.legal_basis}'

    @classmethod
    def validate_fields(cls, exemptions, field_names):
        super().validate_fields(exemptions, field_names)
        for exemption in exemptions:
            if not (0 < exemption.percentage <= 100):
                raise ExemptionError(gettext(
                        'local_tax.msg_exemption_percentage',
                        exemption=exemption.rec_name))
            if exemption.end_date and (
                    exemption.end_date < exemption.start_date):
                raise ExemptionError(gettext(
                        'local_tax.msg_exemption_dates',
                        exemption=exemption.rec_name))

    def applies_to(self, tax, asset):
        if self.tax and self.tax != tax:
            return False
        for field in ['building', 'parcel', 'vehicle']:
            target = getattr(self, field)
            if target and target != asset:
                return False
        return True

    def months(self, year):
        "The months of the year whose first day the exemption covers"
        return {m for m in range(1, 13)
            if self.start_date <= dt.date(year, m, 1)
            and (not self.end_date or dt.date(year, m, 1) <= self.end_date)}

    @classmethod
    def of_year(cls, company, year, parties=None):
        "The exemptions covering part of the year, by party id"
        domain = [
            ('company', '=', company.id),
            ('start_date', '<=', dt.date(year, 12, 1)),
            ['OR', ('end_date', '=', None),
                ('end_date', '>=', dt.date(year, 1, 1))],
            ]
        if parties is not None:
            domain.append(('party', 'in', [p.id for p in parties]))
        result = {}
        for exemption in cls.search(domain):
            result.setdefault(exemption.party.id, []).append(exemption)
        return result


def relief(exemptions, tax, asset, year):
    """The fraction of the year's tax of the object remitted: for each month
    the largest percentage that covers it"""
    applicable = [e for e in exemptions if e.applies_to(tax, asset)]
    if not applicable:
        return Decimal(0)
    total = Decimal(0)
    for month in range(1, 13):
        total += max((e.percentage for e in applicable
                if month in e.months(year)), default=Decimal(0))
    return total / Decimal(1200)

