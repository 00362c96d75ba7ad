# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The taxpayer's fiscal file: obligations (assessed taxes, fees, fines,
surcharges), their reductions (bonification, corrective decisions,
cancellations), and the balance on any date.

An obligation is booked once and never changed: what lowers it is a
reduction, what pays it an allocation of a payment (payment.py)."""
import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.municipality.report import LibreOfficeReport
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, record_cache_size

from .exceptions import ObligationError, PostedObligationError

ZERO = Decimal(0)
CENT = Decimal('0.01')
HUNDRED = Decimal(100)

TAX_TYPES = [
    ('building', "Building Tax"),
    ('land', "Land Tax"),
    ('vehicle', "Vehicle Tax"),
    ('fee', "Fee"),
    ('fine', "Fine"),
    ('surcharge', "Late-payment Surcharge"),
    ('other', "Other Revenue"),
    ]
# The taxes of the annual assessment (art. 462, 467, 472): each has its own
# instalments, ≤ 50 lei rule and bonification.
ASSESSED_TAXES = ['building', 'land', 'vehicle']
ASSESSED_TAX_TYPES = [t for t in TAX_TYPES if t[0] in ASSESSED_TAXES]
ACCESSORY_TYPES = {'surcharge'}
# No late-payment surcharge is due on fines of any kind (CPF art. 173(3),
# recalled, to be verified)
NO_SURCHARGE = {'fine'}

REDUCTION_REASONS = [
    ('bonification', "Bonification"),
    ('correction', "Corrective Decision"),
    ('exemption', "Exemption"),
    ('cancellation', "Cancellation"),
    ('reversal', "Reversal of a Payment"),
    ]


def money(amount):
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def month_end(year, month):
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(date, months):
    """The same day `months` later; the last day of the month when the day
    does not exist there or when the date is the last day of its month"""
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if date.day == calendar.monthrange(date.year, date.month)[1]:
        return dt.date(year, month, last)
    return dt.date(year, month, min(date.day, last))


def surcharge_months(due_date, date):
    """CPF art. 183: the months or fractions of a month from the day after
    the due date to the date (of payment) inclusive.  The n-th month ends on
    the same day n months after the due date (the last day of the month for
    a due date at a month's end): due 31 March, paid 30 April → 1 month,
    paid 2 May → 2 months."""
    if date <= due_date:
        return 0
    months = (date.year - due_date.year) * 12 + date.month - due_date.month
    months = max(months - 1, 0)
    while add_months(due_date, months) < date:
        months += 1
    return months


def surcharge(amount, due_date, date, rate):
    "The surcharge on an amount of principal unpaid from its due date"
    return money(amount * rate / HUNDRED * surcharge_months(due_date, date))


_STATES = {'readonly': Eval('state') != 'draft'}


class Obligation(ModelSQL, ModelView):
    __name__ = 'local_tax.obligation'
    __string__ = "Fiscal Obligation"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT', states=_STATES)
    taxpayer = fields.Many2One(
        'party.party', "Taxpayer", required=True, ondelete='RESTRICT',
        states=_STATES, context={'company': Eval('company', -1)},
        depends={'company'})
    fiscal_year = fields.Integer("Fiscal Year", required=True, states=_STATES)
    tax_type = fields.Selection(
        TAX_TYPES, "Type", required=True, states=_STATES)
    tax_type_string = tax_type.translated('tax_type')
    nature = fields.Function(fields.Selection([
                ('principal', "Principal"),
                ('accessory', "Accessory"),
                ], "Nature"), 'on_change_with_nature')
    enforceable = fields.Boolean(
        "Enforceable Title", states={
            'readonly': _STATES['readonly'],
            'invisible': Eval('tax_type') != 'fine',
            },
        help="A contravention fine individualised in an enforceable title: "
        "payments to the local budget extinguish it first (Codul de "
        "procedură fiscală art. 165(2)).")
    description = fields.Char("Description", required=True, states=_STATES)
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, states=_STATES)
    date = fields.Date(
        "Booking Date", required=True, states=_STATES,
        help="The date the obligation was established (decision, minutes).")
    due_date = fields.Date("Due Date", required=True, states=_STATES)
    instalment = fields.Integer("Instalment", states=_STATES)
    assessment = fields.Many2One(
        'local_tax.assessment', "Tax Decision", readonly=True,
        ondelete='RESTRICT')
    principal = fields.Many2One(
        'local_tax.obligation', "Principal", readonly=True,
        ondelete='RESTRICT',
        help="For a surcharge: the obligation paid late.")
    payment = fields.Many2One(
        'local_tax.payment', "Payment", readonly=True, ondelete='RESTRICT',
        help="For a surcharge: the payment on which it was booked.")
    reference = fields.Char(
        "Document", states=_STATES,
        help="The document that established it: contravention minutes, "
        "order, contract …")
    state = fields.Selection([
            ('draft', "Draft"),
            ('posted', "Posted"),
            ], "State", readonly=True, required=True, sort=False)
    reductions = fields.One2Many(
        'local_tax.obligation.reduction', 'obligation', "Reductions",
        readonly=True)
    allocations = fields.One2Many(
        'local_tax.payment.allocation', 'obligation', "Payments",
        readonly=True)
    reduced = fields.Function(fields.Numeric(
            "Reduced", digits=(16, 2)), 'get_amounts')
    paid = fields.Function(fields.Numeric(
            "Paid", digits=(16, 2)), 'get_amounts')
    balance = fields.Function(fields.Numeric(
            "Unpaid", digits=(16, 2)), 'get_amounts',
        searcher='search_balance')
    pending_surcharge = fields.Function(fields.Numeric(
            "Surcharge to Date", digits=(16, 2),
            help="The surcharge (CPF art. 183) the unpaid principal bears "
            "on the date of the fiscal file; it is booked when paid."),
        'get_pending_surcharge')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.taxpayer, Index.Range()),
                    (t.company, Index.Range()),
                    (t.fiscal_year, Index.Range())),
                Index(t, (t.assessment, Index.Range())),
                })
        cls._order = [('due_date', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'post': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_fiscal_year(cls):
        return Pool().get('ir.date').today().year

    @classmethod
    def default_enforceable(cls):
        return False

    @fields.depends('tax_type')
    def on_change_with_nature(self, name=None):
        if self.tax_type in ACCESSORY_TYPES:
            return 'accessory'
        return 'principal'

    def get_rec_name(self, name):
        return f'{self.description} ({self.due_date.strftime("%d.%m.%Y")})'

    @classmethod
    def search_rec_name(cls, name, clause):
        from trytond.modules.municipality.common import search_any
        return search_any(clause, ['description', 'taxpayer.rec_name'])

    @classmethod
    def _amounts(cls, ids, date=None):
        "Reduced and paid amounts by id, up to the date (inclusive)"
        pool = Pool()
        Reduction = pool.get('local_tax.obligation.reduction')
        Allocation = pool.get('local_tax.payment.allocation')
        cursor = Transaction().connection.cursor()
        result = {i: [ZERO, ZERO] for i in ids}
        for index, Model in enumerate([Reduction, Allocation]):
            table = Model.__table__()
            for sub_ids in grouped_slice(
                    ids, record_cache_size(Transaction())):
                where = table.obligation.in_(list(sub_ids))
                if date:
                    where &= table.date <= date
                cursor.execute(*table.select(
                        table.obligation, Sum(table.amount),
                        where=where, group_by=[table.obligation]))
                for obligation, amount in cursor:
                    result[obligation][index] = money(str(amount or 0))
        return result

    @classmethod
    def get_amounts(cls, obligations, names):
        date = Transaction().context.get('fiscal_file_date')
        amounts = cls._amounts([o.id for o in obligations], date)
        result = {n: {} for n in names}
        for obligation in obligations:
            reduced, paid = amounts[obligation.id]
            if 'reduced' in result:
                result['reduced'][obligation.id] = reduced
            if 'paid' in result:
                result['paid'][obligation.id] = paid
            if 'balance' in result:
                result['balance'][obligation.id] = (
                    obligation.amount - reduced - paid)
        return result

    @classmethod
    def search_balance(cls, name, clause):
        pool = Pool()
        Reduction = pool.get('local_tax.obligation.reduction')
        Allocation = pool.get('local_tax.payment.allocation')
        obligation = cls.__table__()
        reduction = Reduction.__table__()
        allocation = Allocation.__table__()
        _, operator, value = clause
        Operator = fields.SQL_OPERATORS[operator]
        # cast: SQLite stores Decimal as bytes (trytond fields.Numeric)
        cast = cls.amount.sql_cast
        reduced = reduction.select(
            Coalesce(Sum(cast(reduction.amount)), 0),
            where=reduction.obligation == obligation.id)
        paid = allocation.select(
            Coalesce(Sum(cast(allocation.amount)), 0),
            where=allocation.obligation == obligation.id)
        query = obligation.select(obligation.id,
            where=Operator(cast(obligation.amount) - reduced - paid,
                cls.amount._domain_value(operator, value)))
        return [('id', 'in', query)]

    @classmethod
    def get_pending_surcharge(cls, obligations, name):
        pool = Pool()
        FiscalFile = pool.get('local_tax.fiscal_file')
        date = (Transaction().context.get('fiscal_file_date')
            or pool.get('ir.date').today())
        result = {}
        rates = {}
        for obligation in obligations:
            result[obligation.id] = ZERO
            if (obligation.state != 'posted'
                    or not FiscalFile.bears_surcharge(
                        obligation.tax_type, obligation.due_date, date)):
                continue
            if obligation.company not in rates:
                rates[obligation.company] = FiscalFile.surcharge_rate(
                    obligation.company, date)
            result[obligation.id] = surcharge(
                max(obligation.balance, ZERO), obligation.due_date, date,
                rates[obligation.company])
        return result

    @classmethod
    def check_modification(cls, mode, obligations, values=None,
            external=False):
        super().check_modification(
            mode, obligations, values=values, external=external)
        if mode in {'write', 'delete'}:
            for obligation in obligations:
                if obligation.state == 'posted':
                    raise PostedObligationError(gettext(
                            'local_tax.msg_obligation_posted',
                            obligation=obligation.rec_name))

    @classmethod
    def validate_fields(cls, obligations, field_names):
        super().validate_fields(obligations, field_names)
        for obligation in obligations:
            if obligation.amount <= 0:
                raise ObligationError(gettext(
                        'local_tax.msg_obligation_amount',
                        obligation=obligation.rec_name))
            if obligation.due_date < obligation.date and (
                    obligation.tax_type not in ACCESSORY_TYPES):
                raise ObligationError(gettext(
                        'local_tax.msg_obligation_due_before_date',
                        obligation=obligation.rec_name))

    @classmethod
    @ModelView.button
    def post(cls, obligations):
        Payment = Pool().get('local_tax.payment')
        obligations = [o for o in obligations if o.state == 'draft']
        cls.write(obligations, {'state': 'posted'})
        # art. 167: an overpayment is first offset against the debts
        for obligation in obligations:
            Payment.offset_credits(
                [obligation.taxpayer], [obligation.company], obligation.date)


class Reduction(ModelSQL, ModelView):
    __name__ = 'local_tax.obligation.reduction'
    __string__ = "Obligation Reduction"

    obligation = fields.Many2One(
        'local_tax.obligation', "Obligation", required=True,
        ondelete='RESTRICT')
    date = fields.Date("Date", required=True)
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True,
        help="Lowers the obligation; negative when it reverses an earlier "
        "reduction.")
    reason = fields.Selection(REDUCTION_REASONS, "Reason", required=True)
    reason_string = reason.translated('reason')
    assessment = fields.Many2One(
        'local_tax.assessment', "Tax Decision", ondelete='RESTRICT')
    payment = fields.Many2One(
        'local_tax.payment', "Payment", ondelete='RESTRICT')
    description = fields.Char("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def check_modification(cls, mode, reductions, values=None,
            external=False):
        super().check_modification(
            mode, reductions, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise PostedObligationError(gettext(
                    'local_tax.msg_reduction_immutable'))


def city_hall_address(company):
    "The address of the municipality's party on one line"
    address = company.party.address_get() if company else None
    if not address:
        return ''
    return address.ro_address or ' '.join(address.full_address.split())


def party_address(party):
    address = party.address_get()
    if not address:
        return ''
    return address.ro_address or ' '.join(address.full_address.split())


class FiscalFileExtract:
    """The extract of a taxpayer's fiscal file on a date (extras de rol,
    situația fiscală): his posted obligations with what was reduced, paid
    and is left, the surcharge then due (CPF art. 183), his payments and
    the balance"""
    __slots__ = ('company', 'taxpayer', 'date', 'obligations', 'payments',
        'position')

    def __init__(self, company, taxpayer, date):
        pool = Pool()
        Obligation = pool.get('local_tax.obligation')
        Payment = pool.get('local_tax.payment')
        self.company, self.taxpayer, self.date = company, taxpayer, date
        with Transaction().set_context(fiscal_file_date=date):
            self.obligations = Obligation.search([
                    ('company', '=', company.id),
                    ('taxpayer', '=', taxpayer.id),
                    ('state', '=', 'posted'),
                    ('date', '<=', date),
                    ], order=[('fiscal_year', 'ASC'), ('due_date', 'ASC'),
                    ('id', 'ASC')])
        self.payments = Payment.search([
                ('company', '=', company.id),
                ('taxpayer', '=', taxpayer.id),
                ('date', '<=', date),
                ], order=[('date', 'ASC'), ('id', 'ASC')])
        self.position = pool.get('local_tax.fiscal_file').position(
            company, taxpayer, date)


class MoneyReport(LibreOfficeReport):
    """The documents on the fiscal file: amounts in lei, the municipality's
    and the taxpayer's addresses"""

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)

        def amount(value):
            return cls.format_number(value or ZERO, None, digits=2)

        context['amount'] = amount
        context['city_hall_address'] = city_hall_address
        context['party_address'] = party_address
        return context


class FiscalFileExtractReport(MoneyReport):
    "The fiscal-file extract of the parties, in the municipality of the user"
    __name__ = 'local_tax.fiscal_file_extract'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        context = super().get_context(records, header, data)
        company_id = (data or {}).get('company') or Transaction().context.get(
            'company')
        company = Company(company_id) if company_id else None
        date = (Transaction().context.get('fiscal_file_date')
            or Date.today())

        def extract(party):
            return FiscalFileExtract(company, party, date)

        context['company'] = company
        context['extract'] = extract
        context['extract_date'] = date
        return context
