# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Cash desks, receipts (chitanțe) and the daily cash-desk closing.

A receipt (form "ITL Regim special-001", Ordinul MDRAP nr. 2068/2015) is
issued for every payment at a cash desk (cash, card) and for every online
payment (portal, Ghișeul.ro, kiosk) on the municipality's online desk.  Its
number is gapless per desk and year: one strict sequence per desk and
year, picked by the date of the payment (strict sequences never restart by
themselves).  A receipt is never changed nor deleted: the
receipt of a cancelled payment stays, marked cancelled, with its number.

Once the day of a desk is closed, no payment can be booked and no receipt
issued on that desk for that date."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Literal
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Exclude, Index, ModelSQL, ModelStorage, ModelView,
    Unique, Workflow, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.modules.municipality.report import LibreOfficeReport
from trytond.modules.municipality.sequence import YearSequenceMixin
from trytond.transaction import Transaction
from trytond.wizard import (
    Button, StateReport, StateTransition, StateView, Wizard)

from .exceptions import CashDeskClosedError, CashDeskError, ReceiptError
from .fiscal_file import TAX_TYPES, ZERO, city_hall_address
from .payment import CHANNELS, preview_allocation
from .words import amount_in_words

# The channels of the counter, booked at a cash desk by a cashier
COUNTER_CHANNELS = {'cash', 'card'}
# The online channels, whose receipts are issued on the online desk
ONLINE_RECEIPT_CHANNELS = {'portal', 'ghiseul', 'kiosk'}
RECEIPT_CHANNELS = COUNTER_CHANNELS | ONLINE_RECEIPT_CHANNELS
# What a payment pays beyond the obligations due: a credit of the taxpayer
RECEIPT_LINE_TYPES = TAX_TYPES + [('credit', "Advance Payment (Credit)")]
DEFAULT_TIMEZONE = 'Europe/Bucharest'


class ConvertReport(LibreOfficeReport):
    "The reports of the cash desk: amounts in words, times of the municipality"

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['amount_in_words'] = amount_in_words
        context['format_time'] = cls.format_time
        context['city_hall_address'] = city_hall_address
        return context

    @classmethod
    def format_time(cls, value, company, lang=None):
        "The date and time in the timezone of the municipality"
        timezone = (getattr(company, 'timezone', None)
            or DEFAULT_TIMEZONE)
        return cls.format_datetime(
            value, lang, format='%d.%m.%Y %H:%M', timezone=timezone)


