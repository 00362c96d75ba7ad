# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The council decision (hotărârea consiliului local, HCL) on local taxes.

Per municipality and fiscal year, it holds what Codul fiscal leaves to the
council: the rates within their ranges, the amounts within the ranges of the
land tables, the indexation (art. 491), the bonification, the hybrid
reduction and the rounding.  Once approved it is a legal act: it cannot be
changed (check_modification), a new decision must be adopted."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.modules.municipality.common import search_any
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .code_table import format_number
from .exceptions import (
    ApprovedDecisionError, DecisionError, NoDecisionError, OutOfRangeError)

ROUNDING_RULES = [
    ('leu_half_down', "Whole lei, fractions up to 0.50 down"),
    ('leu_half_up', "Whole lei, fractions from 0.50 up"),
    ('ban', "Bani (2 decimals)"),
    ]

# The percentages of the decision, each bounded by the Code lines of the
# same kind
PERCENT_PARAMETERS = [
    'building_rate_residential',
    'building_rate_non_residential',
    'pj_building_rate_residential',
    'pj_building_rate_non_residential',
    'bonification',
    'hybrid_reduction',
    ]

_STATES = {'readonly': Eval('state') != 'draft'}


class CouncilDecision(Workflow, ModelSQL, ModelView):
    __name__ = 'local_tax.council_decision'
    __string__ = "Council Decision on Local Taxes"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT', states=_STATES)
    fiscal_year = fields.Integer(
        "Fiscal Year", required=True, states=_STATES,
        help="The year whose taxes the decision sets.")
    code_table = fields.Many2One(
        'local_tax.code_table', "Code Table", required=True,
        ondelete='RESTRICT', states=_STATES,
        domain=[('year', '=', Eval('fiscal_year', -1))],
        help="The Code values of the fiscal year the decision applies.")
    number = fields.Char(
        "HCL Number", required=True, states=_STATES,
        help="The number of the hotărâre a consiliului local.")
    date = fields.Date(
        "Adoption Date", required=True, states=_STATES,
        help="The date the council adopted the decision.  The decision "
        "applies to computations made from that date; a later approved "
        "decision for the same year replaces it.")
    legal_basis = fields.Char(
        "Law Version", states=_STATES,
        help="The version of Codul fiscal the decision applies, e.g. "
        "\"Legea 227/2015 as amended by Legea 239/2025 and OUG 78/2025\".")
    notes = fields.Text("Notes", states=_STATES)
    state = fields.Selection([
            ('draft', "Draft"),
            ('approved', "Approved"),
            ], "State", readonly=True, required=True, sort=False)

    building_rate_residential = fields.Numeric(
        "Residential Building Rate (%)", digits=(6, 4), states=_STATES,
        help="Rate of the building tax of natural persons, residential "
        "buildings and annexes, Codul fiscal art. 457(1).")
    building_rate_non_residential = fields.Numeric(
        "Non-residential Building Rate (%)", digits=(6, 4), states=_STATES,
        help="Rate of the building tax of natural persons, non-residential "
        "buildings, Codul fiscal art. 458.")
    pj_building_rate_residential = fields.Numeric(
        "Residential Building Rate, Legal Persons (%)", digits=(6, 4),
        states=_STATES,
        help="Rate of the building tax of legal persons, residential "
        "buildings, Codul fiscal art. 460(1).")
    pj_building_rate_non_residential = fields.Numeric(
        "Non-residential Building Rate, Legal Persons (%)", digits=(6, 4),
        states=_STATES,
        help="Rate of the building tax of legal persons, non-residential "
        "buildings, Codul fiscal art. 460(2).")
    indexation = fields.Numeric(
        "Indexation (%)", digits=(8, 4), required=True, states=_STATES,
        help="Indexation by the inflation rate of the Code amounts that "
        "the council indexes (art. 491), for those it does not set one by "
        "one below; it also widens the ranges of indexable amounts.")
    bonification = fields.Numeric(
        "Bonification (%)", digits=(5, 2), required=True, states=_STATES,
        help="Reduction for the whole annual tax paid by 31 March "
        "(art. 462, 467, 472).")
    hybrid_reduction = fields.Numeric(
        "Hybrid Vehicle Reduction (%)", digits=(5, 2), states=_STATES,
        help="Reduction of the vehicle tax of hybrid vehicles, within the "
        "bounds of the Code table (2025: all hybrids; 2026: hybrids up to "
        "50 g CO₂/km, at most 30 %).  Empty for none.")
    rounding = fields.Selection(
        ROUNDING_RULES, "Rounding", required=True, states=_STATES,
        help="How the annual tax of each object is rounded.  Whole lei with "
        "fractions up to 0.50 down is the historic rule of the fiscal "
        "procedure code (recalled, to be verified).")
    amounts = fields.One2Many(
        'local_tax.council_decision.amount', 'decision', "Amounts",
        states=_STATES,
        help="The amounts the council chooses within the Code's ranges, "
        "and the indexed amounts it sets one by one.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.company, Index.Range()),
                (t.fiscal_year, Index.Range())))
        cls._order = [
            ('fiscal_year', 'DESC'), ('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'approved')}
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_fiscal_year(cls):
        return Pool().get('ir.date').today().year + 1

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_indexation(cls):
        return Decimal(0)

    @classmethod
    def default_bonification(cls):
        return Decimal(0)

    @classmethod
    def default_rounding(cls):
        return 'leu_half_down'

    @fields.depends('fiscal_year', 'code_table')
    def on_change_fiscal_year(self):
        CodeTable = Pool().get('local_tax.code_table')
        if self.fiscal_year and (
                not self.code_table
                or self.code_table.year != self.fiscal_year):
            tables = CodeTable.search(
                [('year', '=', self.fiscal_year)], limit=1)
            self.code_table = tables[0] if tables else None

    def get_rec_name(self, name):
        date = self.date.strftime('%d.%m.%Y') if self.date else ''
        return f'HCL {self.number}/{date} ({self.fiscal_year})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, ['number', 'company.rec_name'])

    @classmethod
    def check_modification(cls, mode, decisions, values=None, external=False):
        super().check_modification(
            mode, decisions, values=values, external=external)
        if mode in {'write', 'delete'}:
            for decision in decisions:
                decision.check_draft()

    def check_draft(self):
        "An approved decision is a legal act: it is never changed"
        if self.state == 'approved':
            raise ApprovedDecisionError(gettext(
                    'local_tax.msg_decision_approved',
                    decision=self.rec_name))

    @classmethod
    def validate_fields(cls, decisions, field_names):
        super().validate_fields(decisions, field_names)
        for decision in decisions:
            if decision.code_table.year != decision.fiscal_year:
                raise DecisionError(gettext(
                        'local_tax.msg_decision_code_table_year',
                        decision=decision.rec_name,
                        table=decision.code_table.year,
                        year=decision.fiscal_year))
            if decision.indexation < 0:
                raise DecisionError(gettext(
                        'local_tax.msg_decision_indexation_negative',
                        decision=decision.rec_name))
        cls.check_parameters(decisions)
        # the indexation widens the ranges of the indexable amounts
        if field_names & {'code_table', 'indexation'}:
            Amount = Pool().get('local_tax.council_decision.amount')
            Amount.check_bounds([a for d in decisions for a in d.amounts])

    @classmethod
    def check_parameters(cls, decisions):
        "The percentages the council chose are within the Code's bounds"
        for decision in decisions:
            for name in PERCENT_PARAMETERS:
                value = getattr(decision, name)
                if value is None:
                    continue
                lines = [l for l in decision.code_table.lines
                    if l.kind == name]
                if not lines:
                    if value:
                        raise OutOfRangeError(gettext(
                                'local_tax.msg_decision_no_bounds',
                                decision=decision.rec_name,
                                parameter=cls.__names__(name)['field'],
                                year=decision.code_table.year))
                    continue
                # the widest bounds if the value changed during the year
                minimum = min(l.minimum if l.is_range else l.value
                    for l in lines)
                maximum = max(l.maximum if l.is_range else l.value
                    for l in lines)
                check_range(
                    value, minimum, maximum, lines[0].article,
                    decision=decision.rec_name,
                    parameter=cls.__names__(name)['field'])

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, decisions):
        for decision in decisions:
            for name in [
                    'building_rate_residential',
                    'building_rate_non_residential']:
                if getattr(decision, name) is None:
                    raise DecisionError(gettext(
                            'local_tax.msg_decision_approve_missing',
                            decision=decision.rec_name,
                            field=cls.__names__(name)['field']))

    @classmethod
    def get_applicable(cls, company, year, date):
        """The approved decision that applies to the taxes of the year when
        they are computed on the date: the last adopted by then."""
        decisions = cls.search([
                ('company', '=', company.id),
                ('fiscal_year', '=', year),
                ('state', '=', 'approved'),
                ], order=[('date', 'DESC'), ('id', 'DESC')])
        if not decisions:
            raise NoDecisionError(gettext(
                    'local_tax.msg_no_approved_decision',
                    company=company.rec_name, year=year))
        for decision in decisions:
            if decision.date <= date:
                return decision
        raise NoDecisionError(gettext(
                'local_tax.msg_no_decision_at_date',
                company=company.rec_name, year=year,
                date=date.strftime('%d.%m.%Y'),
                first=decisions[-1].date.strftime('%d.%m.%Y')))


def check_range(value, minimum, maximum, article, **names):
    "Raise OutOfRangeError naming the value, the bound and the article"
    if minimum is not None and value < minimum:
        raise OutOfRangeError(gettext(
                'local_tax.msg_value_below_minimum',
                value=format_number(value), bound=format_number(minimum),
                article=article, **names))
    if maximum is not None and value > maximum:
        raise OutOfRangeError(gettext(
                'local_tax.msg_value_above_maximum',
                value=format_number(value), bound=format_number(maximum),
                article=article, **names))


def indexed(value, decision):
    "A Code amount indexed by the decision's indexation (art. 491)"
    return value * (1 + decision.indexation / 100)


class CouncilDecisionAmount(ModelSQL, ModelView):
    __name__ = 'local_tax.council_decision.amount'
    __string__ = "Council Decision Amount"

    decision = fields.Many2One(
        'local_tax.council_decision', "Decision", required=True,
        ondelete='CASCADE')
    code_table = fields.Function(
        fields.Many2One('local_tax.code_table', "Code Table"),
        'on_change_with_code_table')
    code_line = fields.Many2One(
        'local_tax.code_table.line', "Code Value", required=True,
        ondelete='RESTRICT',
        domain=[
            ('code_table', '=', Eval('code_table', -1)),
            ['OR',
                ('value', '=', None),
                ('indexable', '=', True),
                ],
            ],
        help="The range of the Code, or the indexable Code amount, that "
        "the council sets.")
    bounds = fields.Function(
        fields.Char("Code Value or Range"), 'on_change_with_bounds')
    article = fields.Function(
        fields.Char("Article"), 'on_change_with_article')
    amount = fields.Numeric(
        "Amount", digits=(16, 4), required=True,
        domain=[('amount', '>=', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('decision')
        cls._sql_constraints = [
            ('code_line_unique', Unique(t, t.decision, t.code_line),
                'local_tax.msg_decision_amount_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.code_line, Index.Range())))

    @fields.depends('decision', '_parent_decision.code_table')
    def on_change_with_code_table(self, name=None):
        return self.decision.code_table if self.decision else None

    @fields.depends('code_line')
    def on_change_with_bounds(self, name=None):
        return self.code_line.bounds_string if self.code_line else None

    @fields.depends('code_line')
    def on_change_with_article(self, name=None):
        return self.code_line.article if self.code_line else None

    def get_rec_name(self, name):
        return f'{self.code_line.rec_name} → {format_number(self.amount)}'

    @classmethod
    def check_modification(cls, mode, amounts, values=None, external=False):
        super().check_modification(
            mode, amounts, values=values, external=external)
        decisions = {a.decision for a in amounts}
        if values and values.get('decision'):
            decisions.add(Pool().get('local_tax.council_decision')(
                    values['decision']))
        for decision in decisions:
            decision.check_draft()

    @classmethod
    def validate_fields(cls, amounts, field_names):
        super().validate_fields(amounts, field_names)
        cls.check_bounds(amounts)

    @classmethod
    def check_bounds(cls, amounts):
        """The amount lies in the Code's range (widened by the indexation
        for indexable amounts), and only indexable amounts are set"""
        for amount in amounts:
            line, decision = amount.code_line, amount.decision
            names = {
                'decision': decision.rec_name,
                'parameter': line.rec_name,
                }
            if line.code_table != decision.code_table:
                raise DecisionError(gettext(
                        'local_tax.msg_decision_amount_table',
                        amount=line.rec_name, decision=decision.rec_name))
            if line.is_range:
                minimum, maximum = line.minimum, line.maximum
                if line.indexable:
                    minimum = indexed(minimum, decision)
                    maximum = indexed(maximum, decision)
                check_range(
                    amount.amount, minimum, maximum, line.article, **names)
            elif not line.indexable:
                raise OutOfRangeError(gettext(
                        'local_tax.msg_value_not_indexable',
                        value=format_number(amount.amount),
                        code_value=format_number(line.value),
                        article=line.article,
                        year=line.code_table.year, **names))
