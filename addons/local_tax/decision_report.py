# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The printed tax decision (decizia de impunere): what an issued
decision states, read from it and never written (an issued decision is
immutable, check_modification)."""
from collections import OrderedDict

from trytond.pool import Pool

from .fiscal_file import ZERO, MoneyReport, money

# The bonification for the whole year's tax paid by the first instalment
BONIFICATION_ARTICLES = {
    'building': '462(2)',
    'land': '467(2)',
    'vehicle': '472(2)',
    }


class TaxOfDecision:
    """One tax (building, land, vehicle) of a decision: its objects, the
    annual amount, the instalments booked by the decision and the
    bonification for the whole year paid by the first instalment (Codul
    fiscal art. 462(2), 467(2), 472(2))"""
    __slots__ = ('tax', 'label', 'lines', 'instalments', 'reductions',
        'rate')

    def __init__(self, tax, label, rate):
        self.tax, self.label, self.rate = tax, label, rate
        self.lines, self.instalments, self.reductions = [], [], []

    @property
    def annual(self):
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def bonification(self):
        return money(self.annual * self.rate / 100) if self.rate else ZERO

    @property
    def with_bonification(self):
        return self.annual - self.bonification


def taxes_of(assessment):
    """The taxes of the decision in the order of the Code, with the
    obligations it booked and, for a corrective decision, the reductions
    of the obligations booked before"""
    pool = Pool()
    Line = pool.get('local_tax.assessment.line')
    Reduction = pool.get('local_tax.obligation.reduction')
    labels = dict(Line.fields_get(['tax'])['tax']['selection'])
    taxes = OrderedDict()

    def tax_of(tax):
        if tax not in taxes:
            taxes[tax] = TaxOfDecision(
                tax, labels.get(tax, tax), assessment.bonification)
        return taxes[tax]

    for line in assessment.lines:
        tax_of(line.tax).lines.append(line)
    for obligation in sorted(assessment.obligations,
            key=lambda o: (o.instalment or 0, o.due_date, o.id)):
        tax_of(obligation.tax_type).instalments.append(obligation)
    for reduction in Reduction.search([
                ('assessment', '=', assessment.id),
                ('reason', '=', 'correction'),
                ], order=[('id', 'ASC')]):
        tax_of(reduction.obligation.tax_type).reductions.append(reduction)
    order = [tax for tax, _ in Line.fields_get(['tax'])['tax']['selection']]
    return sorted(taxes.values(),
        key=lambda t: order.index(t.tax) if t.tax in order else len(order))


def object_of(line):
    "The object of a decision line: address or registration number"
    if line.vehicle:
        return line.vehicle.registration_number
    if line.building:
        return line.building.address or line.building.rec_name
    if line.parcel:
        return line.parcel.address or line.parcel.rec_name
    return ''


class TaxDecisionReport(MoneyReport):
    "The tax decision of a taxpayer for a fiscal year, as issued"
    __name__ = 'local_tax.assessment'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['taxes_of'] = taxes_of
        context['object_of'] = object_of
        context['share'] = lambda line: line.share or '1'
        context['bonification_article'] = BONIFICATION_ARTICLES.get
        context['percent'] = cls.percent
        return context

    @classmethod
    def percent(cls, value):
        "A percentage without the zeros after its last digit: 10, 12.5"
        exponent = value.normalize().as_tuple().exponent
        return cls.format_number(value, None, digits=max(-exponent, 0))
