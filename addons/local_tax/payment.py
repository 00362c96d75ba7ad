# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Payments of local taxes and their allocation to obligations.

Every channel (cash desk, bank statement, portal, Ghișeul.ro, kiosk) books
through Payment.receive: one code path.  An online payment carries the
channel's transaction id and is booked once however often it is
confirmed.  A payment is never deleted: cancelling it books a reversal."""
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import PaymentError, PostedObligationError
from .fiscal_file import ASSESSED_TAXES, ZERO, money, surcharge

CHANNELS = [
    ('cash', "Cash"),
    ('card', "Card at the Counter"),
    ('bank', "Bank Transfer"),
    ('portal', "Citizen Portal"),
    ('ghiseul', "Ghișeul.ro"),
    ('kiosk', "Kiosk"),
    ('offset', "Offset"),
    ]
# The channels whose confirmations carry the channel's transaction id
ONLINE_CHANNELS = {'portal', 'ghiseul', 'kiosk', 'bank'}


class Payment(Workflow, ModelSQL, ModelView):
    __name__ = 'local_tax.payment'
    __string__ = "Tax Payment"

    company = fields.Many2One(
        'company.company', "Municipality", required=True, readonly=True,
        ondelete='RESTRICT')
    taxpayer = fields.Many2One(
        'party.party', "Taxpayer", required=True, readonly=True,
        ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    payer_name = fields.Char(
        "Paid By", readonly=True,
        help="The person who paid, when not the taxpayer.")
    date = fields.Date("Date", required=True, readonly=True)
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, readonly=True)
    channel = fields.Selection(
        CHANNELS, "Channel", required=True, readonly=True)
    channel_string = channel.translated('channel')
    external_id = fields.Char(
        "Transaction ID", readonly=True,
        help="The bank's, Ghișeul.ro's or the card processor's id of the "
        "transaction: a payment is booked once per id.")
    reference = fields.Char("Reference", readonly=True)
    kind = fields.Selection([
            ('payment', "Payment"),
            ('reversal', "Reversal"),
            ('refund', "Refund"),
            ], "Kind", required=True, readonly=True)
    kind_string = kind.translated('kind')
    reversal_of = fields.Many2One(
        'local_tax.payment', "Reverses", readonly=True, ondelete='RESTRICT')
    state = fields.Selection([
            ('booked', "Booked"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    indicated = fields.Many2Many(
        'local_tax.payment-local_tax.obligation', 'payment', 'obligation',
        "Indicated Obligations", readonly=True,
        help="The obligations the payer asked to pay (art. 165(1)).")
    allocations = fields.One2Many(
        'local_tax.payment.allocation', 'payment', "Allocations",
        readonly=True)
    allocated = fields.Function(fields.Numeric(
            "Allocated", digits=(16, 2)), 'get_allocated')
    unallocated = fields.Function(fields.Numeric(
            "Credit", digits=(16, 2),
            help="What the payment did not extinguish: a credit of the "
            "taxpayer, offset against later debts or refunded."),
        'get_allocated')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('external_id_unique',
                Unique(t, t.company, t.channel, t.external_id),
                'local_tax.msg_payment_external_id_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.taxpayer, Index.Range()),
                    (t.company, Index.Range())),
                Index(t, (t.date, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('booked', 'cancelled')}
        cls._buttons.update({
                'cancel': {
                    'invisible': ((Eval('state') != 'booked')
                        | (Eval('kind') != 'payment')),
                    'depends': ['state', 'kind'],
                    },
                })

    @classmethod
    def default_kind(cls):
        return 'payment'

    @classmethod
    def default_state(cls):
        return 'booked'

    @classmethod
    def get_allocated(cls, payments, names):
        Allocation = Pool().get('local_tax.payment.allocation')
        allocation = Allocation.__table__()
        cursor = Transaction().connection.cursor()
        ids = [p.id for p in payments]
        allocated = dict.fromkeys(ids, ZERO)
        cursor.execute(*allocation.select(
                allocation.payment, Sum(allocation.amount),
                where=allocation.payment.in_(ids),
                group_by=[allocation.payment]))
        for payment, amount in cursor:
            allocated[payment] = money(str(amount or 0))
        result = {}
        if 'allocated' in names:
            result['allocated'] = allocated
        if 'unallocated' in names:
            result['unallocated'] = {
                p.id: p.amount - allocated[p.id] for p in payments}
        return result

    def get_rec_name(self, name):
        date = self.date.strftime('%d.%m.%Y') if self.date else ''
        return f'{self.id} / {date}'

    @classmethod
    def check_modification(cls, mode, payments, values=None,
            external=False):
        super().check_modification(
            mode, payments, values=values, external=external)
        if mode == 'delete' or (mode == 'write'
                and set(values or {}) - {'state'}):
            raise PostedObligationError(gettext(
                    'local_tax.msg_payment_immutable'))

    @classmethod
    def credit(cls, company, taxpayer, date=None):
        "What the taxpayer paid and no obligation took, on the date"
        pool = Pool()
        Allocation = pool.get('local_tax.payment.allocation')
        payment = cls.__table__()
        allocation = Allocation.__table__()
        cursor = Transaction().connection.cursor()
        where = ((payment.company == company.id)
            & (payment.taxpayer == taxpayer.id))
        paid_where, allocated_where = where, where
        if date:
            paid_where &= payment.date <= date
            allocated_where &= allocation.date <= date
        cursor.execute(*payment.select(
                Sum(payment.amount), where=paid_where))
        paid, = cursor.fetchone()
        cursor.execute(*allocation.join(
                payment, condition=allocation.payment == payment.id
                ).select(Sum(allocation.amount), where=allocated_where))
        allocated, = cursor.fetchone()
        return money(str(paid or 0)) - money(str(allocated or 0))

    @classmethod
    def receive(cls, company, taxpayer, amount, date, channel,
            external_id=None, obligations=None, payer_name=None,
            reference=None, **values):
        """Book a payment and allocate it: the one entry point of every
        channel.  A confirmation repeated with the same transaction id
        returns the payment booked the first time."""
        amount = Decimal(amount)
        if not taxpayer:
            raise PaymentError(gettext('local_tax.msg_payment_no_taxpayer'))
        if amount <= 0 or amount != money(amount):
            raise PaymentError(gettext(
                    'local_tax.msg_payment_amount', amount=amount))
        if channel in ONLINE_CHANNELS - {'bank'} and not external_id:
            raise PaymentError(gettext(
                    'local_tax.msg_payment_external_id_required',
                    channel=dict(CHANNELS)[channel]))
        # one booking per taxpayer at a time: allocations read the balances
        Pool().get('party.party').lock([taxpayer])
        if external_id:
            existing = cls.search([
                    ('company', '=', company.id),
                    ('channel', '=', channel),
                    ('external_id', '=', external_id),
                    ])
            if existing:
                payment, = existing
                if (payment.taxpayer != taxpayer
                        or payment.amount != amount):
                    raise PaymentError(gettext(
                            'local_tax.msg_payment_external_id_conflict',
                            external_id=external_id,
                            payment=payment.rec_name))
                return payment
        for obligation in obligations or []:
            if (obligation.taxpayer != taxpayer
                    or obligation.company != company):
                raise PaymentError(gettext(
                        'local_tax.msg_payment_foreign_obligation',
                        obligation=obligation.rec_name,
                        taxpayer=taxpayer.rec_name))
        payment = cls(
            company=company, taxpayer=taxpayer, amount=amount, date=date,
            channel=channel, external_id=external_id, payer_name=payer_name,
            reference=reference, indicated=list(obligations or []),
            **values)
        payment.save()
        cls.allocate([payment])
        return payment

    @classmethod
    def allocate(cls, payments, date=None):
        "Allocate what is left of the payments in the order of art. 165"
        for payment in payments:
            if payment.state != 'booked' or payment.kind != 'payment':
                continue
            Allocator(payment, date or payment.date).run()

    @classmethod
    def offset_credits(cls, taxpayers, companies, date):
        """Art. 167: a credit (overpayment) is offset against the debts
        established on the date, the oldest payment first"""
        payments = cls.search([
                ('taxpayer', 'in', [t.id for t in taxpayers]),
                ('company', 'in', [c.id for c in companies]),
                ('state', '=', 'booked'),
                ('kind', '=', 'payment'),
                ], order=[('date', 'ASC'), ('id', 'ASC')])
        payments = [p for p in payments if p.unallocated > 0]
        for payment in payments:
            Allocator(payment, max(date, payment.date)).run()

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, payments):
        """A reversal entry: the allocations, the surcharges booked and the
        bonification granted by the payment are reversed; nothing is
        deleted"""
        pool = Pool()
        Allocation = pool.get('local_tax.payment.allocation')
        Reduction = pool.get('local_tax.obligation.reduction')
        Obligation = pool.get('local_tax.obligation')
        today = pool.get('ir.date').today()
        for payment in payments:
            if payment.kind != 'payment':
                raise PaymentError(gettext(
                        'local_tax.msg_payment_cancel_kind',
                        payment=payment.rec_name))
            pool.get('party.party').lock([payment.taxpayer])
            reversal = cls(
                company=payment.company, taxpayer=payment.taxpayer,
                amount=-payment.amount, date=today, channel=payment.channel,
                kind='reversal', reversal_of=payment,
                reference=payment.rec_name)
            reversal.save()
            Allocation.save([Allocation(
                        payment=reversal, obligation=a.obligation,
                        amount=-a.amount, date=today)
                    for a in payment.allocations])
            reductions = [Reduction(
                    obligation=r.obligation, date=today, amount=-r.amount,
                    reason='reversal', payment=reversal,
                    description=r.reason_string)
                for r in Reduction.search([('payment', '=', payment.id)])]
            surcharges = Obligation.search([('payment', '=', payment.id)])
            reductions += [Reduction(
                    obligation=o, date=today, amount=o.amount,
                    reason='reversal', payment=reversal)
                for o in surcharges]
            Reduction.save(reductions)


class PaymentIndicated(ModelSQL):
    __name__ = 'local_tax.payment-local_tax.obligation'
    __string__ = "Payment - Indicated Obligation"
    payment = fields.Many2One(
        'local_tax.payment', "Payment", required=True, ondelete='CASCADE')
    obligation = fields.Many2One(
        'local_tax.obligation', "Obligation", required=True,
        ondelete='RESTRICT')


class Allocation(ModelSQL, ModelView):
    __name__ = 'local_tax.payment.allocation'
    __string__ = "Payment Allocation"

    payment = fields.Many2One(
        'local_tax.payment', "Payment", required=True, ondelete='RESTRICT')
    obligation = fields.Many2One(
        'local_tax.obligation', "Obligation", required=True,
        ondelete='RESTRICT')
    date = fields.Date("Date", required=True)
    amount = fields.Numeric("Amount", digits=(16, 2), required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.date, Index.Range())))
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def check_modification(cls, mode, allocations, values=None,
            external=False):
        super().check_modification(
            mode, allocations, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise PostedObligationError(gettext(
                    'local_tax.msg_payment_immutable'))


class Allocator:
    """Codul de procedură fiscală art. 165 for a local budget:

    1. contravention fines individualised in enforceable titles, oldest
       first, even if the payer indicated another obligation (165(2)),
       except when the payer pays fees (taxe);
    2. the obligations the payer indicated (165(1));
    3. the principal obligations due, oldest first, then the accessories
       due, oldest first (165(1) a)), a principal paid late booking its
       surcharge (CPF art. 183) as an accessory due on the payment date;
    4. the obligations not yet due, oldest first (165(1) b)).

    Bonification (art. 462(2), 467(2), 472(2)): a payment made by the first
    instalment's deadline that pays the whole year's remaining tax of one
    kind (building, land or vehicle) less the bonification gets it: the
    whole tax of that kind is then paid at once.

    A dry run (preview) allocates an unsaved payment the same way and saves
    nothing: what the counter shows before the cashier takes the money."""

    def __init__(self, payment, date, available=None, dry_run=False):
        self.payment = payment
        self.date = date
        self.available = (payment.unallocated if available is None
            else available)
        self.dry_run = dry_run
        self.fiscal_file = Pool().get('local_tax.fiscal_file')
        self.rate = None
        self.allocations = []
        self.reductions = []
        self.surcharges = []
        self.booked = []
        self.bonified = set()

    def run(self):
        pool = Pool()
        Allocation = pool.get('local_tax.payment.allocation')
        Reduction = pool.get('local_tax.obligation.reduction')
        if self.available <= 0:
            return
        self.balances = dict(self.fiscal_file.balances(
                self.payment.company, self.payment.taxpayer))
        self.bonification = bonification_groups(self.balances, self.date)
        indicated, principal, accessories, future = self._order()
        self._pay_all(indicated)
        # the indicated obligations are paid with their own surcharges
        self._pay_all(self._booked_surcharges())
        self._pay_all(principal)
        # the surcharges just booked are accessories due on the payment day
        self._pay_all(accessories + self._booked_surcharges())
        self._pay_all(future)
        if not self.dry_run:
            Reduction.save(self.reductions)
            Allocation.save(self.allocations)

    def _booked_surcharges(self):
        "Save the surcharges booked since the last call and return them"
        Obligation = Pool().get('local_tax.obligation')
        booked, self.surcharges = self.surcharges, []
        if not self.dry_run:
            Obligation.save(booked)
        self.booked.extend(booked)
        for surcharge_ in booked:
            self.balances[surcharge_] = surcharge_.amount
        return booked

    def _pay_all(self, obligations):
        for obligation in obligations:
            if self.available <= 0:
                break
            group = self._group(obligation)
            if group and group not in self.bonified:
                self._try_bonification(group)
            self._pay(obligation)

    def _order(self):
        """The open obligations in four groups: enforceable fines and the
        indicated obligations; the other principal due; the accessories
        due; the obligations not yet due"""
        open_ = [o for o, b in self.balances.items() if b > 0]
        key = lambda o: (o.due_date, o.id)  # noqa: E731
        indicated = [o for o in self.payment.indicated if o in open_]
        first = unique(legal_first(open_, indicated)
            + sorted(indicated, key=key))
        due = [o for o in open_ if o.due_date <= self.date and o not in first]
        principal = sorted(
            (o for o in due if o.nature == 'principal'), key=key)
        accessories = sorted(
            (o for o in due if o.nature == 'accessory'), key=key)
        future = sorted(
            (o for o in open_ if o.due_date > self.date and o not in first),
            key=key)
        return first, principal, accessories, future

    def _pay(self, obligation):
        balance = self.balances.get(obligation, ZERO)
        amount = min(balance, self.available)
        if amount <= 0:
            return
        Allocation = Pool().get('local_tax.payment.allocation')
        self.allocations.append(Allocation(
                payment=self.payment, obligation=obligation, amount=amount,
                date=self.date))
        self.balances[obligation] = balance - amount
        self.available -= amount
        # by the tax type, not the nature: a surcharge of a dry run is unsaved
        if self.fiscal_file.bears_surcharge(
                obligation.tax_type, obligation.due_date, self.date):
            self._book_surcharge(obligation, amount)

    def _book_surcharge(self, obligation, amount):
        "CPF art. 183: booked on the principal paid late, when paid"
        Obligation = Pool().get('local_tax.obligation')
        if self.rate is None:
            self.rate = self.fiscal_file.surcharge_rate(
                self.payment.company, self.date)
        charge = surcharge(amount, obligation.due_date, self.date, self.rate)
        if charge <= 0:
            return
        self.surcharges.append(Obligation(
                company=obligation.company, taxpayer=obligation.taxpayer,
                fiscal_year=obligation.fiscal_year, tax_type='surcharge',
                description=gettext('local_tax.msg_surcharge_description',
                    obligation=obligation.description),
                amount=charge, date=self.date, due_date=self.date,
                principal=obligation, payment=self.payment,
                state='posted'))

    # Bonification

    def _group(self, obligation):
        key = (obligation.fiscal_year, obligation.tax_type)
        return key if key in self.bonification else None

    def _try_bonification(self, group):
        """Grant the bonification when the payment pays the rest of the
        year's tax of the kind less the bonification"""
        Reduction = Pool().get('local_tax.obligation.reduction')
        self.bonified.add(group)
        obligations = sorted(self.bonification[group],
            key=lambda o: (o.due_date, o.id), reverse=True)
        bonus, remaining = bonification_amount(obligations, self.balances)
        if bonus <= 0 or self.available < remaining - bonus:
            return
        to_reduce = bonus
        for obligation in obligations:
            part = min(self.balances[obligation], to_reduce)
            if part <= 0:
                continue
            self.reductions.append(Reduction(
                    obligation=obligation, date=self.date, amount=part,
                    reason='bonification', payment=self.payment,
                    assessment=obligation.assessment))
            self.balances[obligation] -= part
            to_reduce -= part
        for obligation in reversed(obligations):
            self._pay(obligation)