class CashDesk(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'local_tax.cash_desk'
    __string__ = "Cash Desk"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT')
    name = fields.Char("Name", required=True)
    code = fields.Char(
        "Code", required=True, strip=True,
        help="The series printed on the receipts of the desk.")
    online = fields.Boolean(
        "Online", readonly=True,
        help="The desk of the receipts of the online payments (portal, "
        "Ghișeul.ro, kiosk); created with the first of them.")
    cashiers = fields.Many2Many(
        'local_tax.cash_desk-res.user', 'cash_desk', 'user', "Cashiers",
        help="The users who book payments at the desk and close its days.")
    sequences = fields.One2Many(
        'local_tax.cash_desk.sequence', 'cash_desk', "Receipt Sequences",
        readonly=True,
        help="One sequence per year: the receipt numbers restart on "
        "1 January.")
    receipts = fields.One2Many(
        'local_tax.receipt', 'cash_desk', "Receipts", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.company, t.code),
                'local_tax.msg_cash_desk_code_unique'),
            ('online_unique',
                Exclude(t, (t.company, Equal),
                    where=t.online == Literal(True)),
                'local_tax.msg_cash_desk_online_unique'),
            ]
        cls._order = [('company', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_online(cls):
        return False

    def get_rec_name(self, name):
        return f'[{self.code}] {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        from trytond.modules.municipality.common import search_any
        return search_any(clause, ['code', 'name'])

    @classmethod
    def check_modification(cls, mode, desks, values=None, external=False):
        super().check_modification(
            mode, desks, values=values, external=external)
        if mode == 'write' and 'company' in (values or {}):
            Receipt = Pool().get('local_tax.receipt')
            for desk in desks:
                if Receipt.search([('cash_desk', '=', desk.id)], limit=1):
                    raise ReceiptError(gettext(
                            'local_tax.msg_cash_desk_company_used',
                            desk=desk.rec_name))

    @classmethod
    def copy(cls, desks, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('sequences')
        default.setdefault('receipts')
        default.setdefault('online', False)
        default.setdefault('code', lambda data: data['code'] + '*')
        return super().copy(desks, default=default)

    @classmethod
    def online_desk(cls, company):
        "The desk of the company's online receipts, created on first use"
        domain = [('company', '=', company.id), ('online', '=', True)]
        with Transaction().set_context(active_test=False):
            desks = cls.search(domain, limit=1)
            if not desks:
                # one creation at a time per municipality
                Pool().get('company.company').lock([company])
                desks = cls.search(domain, limit=1)
        if desks:
            return desks[0]
        with Transaction().set_context(active_test=False):
            codes = {d.code for d in cls.search(
                        [('company', '=', company.id)])}
        code, number = 'WEB', 1
        while code in codes:
            number += 1
            code = f'WEB{number}'
        desk = cls(
            company=company, online=True, code=code,
            name=gettext('local_tax.msg_cash_desk_online_name'))
        desk.save()
        return desk

    def check_cashier(self):
        "The user of the transaction is a cashier of the desk"
        user = Transaction().user
        if user and user not in {u.id for u in self.cashiers}:
            raise CashDeskError(gettext(
                    'local_tax.msg_cash_desk_not_cashier',
                    desk=self.rec_name))

    def check_counter_payment(self, company, channel, date, kind):
        """A payment at the counter: a cash or card payment of the desk's
        municipality, by one of its cashiers, on a day not closed"""
        if (self.company != company or self.online or not self.active
                or channel not in COUNTER_CHANNELS or kind != 'payment'):
            Payment = Pool().get('local_tax.payment')
            channels = dict(Payment.fields_get(
                    ['channel'])['channel']['selection'])
            raise CashDeskError(gettext(
                    'local_tax.msg_cash_desk_payment',
                    desk=self.rec_name,
                    channel=channels.get(channel, channel)))
        self.check_cashier()
        self.check_open(date)

    def check_open(self, date):
        """No payment is booked on the desk for a closed day: the desk is
        locked so that a closing and a booking never cross"""
        pool = Pool()
        Closing = pool.get('local_tax.cash_closing')
        self.__class__.lock([self])
        if Closing.search([
                    ('cash_desk', '=', self.id),
                    ('date', '=', date),
                    ('state', '=', 'closed'),
                    ], limit=1):
            raise CashDeskClosedError(gettext(
                    'local_tax.msg_cash_desk_closed',
                    desk=self.rec_name,
                    date=date.strftime('%d.%m.%Y')))

    def receipt_sequence(self, year):
        """The strict sequence of the receipts of the year, created on
        first use (call with the desk locked)"""
        DeskSequence = Pool().get('local_tax.cash_desk.sequence')
        return DeskSequence.get_sequence(self, year)


class CashDeskUser(ModelSQL):
    __name__ = 'local_tax.cash_desk-res.user'
    __string__ = "Cash Desk - Cashier"
    cash_desk = fields.Many2One(
        'local_tax.cash_desk', "Cash Desk", required=True,
        ondelete='CASCADE')
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('desk_user_unique', Unique(t, t.cash_desk, t.user),
                'local_tax.msg_cash_desk_user_unique'),
            ]


class CashDeskSequence(YearSequenceMixin, ModelSQL, ModelView):
    __name__ = 'local_tax.cash_desk.sequence'
    __string__ = "Cash Desk Receipt Sequence"
    cash_desk = fields.Many2One(
        'local_tax.cash_desk', "Cash Desk", required=True,
        ondelete='CASCADE')
    year = fields.Integer("Year", required=True)
    sequence = fields.Many2One(
        'ir.sequence.strict', "Sequence", required=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('desk_year_unique', Unique(t, t.cash_desk, t.year),
                'local_tax.msg_cash_desk_sequence_unique'),
            ]
        cls._order = [('year', 'DESC'), ('id', 'DESC')]

    @classmethod
    def _key(cls, desk, year):
        return {'cash_desk': desk.id, 'year': year}

    @classmethod
    def _sequence_values(cls, desk, year):
        ModelData = Pool().get('ir.model.data')
        return {
            'name': f'{desk.code} {year}',
            'sequence_type': ModelData.get_id(
                'local_tax', 'sequence_type_receipt'),
            'company': desk.company.id,
            'prefix': f'{year}/',
            'padding': 6,
            }

    @classmethod
    def check_modification(cls, mode, sequences, values=None,
            external=False):
        super().check_modification(
            mode, sequences, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise ReceiptError(gettext(
                    'local_tax.msg_cash_desk_sequence_immutable'))


class Payment(metaclass=PoolMeta):
    __name__ = 'local_tax.payment'

    cash_desk = fields.Many2One(
        'local_tax.cash_desk', "Cash Desk", readonly=True,
        ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('online', '=', False),
            ])
    receipt = fields.Function(
        fields.Many2One('local_tax.receipt', "Receipt"), 'get_receipt')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.cash_desk, Index.Range()), (t.date, Index.Range())))

    @classmethod
    def get_receipt(cls, payments, name):
        Receipt = Pool().get('local_tax.receipt')
        result = dict.fromkeys((p.id for p in payments))
        for receipt in Receipt.search([
                    ('payment', 'in', [p.id for p in payments]),
                    ]):
            result[receipt.payment.id] = receipt.id
        return result

    @classmethod
    def receive(cls, company, taxpayer, amount, date, channel,
            external_id=None, obligations=None, payer_name=None,
            reference=None, **values):
        """A payment at a cash desk (cash_desk=…) is refused before anything
        is booked when the desk cannot take it, and gets its receipt in the
        same transaction"""
        if values.get('cash_desk'):
            values['cash_desk'].check_counter_payment(
                company, channel, date, values.get('kind', 'payment'))
        payment = super().receive(
            company, taxpayer, amount, date, channel,
            external_id=external_id, obligations=obligations,
            payer_name=payer_name, reference=reference, **values)
        if payment.cash_desk:
            Pool().get('local_tax.receipt').issue_for(payment)
        return payment

    @classmethod
    def check_modification(cls, mode, payments, values=None,
            external=False):
        super().check_modification(
            mode, payments, values=values, external=external)
        if mode == 'create':
            for payment in payments:
                if payment.cash_desk:
                    payment.check_cash_desk()

    def check_cash_desk(self):
        self.cash_desk.check_counter_payment(
            self.company, self.channel, self.date, self.kind)


