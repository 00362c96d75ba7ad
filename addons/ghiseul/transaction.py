# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Card payments through Ghișeul.ro.

The portal or the kiosk starts a payment (Transaction.start): Ghișeul.ro
gives a transaction id and the URL of its card page.  When the card is
authorised Ghișeul.ro notifies us (routes.py), or we find it by polling the
status (Transaction.refresh, a cron): both go through Transaction.confirm,
which books the payment through local_tax's Payment.receive exactly once
per transaction id and issues its receipt.  A payment made on ghiseul.ro
after a lookup, that we did not start, is confirmed the same way.

Confirmations of one taxpayer are serialised by the lock Payment.receive
takes on the taxpayer, taken here before the transaction is read, so that
concurrent notifications of one payment find the first one's booking."""
import datetime as dt
import logging
import secrets
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction as DBTransaction
from trytond.transaction import without_check_access

from .adapter import ADAPTER, AdapterError, local_date
from .exceptions import (
    CardPaymentError, ConfirmationError, ConfirmationParked, ImmutableError)

logger = logging.getLogger(__name__)

CHANNELS = [
    ('ghiseul', "Ghișeul.ro"),
    ('kiosk', "Kiosk"),
    ]
STATES = [
    ('draft', "Draft"),
    ('pending', "Pending"),
    ('paid', "Paid"),
    ('failed', "Failed"),
    ('cancelled', "Cancelled"),
    ('reconcile', "To Reconcile"),
    ]
CENT = Decimal('0.01')