def preview_allocation(company, taxpayer, amount, date, obligations=None):
    """What Payment.receive would allocate, without booking anything: the
    allocator of art. 165 run on an unsaved payment.  Its `allocations`
    (in the order of the law), `reductions` (bonification), `booked`
    (surcharges of art. 183) and `available` (left as credit)."""
    Payment = Pool().get('local_tax.payment')
    amount = Decimal(amount)
    payment = Payment(
        company=company, taxpayer=taxpayer, amount=amount, date=date,
        kind='payment', state='booked', indicated=list(obligations or []))
    allocator = Allocator(payment, date, available=amount, dry_run=True)
    allocator.run()
    return allocator


def legal_first(open_, indicated):
    """The enforceable contravention fines, oldest first: paid before the
    indicated obligations unless only fees (taxe) are paid (CPF art.
    165(2))"""
    if indicated and all(o.tax_type == 'fee' for o in indicated):
        return []
    return sorted(
        (o for o in open_ if o.tax_type == 'fine' and o.enforceable),
        key=lambda o: (o.due_date, o.id))


def bonification_groups(balances, date):
    """The taxes of the year of the date that can still get the
    bonification, by (year, tax type): their assessment grants one, its
    deadline (the first instalment) is not past and none was granted yet
    (art. 462(2), 467(2), 472(2))"""
    Reduction = Pool().get('local_tax.obligation.reduction')
    groups = defaultdict(list)
    for obligation in balances:
        assessment = obligation.assessment
        if (obligation.tax_type in ASSESSED_TAXES and assessment
                and assessment.bonification
                and obligation.fiscal_year == date.year
                and date <= assessment.bonification_deadline):
            groups[(obligation.fiscal_year, obligation.tax_type)].append(
                obligation)
    if not groups:
        return {}
    granted = Reduction.search([
            ('obligation', 'in', [o.id for g in groups.values() for o in g]),
            ('reason', '=', 'bonification'),
            ])
    net = defaultdict(Decimal)
    for reduction in granted:
        obligation = reduction.obligation
        net[(obligation.fiscal_year, obligation.tax_type)] += reduction.amount
    return {k: v for k, v in groups.items() if not net[k]}


