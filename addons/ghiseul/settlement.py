# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The daily settlement report of Ghișeul.ro reconciled with the payments
booked: each transaction of the report and each online payment booked on
the day is matched, missing in our books, missing in the report or of
another amount."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If

from trytond.transaction import without_check_access

from .adapter import TIMEZONE, AdapterError
from .exceptions import ImmutableError

LINE_STATUSES = [
    ('matched', "Matched"),
    ('missing_books', "Missing in Our Books"),
    ('missing_settlement', "Missing in the Settlement"),
    ('amount_differs', "Amount Differs"),
    ]
# The channels whose payments Ghișeul.ro settles
SETTLED_CHANNELS = ['ghiseul', 'kiosk']


class Settlement(ModelSQL, ModelView):
    __name__ = 'ghiseul.settlement'
    __string__ = "Ghișeul.ro Settlement"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT', states={'readonly': Eval('state') != 'draft'})
    date = fields.Date(
        "Date", required=True, states={'readonly': Eval('state') != 'draft'})
    state = fields.Selection([
            ('draft', "Draft"),
            ('fetched', "Fetched"),
            ('failed', "Failed"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    fetched_at = fields.DateTime("Fetched At", readonly=True)
    error = fields.Text(
        "Error", readonly=True, states={'invisible': ~Eval('error')})
    lines = fields.One2Many(
        'ghiseul.settlement.line', 'settlement', "Lines", readonly=True)
    reported_total = fields.Numeric(
        "Settled by Ghișeul.ro", digits=(16, 2), readonly=True)
    booked_total = fields.Numeric(
        "Booked", digits=(16, 2), readonly=True)
    commission_total = fields.Numeric(
        "Bank Commission", digits=(16, 2), readonly=True)
    mismatches = fields.Integer("Differences", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_date_unique', Unique(t, t.company, t.date),
                'ghiseul.msg_settlement_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'fetch': {
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        from trytond.transaction import Transaction
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        return self.date.strftime('%d.%m.%Y')

    @classmethod
    def check_modification(cls, mode, settlements, values=None,
            external=False):
        super().check_modification(
            mode, settlements, values=values, external=external)
        if external and mode == 'write' and set(values or {}) - {'date'}:
            raise ImmutableError(gettext('ghiseul.msg_settlement_immutable'))

    @classmethod
    def fetch_day(cls, company, date):
        "The settlement of the day, fetched again and reconciled"
        settlements = cls.search([
                ('company', '=', company.id), ('date', '=', date)], limit=1)
        settlement = (settlements[0] if settlements
            else cls(company=company, date=date))
        settlement.save()
        cls.fetch([settlement])
        return cls(settlement.id)

    @classmethod
    def fetch_daily(cls):
        "Cron: yesterday's settlement of every configured municipality"
        Configuration = Pool().get('ghiseul.configuration')
        yesterday = (dt.datetime.now(TIMEZONE).date()
            - dt.timedelta(days=1))
        for configuration in Configuration.search([]):
            cls.fetch_day(configuration.company, yesterday)

    @classmethod
    @ModelView.button
    def fetch(cls, settlements):
        """Fetch the report of each day from Ghișeul.ro and reconcile it;
        a failed call leaves the settlement failed, with the error"""
        # the button's access is checked: the lines are the connector's
        with without_check_access():
            cls._fetch(settlements)

    @classmethod
    def _fetch(cls, settlements):
        pool = Pool()
        Configuration = pool.get('ghiseul.configuration')
        Line = pool.get('ghiseul.settlement.line')
        for settlement in settlements:
            adapter = Configuration.get(settlement.company).adapter()
            settlement.fetched_at = dt.datetime.now(
                dt.timezone.utc).replace(tzinfo=None)
            try:
                items = adapter.settlement(settlement.date)
            except AdapterError as exception:
                settlement.state = 'failed'
                settlement.error = exception.text
                settlement.save()
                continue
            Line.delete(Line.search([('settlement', '=', settlement.id)]))
            lines = settlement.reconcile(items)
            Line.save(lines)
            settlement.state = 'fetched'
            settlement.error = None
            settlement.reported_total = sum(
                (i.amount for i in items), Line.zero())
            settlement.booked_total = sum(
                (l.booked_amount or 0 for l in lines), Line.zero())
            settlement.commission_total = sum(
                (i.commission or 0 for i in items), Line.zero())
            settlement.mismatches = len(
                [l for l in lines if l.status != 'matched'])
            settlement.save()

    def reconcile(self, items):
        """A line per transaction of the report and per payment booked on
        the day not in it"""
        pool = Pool()
        Payment = pool.get('local_tax.payment')
        Line = pool.get('ghiseul.settlement.line')
        ids = [i.external_id for i in items]
        reported = Payment.search([
                ('company', '=', self.company.id),
                ('channel', 'in', SETTLED_CHANNELS),
                ('kind', '=', 'payment'),
                ('external_id', 'in', ids),
                ])
        by_id = {p.external_id: p for p in reported}
        booked_on_day = Payment.search([
                ('company', '=', self.company.id),
                ('channel', 'in', SETTLED_CHANNELS),
                ('kind', '=', 'payment'),
                ('date', '=', self.date),
                ('external_id', 'not in', ids),
                ], order=[('id', 'ASC')])
        lines = []
        for item in items:
            payment = by_id.get(item.external_id)
            lines.append(Line(
                    settlement=self, external_id=item.external_id,
                    reference=item.reference, paid_at=item.paid_at,
                    reported_amount=item.amount,
                    commission=item.commission, payment=payment,
                    booked_amount=payment.amount if payment else None,
                    status=Line.status_of(item.amount, payment)))
        for payment in booked_on_day:
            lines.append(Line(
                    settlement=self, external_id=payment.external_id,
                    payment=payment, booked_amount=payment.amount,
                    status='missing_settlement'))
        return lines


class SettlementLine(ModelSQL, ModelView):
    __name__ = 'ghiseul.settlement.line'
    __string__ = "Ghișeul.ro Settlement Line"

    settlement = fields.Many2One(
        'ghiseul.settlement', "Settlement", required=True,
        ondelete='CASCADE', readonly=True)
    external_id = fields.Char("Transaction ID", readonly=True)
    reference = fields.Char("Order ID", readonly=True)
    paid_at = fields.DateTime("Paid At", readonly=True)
    reported_amount = fields.Numeric(
        "Settled Amount", digits=(16, 2), readonly=True)
    commission = fields.Numeric(
        "Commission", digits=(16, 2), readonly=True)
    payment = fields.Many2One(
        'local_tax.payment', "Payment", readonly=True, ondelete='RESTRICT')
    booked_amount = fields.Numeric(
        "Booked Amount", digits=(16, 2), readonly=True)
    status = fields.Selection(
        LINE_STATUSES, "Status", required=True, readonly=True)
    status_string = status.translated('status')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('settlement')
        cls._order = [('settlement', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def zero():
        from decimal import Decimal
        return Decimal('0.00')

    @staticmethod
    def status_of(amount, payment):
        if not payment:
            return 'missing_books'
        if payment.amount != amount:
            return 'amount_differs'
        return 'matched'

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if external:
            raise ImmutableError(gettext('ghiseul.msg_settlement_immutable'))

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('status') != 'matched', 'danger', '')),
            ]