def now():
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Transaction(ModelSQL, ModelView):
    __name__ = 'ghiseul.transaction'
    __string__ = "Ghișeul.ro Transaction"

    company = fields.Many2One(
        'company.company', "Municipality", required=True, readonly=True,
        ondelete='RESTRICT')
    taxpayer = fields.Many2One(
        'party.party', "Taxpayer", required=True, readonly=True,
        ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    payer_name = fields.Char("Paid By", readonly=True)
    obligations = fields.Many2Many(
        'ghiseul.transaction-local_tax.obligation', 'transaction',
        'obligation', "Obligations", readonly=True,
        help="The obligations chosen; none means everything due.")
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, readonly=True)
    channel = fields.Selection(
        CHANNELS, "Channel", required=True, readonly=True)
    channel_string = channel.translated('channel')
    initiated_by = fields.Selection([
            ('institution', "Municipality"),
            ('ghiseul', "Ghișeul.ro"),
            ], "Started By", required=True, readonly=True,
        help="Municipality: started from the portal or a kiosk; "
        "Ghișeul.ro: paid on ghiseul.ro after a lookup.")
    token = fields.Char(
        "Token", required=True, readonly=True, strip=False,
        help="The random key of the return URL; our order id at "
        "Ghișeul.ro.")
    external_id = fields.Char(
        "Transaction ID", readonly=True,
        help="Ghișeul.ro's id of the transaction.")
    return_url = fields.Char("Return URL", readonly=True)
    redirect_url = fields.Char(
        "Card Page URL", readonly=True,
        help="Where the payer is sent to pay by card.")
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    paid_at = fields.DateTime("Paid At", readonly=True)
    checked_at = fields.DateTime(
        "Last Status Check", readonly=True)
    error = fields.Text(
        "Error", readonly=True, states={'invisible': ~Eval('error')})
    payment = fields.Many2One(
        'local_tax.payment', "Payment", readonly=True, ondelete='RESTRICT')
    receipt = fields.Many2One(
        'local_tax.receipt', "Receipt", readonly=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('token_unique', Unique(t, t.token),
                'ghiseul.msg_transaction_token_unique'),
            ('external_id_unique', Unique(t, t.company, t.external_id),
                'ghiseul.msg_transaction_external_id_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.taxpayer, Index.Range())),
                Index(t, (t.external_id, Index.Equality())),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'refresh_button': {
                    'invisible': ~Eval('state').in_(
                        ['pending', 'failed', 'cancelled'])
                    | ~Bool(Eval('external_id')),
                    'depends': ['state', 'external_id'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'pending']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_channel(cls):
        return 'ghiseul'

    @classmethod
    def default_initiated_by(cls):
        return 'institution'

    def get_rec_name(self, name):
        return self.external_id or self.token[:8]

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('external_id', operator, value),
            ('taxpayer.rec_name', operator, value),
            ]

    @classmethod
    def check_modification(cls, mode, transactions, values=None,
            external=False):
        super().check_modification(
            mode, transactions, values=values, external=external)
        # only the connector creates and changes them (readonly fields are not enforced on RPC)
        if external or mode == 'delete':
            raise ImmutableError(gettext(
                    'ghiseul.msg_transaction_immutable'))

    @classmethod
    def copy(cls, transactions, default=None):
        if transactions:
            raise ImmutableError(gettext(
                    'ghiseul.msg_transaction_immutable'))
        return []

    # Starting a payment

    @classmethod
    def start(cls, company, taxpayer, amount, return_url, obligations=None,
            channel='ghiseul', payer_name=None, due=None):
        """Start a card payment of the amount for the taxpayer and get the
        URL of Ghișeul.ro's card page (redirect_url).  return_url is where
        Ghișeul.ro sends the payer back: '{token}' in it is replaced by the
        transaction's token, otherwise token=… is added to its query.
        due is the fiscal file's Payable the caller showed the payer (its
        lines are sent as the payment's items); without it, what is payable
        today is read again.
        Bad input raises a UserError; when Ghișeul.ro cannot be reached the
        transaction is returned failed, with the error (and the exchange
        logged)."""
        pool = Pool()
        Configuration = pool.get('ghiseul.configuration')
        configuration = Configuration.get(company)
        amount = cls._check_start(
            company, taxpayer, amount, obligations, channel)
        token = secrets.token_urlsafe(24)
        transaction = cls(
            company=company, taxpayer=taxpayer, amount=amount,
            channel=channel, payer_name=payer_name, token=token,
            obligations=list(obligations or []), state='draft',
            initiated_by='institution',
            return_url=cls._return_url(return_url, token))
        transaction.save()
        adapter = configuration.adapter()
        try:
            external_id, redirect_url = adapter.initiate(
                token, taxpayer.fiscal_code, amount, transaction.return_url,
                transaction._description(), payer_name=payer_name,
                items=transaction._items(due))
        except AdapterError as exception:
            logger.warning("Ghișeul.ro payment %s not started: %s",
                transaction.id, exception.kind)
            transaction.state = 'failed'
            transaction.error = exception.text
        else:
            transaction.external_id = external_id
            transaction.redirect_url = redirect_url
            transaction.state = 'pending'
        transaction.save()
        return transaction

    @classmethod
    def _check_start(cls, company, taxpayer, amount, obligations, channel):
        if channel not in dict(CHANNELS):
            raise CardPaymentError(gettext(
                    'ghiseul.msg_transaction_channel', channel=channel))
        amount = Decimal(str(amount))
        if amount <= 0 or amount != amount.quantize(CENT):
            raise CardPaymentError(gettext(
                    'ghiseul.msg_transaction_amount', amount=amount))
        if not taxpayer.fiscal_code:
            raise CardPaymentError(gettext(
                    'ghiseul.msg_transaction_no_fiscal_code',
                    taxpayer=taxpayer.rec_name))
        for obligation in obligations or []:
            if (obligation.taxpayer != taxpayer
                    or obligation.company != company):
                raise CardPaymentError(gettext(
                        'ghiseul.msg_transaction_foreign_obligation',
                        obligation=obligation.rec_name,
                        taxpayer=taxpayer.rec_name))
        return amount

    @staticmethod
    def _return_url(return_url, token):
        if '{token}' in return_url:
            return return_url.replace('{token}', token)
        separator = '&' if '?' in return_url else '?'
        return f'{return_url}{separator}token={token}'

    def _description(self):
        return gettext('ghiseul.msg_transaction_description',
            municipality=self.company.rec_name)

    def _items(self, due=None):
        """The lines of what is paid (due, else what is payable today),
        with their budget codes, when the amount pays them exactly (the
        lines only inform Ghișeul.ro)"""
        if due is None:
            pool = Pool()
            Date = pool.get('ir.date')
            FiscalFile = pool.get('local_tax.fiscal_file')
            with DBTransaction().set_context(company=self.company.id):
                today = Date.today()
            due = FiscalFile.payable(self.company, self.taxpayer, today,
                list(self.obligations) or None)
        if due.to_pay != self.amount:
            return []
        return [{'obligation': line.obligation.id,
                'budget_code': ADAPTER.budget_code(line.obligation),
                'amount': line.total}
            for line in due.lines if line.total > 0]

    # Confirming a payment

    @classmethod
    def confirm(cls, company, external_id, amount, paid_at,
            fiscal_code=None, payer_name=None, reference=None, items=None):
        """Book the payment Ghișeul.ro confirms, once per transaction id,
        and issue its receipt; return the transaction.  reference is our
        token for a payment we started; a payment we did not start is
        found by the taxpayer's fiscal_code and pays the items'
        obligations (or everything due).  paid_at is naive UTC."""
        pool = Pool()
        Party = pool.get('party.party')
        amount = Decimal(str(amount))
        transaction = cls._find(company, external_id, reference)
        taxpayer = (transaction.taxpayer if transaction
            else cls._taxpayer(fiscal_code))
        # one confirmation per taxpayer at a time (Payment.receive takes the
        # same lock): a repeated one reads the booking of the first
        Party.lock([taxpayer])
        transaction = cls._find(company, external_id, reference)
        if not transaction:
            transaction = cls._from_ghiseul(company, taxpayer, external_id,
                amount, payer_name, items)
        transaction._check_taxpayer(fiscal_code)
        transaction._check_confirmation(external_id, amount)
        if not transaction.payment:
            transaction._book(external_id, amount, paid_at, payer_name)
        return transaction

    @classmethod
    def _find(cls, company, external_id, reference):
        if reference:
            transactions = cls.search([
                    ('company', '=', company.id),
                    ('token', '=', reference),
                    ], limit=1)
            if transactions:
                return transactions[0]
        transactions = cls.search([
                ('company', '=', company.id),
                ('external_id', '=', external_id),
                ], limit=1)
        return transactions[0] if transactions else None

    @classmethod
    def _taxpayer(cls, fiscal_code):
        Party = Pool().get('party.party')
        parties = Party.search([('fiscal_code', '=', fiscal_code)], limit=2)
        if len(parties) != 1:
            raise ConfirmationError(gettext(
                    'ghiseul.msg_confirm_unknown_taxpayer'))
        return parties[0]

    @classmethod
    def _from_ghiseul(cls, company, taxpayer, external_id, amount,
            payer_name, items):
        """The transaction of a payment made on ghiseul.ro after a lookup:
        it pays the obligations of its lines"""
        Obligation = Pool().get('local_tax.obligation')
        ids = []
        for item in items or []:
            try:
                ids.append(int(item.get('obligation') or 0))
            except ValueError:
                continue
        obligations = Obligation.search([
                ('id', 'in', ids),
                ('company', '=', company.id),
                ('taxpayer', '=', taxpayer.id),
                ])
        transaction = cls(
            company=company, taxpayer=taxpayer, amount=amount,
            channel='ghiseul', initiated_by='ghiseul',
            token=secrets.token_urlsafe(24), external_id=external_id,
            payer_name=payer_name, obligations=obligations, state='pending')
        transaction.save()
        return transaction

    def _check_taxpayer(self, fiscal_code):
        """A confirmation naming another taxpayer than the transaction's is
        never booked on either: the transaction is parked for a clerk"""
        if self.state == 'reconcile':
            raise ConfirmationParked(gettext(
                    'ghiseul.msg_confirm_parked', transaction=self.rec_name))
        code = (fiscal_code or '').strip().upper()
        if code.startswith('RO'):
            code = code[2:].strip()
        if not code or code == self.taxpayer.fiscal_code:
            return
        message = gettext('ghiseul.msg_confirm_other_taxpayer',
            transaction=self.rec_name)
        if self.payment:
            # booked already on the right taxpayer: refused, nothing changes
            raise ConfirmationError(message)
        logger.warning("transaction %s parked for reconciliation: the "
            "confirmation names another taxpayer", self.rec_name)
        self.state = 'reconcile'
        self.error = message
        self.save()
        raise ConfirmationParked(message)

    def _check_confirmation(self, external_id, amount):
        if self.external_id and self.external_id != external_id:
            raise ConfirmationError(gettext(
                    'ghiseul.msg_confirm_external_id',
                    external_id=external_id, transaction=self.rec_name))
        if amount != self.amount:
            raise ConfirmationError(gettext(
                    'ghiseul.msg_confirm_amount', amount=amount,
                    expected=self.amount, transaction=self.rec_name))

    def _book(self, external_id, amount, paid_at, payer_name):
        pool = Pool()
        Payment = pool.get('local_tax.payment')
        Receipt = pool.get('local_tax.receipt')
        payment = Payment.receive(
            self.company, self.taxpayer, amount, local_date(paid_at),
            self.channel, external_id=external_id,
            obligations=list(self.obligations) or None,
            payer_name=payer_name or self.payer_name,
            reference=self.token[:8])
        self.payment = payment
        self.receipt = Receipt.issue_for(payment)
        self.external_id = external_id
        self.paid_at = paid_at
        self.state = 'paid'
        self.error = None
        self.save()

    # Status polling

    @classmethod
    @ModelView.button
    def refresh_button(cls, transactions):
        # the button's access is checked: the booking is the connector's
        with without_check_access():
            cls.refresh(transactions)

    @classmethod
    def refresh(cls, transactions):
        """Ask Ghișeul.ro the status of the transactions not paid: a paid
        one is confirmed (booked once), a declined one fails"""
        for transaction in transactions:
            if (transaction.state in {'paid', 'reconcile'}
                    or not transaction.external_id):
                continue
            transaction._refresh()

    def _refresh(self):
        Configuration = Pool().get('ghiseul.configuration')
        adapter = Configuration.get(self.company).adapter()
        self.checked_at = now()
        try:
            status = adapter.status(self.external_id, reference=self.token)
        except AdapterError as exception:
            self.error = exception.text
            self.save()
            return
        if status.state == 'paid' and status.amount is not None:
            self.save()
            try:
                self.confirm(self.company, self.external_id, status.amount,
                    status.paid_at or now(), fiscal_code=status.fiscal_code,
                    payer_name=status.payer_name, reference=self.token)
            except ConfirmationParked:
                pass  # kept parked for the clerk
            return
        if status.state in {'failed', 'cancelled'}:
            self.state = status.state
        self.save()

    @classmethod
    def refresh_pending(cls):
        "Cron: poll the transactions still pending"
        cls.refresh(cls.search([
                    ('state', '=', 'pending'),
                    ('external_id', '!=', None),
                    ], order=[('create_date', 'ASC')], limit=500))

    @classmethod
    @ModelView.button
    def cancel(cls, transactions):
        """The payer gave up: a confirmation that still comes is booked"""
        for transaction in transactions:
            if transaction.state in {'draft', 'pending'}:
                transaction.state = 'cancelled'
        with without_check_access():
            cls.save(transactions)

    # Lookup by Ghișeul.ro

    @classmethod
    def lookup(cls, company, fiscal_code, date):
        """The taxpayer of the fiscal code and what it owes on the date
        (local_tax payable), (None, None) when unknown"""
        pool = Pool()
        Party = pool.get('party.party')
        FiscalFile = pool.get('local_tax.fiscal_file')
        parties = Party.search([('fiscal_code', '=', fiscal_code)], limit=2)
        if len(parties) != 1:
            return None, None
        taxpayer, = parties
        return taxpayer, FiscalFile.payable(company, taxpayer, date)


class TransactionObligation(ModelSQL):
    __name__ = 'ghiseul.transaction-local_tax.obligation'
    __string__ = "Ghișeul.ro Transaction - Obligation"
    transaction = fields.Many2One(
        'ghiseul.transaction', "Transaction", required=True,
        ondelete='CASCADE')
    obligation = fields.Many2One(
        'local_tax.obligation', "Obligation", required=True,
        ondelete='RESTRICT')