class Receipt(ModelSQL, ModelView):
    __name__ = 'local_tax.receipt'
    __string__ = "Receipt"
    _rec_name = 'number'

    company = fields.Many2One(
        'company.company', "Municipality", required=True, readonly=True,
        ondelete='RESTRICT')
    cash_desk = fields.Many2One(
        'local_tax.cash_desk', "Cash Desk", required=True, readonly=True,
        ondelete='RESTRICT')
    series = fields.Char("Series", required=True, readonly=True)
    number = fields.Char("Number", required=True, readonly=True)
    date = fields.Date("Date", required=True, readonly=True)
    issued_at = fields.DateTime("Issued At", required=True, readonly=True)
    payment = fields.Many2One(
        'local_tax.payment', "Payment", required=True, readonly=True,
        ondelete='RESTRICT')
    taxpayer = fields.Many2One(
        'party.party', "Taxpayer", required=True, readonly=True,
        ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    taxpayer_name = fields.Char("Taxpayer Name", readonly=True)
    fiscal_code = fields.Char("CNP/CUI", readonly=True)
    address = fields.Char("Address", readonly=True)
    payer_name = fields.Char(
        "Paid By", readonly=True,
        help="The person who paid, when not the taxpayer.")
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, readonly=True)
    amount_words = fields.Char(
        "Amount in Words", required=True, readonly=True)
    method = fields.Selection(CHANNELS, "Method", required=True,
        readonly=True)
    method_string = method.translated('method')
    cashier = fields.Many2One(
        'res.user', "Cashier", readonly=True, ondelete='RESTRICT')
    lines = fields.One2Many(
        'local_tax.receipt.line', 'receipt', "Lines", readonly=True)
    state = fields.Function(fields.Selection([
                ('issued', "Issued"),
                ('cancelled', "Cancelled"),
                ], "State"), 'get_state', searcher='search_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.cash_desk, t.number),
                'local_tax.msg_receipt_number_unique'),
            ('payment_unique', Unique(t, t.payment),
                'local_tax.msg_receipt_payment_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.cash_desk, Index.Range()),
                    (t.date, Index.Range())),
                Index(t, (t.taxpayer, Index.Range())),
                Index(t, (t.number, Index.Similarity())),
                })
        cls._order = [
            ('date', 'DESC'), ('number', 'DESC'), ('id', 'DESC')]

    def get_rec_name(self, name):
        return f'{self.series} {self.number}'

    @classmethod
    def search_rec_name(cls, name, clause):
        from trytond.modules.municipality.common import search_any
        return search_any(clause, ['number', 'taxpayer.rec_name'])

    @classmethod
    def get_state(cls, receipts, name):
        return {r.id: 'cancelled' if r.payment.state == 'cancelled'
            else 'issued' for r in receipts}

    @classmethod
    def search_state(cls, name, clause):
        _, operator, value = clause
        states = {'issued': 'booked', 'cancelled': 'cancelled'}
        if isinstance(value, (list, tuple)):
            value = [states.get(v, v) for v in value]
        else:
            value = states.get(value, value)
        return [('payment.state', operator, value)]

    @classmethod
    def check_modification(cls, mode, receipts, values=None,
            external=False):
        super().check_modification(
            mode, receipts, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise ReceiptError(gettext('local_tax.msg_receipt_immutable'))

    @classmethod
    def copy(cls, receipts, default=None):
        if receipts:
            raise ReceiptError(gettext('local_tax.msg_receipt_immutable'))
        return []

    @classmethod
    def issue_for(cls, payment):
        """Issue the receipt of the payment, once: a payment at a desk gets
        it on its desk, an online payment (portal, Ghișeul.ro, kiosk) on
        the municipality's online desk.  A bank transfer, an offset or a
        reversal gets none (None is returned)."""
        pool = Pool()
        Payment = pool.get('local_tax.payment')
        CashDesk = pool.get('local_tax.cash_desk')
        payment = Payment(payment.id)
        if (payment.kind != 'payment'
                or payment.channel not in RECEIPT_CHANNELS):
            return None
        receipts = cls.search([('payment', '=', payment.id)], limit=1)
        if receipts:
            return receipts[0]
        if payment.cash_desk:
            desk = payment.cash_desk
        elif payment.channel in ONLINE_RECEIPT_CHANNELS:
            desk = CashDesk.online_desk(payment.company)
        else:
            raise CashDeskError(gettext(
                    'local_tax.msg_receipt_no_cash_desk',
                    payment=payment.rec_name))
        desk.check_open(payment.date)
        sequence = desk.receipt_sequence(payment.date.year)
        receipt = cls._receipt(payment, desk)
        receipt.number = sequence.get()
        receipt.save()
        return receipt

    @classmethod
    def _receipt(cls, payment, desk):
        pool = Pool()
        Line = pool.get('local_tax.receipt.line')
        taxpayer = payment.taxpayer
        address = taxpayer.address_get()
        user = Transaction().user
        lines, paid = [], defaultdict(Decimal)
        for allocation in payment.allocations:
            paid[allocation.obligation] += allocation.amount
        for obligation, amount in sorted(paid.items(),
                key=lambda i: (i[0].due_date, i[0].id)):
            if amount:
                lines.append(Line(
                        obligation=obligation,
                        description=obligation.description,
                        tax_type=obligation.tax_type,
                        fiscal_year=obligation.fiscal_year,
                        amount=amount))
        credit = payment.amount - sum(paid.values(), ZERO)
        if credit:
            lines.append(Line(
                    description=gettext('local_tax.msg_receipt_credit'),
                    tax_type='credit', amount=credit))
        return cls(
            company=payment.company, cash_desk=desk, series=desk.code,
            date=payment.date,
            issued_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
            payment=payment, taxpayer=taxpayer,
            taxpayer_name=taxpayer.name,
            fiscal_code=taxpayer.fiscal_code,
            address=(' '.join(address.full_address.split())
                if address else None),
            payer_name=payment.payer_name or taxpayer.name,
            amount=payment.amount,
            amount_words=amount_in_words(payment.amount),
            method=payment.channel,
            cashier=user if user and not desk.online else None,
            lines=lines)


class ReceiptLine(ModelSQL, ModelView):
    __name__ = 'local_tax.receipt.line'
    __string__ = "Receipt Line"

    receipt = fields.Many2One(
        'local_tax.receipt', "Receipt", required=True, ondelete='CASCADE')
    obligation = fields.Many2One(
        'local_tax.obligation', "Obligation", readonly=True,
        ondelete='RESTRICT')
    description = fields.Char("Description", required=True, readonly=True)
    tax_type = fields.Selection(
        RECEIPT_LINE_TYPES, "Revenue", required=True, readonly=True)
    tax_type_string = tax_type.translated('tax_type')
    fiscal_year = fields.Integer("Fiscal Year", readonly=True)
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('receipt')
        cls._order = [('receipt', 'ASC'), ('id', 'ASC')]

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise ReceiptError(gettext('local_tax.msg_receipt_immutable'))


class ReceiptReport(ConvertReport):
    __name__ = 'local_tax.receipt'


class CashClosing(Workflow, ModelSQL, ModelView):
    """The closing of the day of a cash desk: the receipts of the day,
    their totals by method and by revenue, the cancelled ones.  Once closed
    no payment is booked at the desk for that day."""
    __name__ = 'local_tax.cash_closing'
    __string__ = "Cash Desk Closing"

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT', states=_states)
    cash_desk = fields.Many2One(
        'local_tax.cash_desk', "Cash Desk", required=True,
        ondelete='RESTRICT', states=_states,
        domain=[('company', '=', Eval('company', -1))])
    date = fields.Date("Date", required=True, states=_states)
    state = fields.Selection([
            ('draft', "Draft"),
            ('closed', "Closed"),
            ], "State", required=True, readonly=True, sort=False)
    closed_by = fields.Many2One(
        'res.user', "Closed By", readonly=True, ondelete='RESTRICT')
    closed_at = fields.DateTime("Closed At", readonly=True)
    first_number = fields.Char("First Receipt", readonly=True)
    last_number = fields.Char("Last Receipt", readonly=True)
    receipt_count = fields.Integer("Receipts", readonly=True)
    total = fields.Numeric(
        "Total Collected", digits=(16, 2), readonly=True,
        help="The receipts of the day that are not cancelled.")
    cancelled_count = fields.Integer("Cancelled Receipts", readonly=True)
    cancelled_amount = fields.Numeric(
        "Cancelled Amount", digits=(16, 2), readonly=True)
    cancelled_numbers = fields.Text("Cancelled Numbers", readonly=True)
    method_lines = fields.One2Many(
        'local_tax.cash_closing.line', 'closing', "By Method",
        readonly=True, filter=[('kind', '=', 'method')])
    revenue_lines = fields.One2Many(
        'local_tax.cash_closing.line', 'closing', "By Revenue",
        readonly=True, filter=[('kind', '=', 'revenue')])

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('desk_date_unique', Unique(t, t.cash_desk, t.date),
                'local_tax.msg_cash_closing_unique'),
            ]
        cls._order = [('date', 'DESC'), ('cash_desk', 'ASC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'closed')}
        cls._buttons.update({
                'close': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        return f'{self.cash_desk.rec_name} {self.date.strftime("%d.%m.%Y")}'

    @classmethod
    def check_modification(cls, mode, closings, values=None,
            external=False):
        super().check_modification(
            mode, closings, values=values, external=external)
        if mode in {'write', 'delete'}:
            for closing in closings:
                if closing.state == 'closed':
                    raise ReceiptError(gettext(
                            'local_tax.msg_cash_closing_closed',
                            closing=closing.rec_name))

    @classmethod
    def copy(cls, closings, default=None):
        if closings:
            raise ReceiptError(gettext('local_tax.msg_cash_closing_copy'))
        return []

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, closings):
        pool = Pool()
        Date = pool.get('ir.date')
        CashDesk = pool.get('local_tax.cash_desk')
        Line = pool.get('local_tax.cash_closing.line')
        today = Date.today()
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        to_write, lines = [], []
        for closing in closings:
            if closing.date > today:
                raise CashDeskError(gettext(
                        'local_tax.msg_cash_closing_future',
                        closing=closing.rec_name))
            closing.cash_desk.check_cashier()
            # no booking at the desk while its day is summed up
            CashDesk.lock([closing.cash_desk])
            values, closing_lines = closing._sum_up()
            values['closed_by'] = Transaction().user or None
            values['closed_at'] = now
            to_write.extend(([closing], values))
            lines.extend(closing_lines)
        if to_write:
            cls.write(*to_write)
        Line.save(lines)

    def _sum_up(self):
        """The figures of the day and the lines by method and by revenue of
        the receipts that are not cancelled"""
        pool = Pool()
        Receipt = pool.get('local_tax.receipt')
        Line = pool.get('local_tax.cash_closing.line')
        receipts = Receipt.search([
                ('cash_desk', '=', self.cash_desk.id),
                ('date', '=', self.date),
                ], order=[('number', 'ASC')])
        cancelled = [r for r in receipts if r.state == 'cancelled']
        valid = [r for r in receipts if r.state != 'cancelled']
        values = {
            'receipt_count': len(receipts),
            'first_number': receipts[0].number if receipts else None,
            'last_number': receipts[-1].number if receipts else None,
            'cancelled_count': len(cancelled),
            'cancelled_amount': sum((r.amount for r in cancelled), ZERO),
            'cancelled_numbers': ', '.join(r.number for r in cancelled),
            'total': sum((r.amount for r in valid), ZERO),
            }
        methods = defaultdict(lambda: [0, ZERO])
        revenues = defaultdict(lambda: [0, ZERO])
        for receipt in valid:
            methods[receipt.method][0] += 1
            methods[receipt.method][1] += receipt.amount
            for tax_type in {l.tax_type for l in receipt.lines}:
                revenues[tax_type][0] += 1
            for line in receipt.lines:
                revenues[line.tax_type][1] += line.amount
        lines = []
        for method, _ in CHANNELS:
            if method in methods:
                count, amount = methods[method]
                lines.append(Line(closing=self, kind='method', method=method,
                        count=count, amount=amount))
        for tax_type, _ in RECEIPT_LINE_TYPES:
            if tax_type in revenues:
                count, amount = revenues[tax_type]
                lines.append(Line(closing=self, kind='revenue',
                        tax_type=tax_type, count=count, amount=amount))
        return values, lines


class CashClosingLine(ModelSQL, ModelView):
    __name__ = 'local_tax.cash_closing.line'
    __string__ = "Cash Desk Closing Line"

    closing = fields.Many2One(
        'local_tax.cash_closing', "Closing", required=True,
        ondelete='CASCADE')
    kind = fields.Selection([
            ('method', "Method"),
            ('revenue', "Revenue"),
            ], "Kind", required=True, readonly=True)
    method = fields.Selection(
        [(None, "")] + CHANNELS, "Method", readonly=True,
        states={'invisible': Eval('kind') != 'method'})
    method_string = method.translated('method')
    tax_type = fields.Selection(
        [(None, "")] + RECEIPT_LINE_TYPES, "Revenue", readonly=True,
        states={'invisible': Eval('kind') != 'revenue'})
    tax_type_string = tax_type.translated('tax_type')
    count = fields.Integer("Receipts", readonly=True)
    amount = fields.Numeric("Amount", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('closing')
        cls._order = [('closing', 'ASC'), ('id', 'ASC')]

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        for line in lines:
            if line.closing.state == 'closed' and (
                    mode != 'create' or external):
                raise ReceiptError(gettext(
                        'local_tax.msg_cash_closing_closed',
                        closing=line.closing.rec_name))


class CashClosingReport(ConvertReport):
    __name__ = 'local_tax.cash_closing'


class CounterPaymentStart(ModelView):
    __name__ = 'local_tax.counter_payment.start'
    __string__ = "Counter Payment"

    company = fields.Many2One(
        'company.company', "Municipality", required=True, readonly=True)
    desks = fields.Many2Many(
        'local_tax.cash_desk', None, None, "Your Cash Desks", readonly=True)
    cash_desk = fields.Many2One(
        'local_tax.cash_desk', "Cash Desk", required=True,
        domain=[('id', 'in', Eval('desks', []))])
    date = fields.Date("Date", required=True, readonly=True)
    taxpayer = fields.Many2One(
        'party.party', "Taxpayer", required=True,
        context={'company': Eval('company', -1)}, depends={'company'},
        help="Search by CNP, CUI or name.")
    payer_name = fields.Char(
        "Paid By", help="The person who pays, when not the taxpayer.")
    obligations = fields.Many2Many(
        'local_tax.obligation', None, None, "Unpaid Obligations",
        readonly=True,
        context={'fiscal_file_date': Eval('date')}, depends={'date'})
    principal = fields.Numeric(
        "Unpaid Taxes", digits=(16, 2), readonly=True)
    accessories = fields.Numeric(
        "Surcharges to Date", digits=(16, 2), readonly=True,
        help="The late-payment surcharges booked and those the unpaid "
        "taxes bear today (Codul de procedură fiscală art. 183).")
    credit = fields.Numeric("Credit", digits=(16, 2), readonly=True)
    balance = fields.Numeric("Total Due", digits=(16, 2), readonly=True)
    indicated = fields.Many2Many(
        'local_tax.obligation', None, None, "Obligations to Pay",
        domain=[('id', 'in', Eval('obligations', []))],
        context={'fiscal_file_date': Eval('date')}, depends={'date'},
        help="The obligations the payer asks to pay (Codul de procedură "
        "fiscală art. 165(1)); otherwise the order of the law applies.")
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True,
        domain=[('amount', '>', 0)])
    method = fields.Selection([
            ('cash', "Cash"),
            ('card', "Card"),
            ], "Method", required=True)
    card_transaction = fields.Char(
        "Card Transaction",
        states={'invisible': Eval('method') != 'card'},
        help="The transaction id printed on the card terminal's slip.")
    receipt = fields.Many2One(
        'local_tax.receipt', "Receipt", readonly=True,
        states={'invisible': ~Bool(Eval('receipt'))})

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_method(cls):
        return 'cash'

    @classmethod
    def _user_desks(cls):
        CashDesk = Pool().get('local_tax.cash_desk')
        company = Transaction().context.get('company')
        domain = [('company', '=', company), ('online', '=', False)]
        if Transaction().user:
            domain.append(('cashiers', '=', Transaction().user))
        return CashDesk.search(domain)

    @classmethod
    def default_desks(cls):
        return [d.id for d in cls._user_desks()]

    @classmethod
    def default_cash_desk(cls):
        """The desk of the cashier: his only one, else the one of his last
        receipt, else the first"""
        Receipt = Pool().get('local_tax.receipt')
        desks = cls._user_desks()
        if len(desks) > 1 and Transaction().user:
            receipts = Receipt.search([
                    ('cashier', '=', Transaction().user),
                    ('cash_desk', 'in', [d.id for d in desks]),
                    ], order=[('issued_at', 'DESC'), ('id', 'DESC')],
                limit=1)
            if receipts:
                return receipts[0].cash_desk.id
        if desks:
            return desks[0].id

    @fields.depends(
        'company', 'taxpayer', 'date', 'obligations', 'indicated',
        'principal', 'accessories', 'credit', 'balance', 'amount')
    def on_change_taxpayer(self):
        self.obligations = []
        self.indicated = []
        self.principal = self.accessories = self.credit = None
        self.balance = self.amount = None
        if not (self.company and self.taxpayer and self.date):
            return
        FiscalFile = Pool().get('local_tax.fiscal_file')
        self.obligations = [o for o, b in FiscalFile.balances(
                self.company, self.taxpayer, self.date) if b > 0]
        position = FiscalFile.position(self.company, self.taxpayer, self.date)
        self.principal = position['principal']
        self.accessories = position['accessories']
        self.credit = position['credit']
        self.balance = position['balance']
        if position['balance'] > 0:
            self.amount = position['balance']


class CounterPaymentPreview(ModelView):
    "What the payment pays, in the order of the law, before it is taken"
    __name__ = 'local_tax.counter_payment.preview'
    __string__ = "Counter Payment Allocation"

    taxpayer = fields.Many2One('party.party', "Taxpayer", readonly=True)
    cash_desk = fields.Many2One(
        'local_tax.cash_desk', "Cash Desk", readonly=True)
    amount = fields.Numeric("Amount", digits=(16, 2), readonly=True)
    lines = fields.One2Many(
        'local_tax.counter_payment.preview.line', None, "Allocation",
        readonly=True,
        help="The obligations the amount pays, in the order of Codul de "
        "procedură fiscală art. 165: enforceable fines, the obligations "
        "indicated, the principal due oldest first, the surcharges (art. "
        "183), the obligations not yet due.")
    allocated = fields.Numeric(
        "Paid on Obligations", digits=(16, 2), readonly=True)
    bonification = fields.Numeric(
        "Bonification", digits=(16, 2), readonly=True,
        help="Granted when the whole year's tax is paid by the first "
        "deadline (Codul fiscal art. 462(2), 467(2), 472(2)).")
    credit = fields.Numeric(
        "Left as Credit", digits=(16, 2), readonly=True,
        help="What no obligation takes: a credit of the taxpayer, offset "
        "against later debts (Codul de procedură fiscală art. 167).")


class CounterPaymentPreviewLine(ModelView):
    "One obligation the counter payment pays"
    __name__ = 'local_tax.counter_payment.preview.line'
    __string__ = "Counter Payment Allocation Line"

    sequence = fields.Integer("No.", readonly=True)
    description = fields.Char("Obligation", readonly=True)
    tax_type = fields.Selection(TAX_TYPES, "Type", readonly=True)
    fiscal_year = fields.Integer("Fiscal Year", readonly=True)
    due_date = fields.Date("Due Date", readonly=True)
    balance = fields.Numeric(
        "Unpaid Before", digits=(16, 2), readonly=True,
        help="For a surcharge booked by this payment: its amount.")
    amount = fields.Numeric("Paid", digits=(16, 2), readonly=True)


def plain(value):
    "A record's value as default_get takes it: ids for records"
    if isinstance(value, ModelStorage):
        return value.id
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


class CounterPayment(Wizard):
    "Take a payment at the counter and print its receipt"
    __name__ = 'local_tax.counter_payment'

    start = StateView('local_tax.counter_payment.start',
        'local_tax.counter_payment_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Show Allocation", 'preview', 'tryton-forward',
                default=True),
            ])
    preview = StateView('local_tax.counter_payment.preview',
        'local_tax.counter_payment_preview_view_form', [
            Button("Back", 'start', 'tryton-back'),
            Button("Pay", 'pay', 'tryton-ok', default=True),
            ])
    pay = StateTransition()
    print_ = StateReport('local_tax.receipt')

    def default_start(self, fields):
        """Back from the preview: what the cashier entered; started from a
        person's form: that person, with the debts"""
        start = self.start
        if not start.taxpayer and self.model and (
                self.model.__name__ == 'party.party') and self.record:
            start.taxpayer = self.record
            start.on_change_taxpayer()
        if not start.taxpayer:
            return {}
        return {name: plain(getattr(start, name, None)) for name in fields}

    def default_preview(self, fields):
        start = self.start
        if start.cash_desk:
            start.cash_desk.check_cashier()
        allocator = preview_allocation(
            start.company, start.taxpayer, start.amount, start.date,
            obligations=list(start.indicated or []))
        paid = defaultdict(Decimal)
        for allocation in allocator.allocations:
            paid[allocation.obligation] += allocation.amount
        bonified = defaultdict(Decimal)
        for reduction in allocator.reductions:
            bonified[reduction.obligation] += reduction.amount
        unpaid = dict(Pool().get('local_tax.fiscal_file').balances(
                start.company, start.taxpayer))
        lines = []
        for sequence, obligation in enumerate(paid, 1):
            lines.append({
                    'sequence': sequence,
                    'description': obligation.description,
                    'tax_type': obligation.tax_type,
                    'fiscal_year': obligation.fiscal_year,
                    'due_date': obligation.due_date,
                    'balance': (unpaid[obligation] - bonified[obligation]
                        if obligation in unpaid else obligation.amount),
                    'amount': paid[obligation],
                    })
        # a surcharge booked on a principal paid late and left unpaid
        for surcharge_ in allocator.booked:
            if surcharge_ not in paid:
                lines.append({
                        'sequence': len(lines) + 1,
                        'description': surcharge_.description,
                        'tax_type': surcharge_.tax_type,
                        'fiscal_year': surcharge_.fiscal_year,
                        'due_date': surcharge_.due_date,
                        'balance': surcharge_.amount,
                        'amount': ZERO,
                        })
        allocated = sum(paid.values(), ZERO)
        return {
            'taxpayer': start.taxpayer.id,
            'cash_desk': start.cash_desk.id if start.cash_desk else None,
            'amount': start.amount,
            'lines': lines,
            'allocated': allocated,
            'bonification': sum(bonified.values(), ZERO),
            'credit': start.amount - allocated,
            }

    def transition_pay(self):
        pool = Pool()
        Payment = pool.get('local_tax.payment')
        Date = pool.get('ir.date')
        start = self.start
        payment = Payment.receive(
            start.company, start.taxpayer, start.amount, Date.today(),
            start.method,
            external_id=(start.card_transaction or None
                if start.method == 'card' else None),
            obligations=list(start.indicated or []),
            payer_name=start.payer_name or None,
            cash_desk=start.cash_desk)
        self.start.receipt = payment.receipt
        return 'print_'

    def do_print_(self, action):
        receipt = self.start.receipt
        return action, {'id': receipt.id, 'ids': [receipt.id]}

    def transition_print_(self):
        return 'end'

    def end(self):
        # the fiscal file it was started from shows the payment
        return 'reload'