def bonification_amount(obligations, balances):
    """The bonification of one tax of the year and the remaining balance
    it is granted on: the percentage of the year's tax (after
    corrections), at most the remaining balance"""
    def corrections(obligation):
        return sum((r.amount for r in obligation.reductions
                if r.reason in {'correction', 'exemption'}), ZERO)
    annual = sum(o.amount - corrections(o) for o in obligations)
    rate = max(o.assessment.bonification for o in obligations)
    remaining = sum(balances[o] for o in obligations)
    return min(money(annual * rate / 100), remaining), remaining


class PayableLine:
    "One open obligation with what paying it on the date costs"
    __slots__ = ('obligation', 'balance', 'surcharge', 'bonification')

    def __init__(self, obligation, balance, surcharge_=ZERO):
        self.obligation = obligation
        self.balance = balance
        self.surcharge = surcharge_
        self.bonification = ZERO

    @property
    def total(self):
        return self.balance + self.surcharge - self.bonification


class Payable:
    """What a taxpayer pays on a date for some or all open obligations:
    the amount that Payment.receive with the same obligations on the same
    date books on exactly these lines"""
    __slots__ = ('company', 'taxpayer', 'date', 'lines', 'credit')

    def __init__(self, company, taxpayer, date, lines, credit):
        self.company = company
        self.taxpayer = taxpayer
        self.date = date
        self.lines = lines
        self.credit = credit

    @property
    def obligations(self):
        return [line.obligation for line in self.lines]

    @property
    def total(self):
        return sum((line.balance + line.surcharge for line in self.lines),
            ZERO)

    @property
    def bonification(self):
        return sum((line.bonification for line in self.lines), ZERO)

    @property
    def to_pay(self):
        return self.total - self.bonification


def unique(obligations):
    seen, result = set(), []
    for obligation in obligations:
        if obligation not in seen:
            seen.add(obligation)
            result.append(obligation)
    return result
