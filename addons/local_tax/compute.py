# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Compute the local taxes of one owner for a fiscal year (a simulation: the
assessment, the decisions and the payments come later), by the computation
the assessment issues its decisions with: what the clerk sees here is what
the decision will say."""
from decimal import Decimal

from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard

from .assessment import Computation
from .fiscal_file import ASSESSED_TAX_TYPES


class ComputeStart(ModelView):
    __name__ = 'local_tax.compute.start'
    __string__ = "Compute Local Taxes"

    company = fields.Many2One(
        'company.company', "Municipality", required=True)
    owner = fields.Many2One(
        'party.party', "Taxpayer", required=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    fiscal_year = fields.Integer("Fiscal Year", required=True)
    date = fields.Date(
        "Reference Date", required=True,
        help="The law and the council decision in force on this date are "
        "applied.  The taxpayer owes the tax of the assets owned on 31 "
        "December of the year before the fiscal year.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_fiscal_year(cls):
        return Pool().get('ir.date').today().year

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()


class ComputeResult(ModelView):
    __name__ = 'local_tax.compute.result'
    __string__ = "Local Taxes"

    owner = fields.Many2One('party.party', "Taxpayer", readonly=True)
    fiscal_year = fields.Integer("Fiscal Year", readonly=True)
    decision = fields.Many2One(
        'local_tax.council_decision', "Council Decision", readonly=True)
    lines = fields.One2Many(
        'local_tax.compute.result.line', None, "Taxes", readonly=True)
    total = fields.Numeric("Total", digits=(16, 2), readonly=True)
    unverified = fields.Boolean(
        "Unverified Data", readonly=True,
        help="A value of the Code table used is recalled, not verified.")


class ComputeResultLine(ModelView):
    __name__ = 'local_tax.compute.result.line'
    __string__ = "Local Tax"

    tax = fields.Selection(ASSESSED_TAX_TYPES, "Tax", readonly=True)
    asset = fields.Reference(
        "Asset", [
            ('property.building', "Building"),
            ('property.parcel', "Parcel"),
            ('vehicle.vehicle', "Vehicle"),
            ], readonly=True)
    share = fields.Char("Share", readonly=True)
    object_tax = fields.Numeric(
        "Tax of the Object", digits=(16, 4), readonly=True,
        help="The tax of the whole object, not rounded.")
    exact = fields.Numeric(
        "Exact Amount", digits=(16, 4), readonly=True,
        help="The share of the taxpayer, not rounded.")
    relief = fields.Numeric(
        "Exemption", digits=(16, 4), readonly=True,
        help="The part of the share remitted by the taxpayer's exemptions "
        "and reductions, not rounded.")
    amount = fields.Numeric("Amount", digits=(16, 2), readonly=True)
    articles = fields.Char("Articles", readonly=True)
    unverified = fields.Boolean(
        "Unverified Data", readonly=True,
        help="A value of the Code table used is recalled, not verified.")


class Compute(Wizard):
    "Compute Local Taxes"
    __name__ = 'local_tax.compute'
    start = StateView(
        'local_tax.compute.start',
        'local_tax.compute_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Compute", 'result', 'tryton-ok', default=True),
            ])
    result = StateView(
        'local_tax.compute.result',
        'local_tax.compute_result_view_form', [
            Button("Back", 'start', 'tryton-back'),
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        values = {}
        if self.model and self.model.__name__ == 'party.party' and self.record:
            values['owner'] = self.record.id
        return values

    def default_result(self, fields):
        computation = Computation(
            self.start.company, self.start.fiscal_year, self.start.date)
        lines = computation.lines_of_owner(self.start.owner)
        return {
            'owner': self.start.owner.id,
            'fiscal_year': self.start.fiscal_year,
            'decision': computation.decision.id,
            'lines': [{
                    'tax': l.tax,
                    'asset': f'{l.asset.__name__},{l.asset.id}',
                    'share': l.share,
                    'object_tax': l.object_tax,
                    'exact': l.exact,
                    'relief': l.relief,
                    'amount': l.amount,
                    'articles': l.articles,
                    'unverified': l.unverified,
                    } for l in lines],
            'total': sum((l.amount for l in lines), Decimal(0)),
            'unverified': any(l.unverified for l in lines),
            }
