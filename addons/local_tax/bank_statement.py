# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Import of the bank (treasury) statement: the local taxes paid by transfer.

The file is a CSV in UTF-8 with a header line; the columns (in any order,
names case-insensitive) are

    date            the day of the payment: 2026-03-20 or 20.03.2026
    amount          in lei, positive, at most 2 decimals: 177.50 (177,50
                    when the separator is ";")
    fiscal_code     the payer's CNP or CUI (the RO prefix is ignored)
    reference       the text of the transfer (optional)
    transaction_id  the bank's id of the transaction

separated by ";" or "," (the separator of the header line).  See
docs/bank-statement-format.md.

Each line is booked through Payment.receive(channel='bank',
external_id=<transaction_id>): a line already booked, by an earlier import
or earlier in the same file, is skipped, so that an import can be repeated.
A line with an unknown taxpayer, a zero or negative amount or an invalid
value is reported and not booked; the other lines are booked."""
import datetime as dt
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.municipality.csv_reader import read_csv
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import BankStatementError
from .fiscal_file import ZERO, money

COLUMNS = ['date', 'amount', 'fiscal_code', 'reference', 'transaction_id']
REQUIRED_COLUMNS = ['date', 'amount', 'fiscal_code', 'transaction_id']
DATE_FORMATS = ['%Y-%m-%d', '%d.%m.%Y']


def read_statement(data):
    """The lines of the statement file as (line number, {column: text});
    a file that is not UTF-8 or lacks a column is refused whole"""
    rows = read_csv(data, required=REQUIRED_COLUMNS, encodings=('utf-8-sig',),
        error=BankStatementError, messages={
            'encoding': 'local_tax.msg_bank_statement_encoding',
            'empty': 'local_tax.msg_bank_statement_empty',
            'columns': 'local_tax.msg_bank_statement_columns',
            })
    if not rows:
        raise BankStatementError(gettext(
                'local_tax.msg_bank_statement_empty'))
    return rows


def parse_date(text):
    for format_ in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, format_).date()
        except ValueError:
            continue


def parse_amount(text):
    text = text.replace(' ', '')
    if ',' in text and '.' not in text:
        text = text.replace(',', '.')
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


class StatementLine:
    "A line of the statement and what became of it"

    def __init__(self, number, values):
        self.number = number
        self.values = values
        self.date = parse_date(values.get('date', ''))
        self.amount = parse_amount(values.get('amount', ''))
        self.fiscal_code = values.get('fiscal_code', '').replace(' ', '')
        if self.fiscal_code.upper().startswith('RO'):
            self.fiscal_code = self.fiscal_code[2:]
        self.reference = values.get('reference') or None
        self.transaction_id = values.get('transaction_id') or None
        self.taxpayer = None
        self.payment = None
        self.status = None
        self.message = None

    def refuse(self, message):
        self.status, self.message = 'refused', message

    def skip(self, message):
        self.status, self.message = 'skipped', message

    def check(self):
        "Refuse the line when a value is invalid"
        values = self.values
        if not self.date:
            self.refuse(gettext('local_tax.msg_bank_statement_bad_value',
                    column='date', value=values.get('date', '')))
        elif self.amount is None:
            self.refuse(gettext('local_tax.msg_bank_statement_bad_value',
                    column='amount', value=values.get('amount', '')))
        elif self.amount <= 0 or self.amount != money(self.amount):
            self.refuse(gettext('local_tax.msg_bank_statement_amount',
                    amount=values.get('amount', '')))
        elif not self.transaction_id:
            self.refuse(gettext('local_tax.msg_bank_statement_no_id'))
        elif not self.fiscal_code:
            self.refuse(gettext('local_tax.msg_bank_statement_bad_value',
                    column='fiscal_code', value=''))
        return self.status is None


def import_statement(company, data):
    """Book the lines of the statement file for the municipality and return
    them (StatementLine) with their status: booked, skipped (already
    booked) or refused"""
    pool = Pool()
    Party = pool.get('party.party')
    Payment = pool.get('local_tax.payment')
    lines = [StatementLine(n, v) for n, v in read_statement(data)]
    valid = [l for l in lines if l.check()]

    taxpayers = {}
    for code in {l.fiscal_code for l in valid}:
        parties = Party.search([('fiscal_code', '=', code)], limit=2)
        if len(parties) == 1:
            taxpayers[code] = parties[0]
    for line in valid:
        line.taxpayer = taxpayers.get(line.fiscal_code)
        if not line.taxpayer:
            line.refuse(gettext('local_tax.msg_bank_statement_unknown',
                    fiscal_code=line.fiscal_code))
    valid = [l for l in valid if l.status is None]
    # all the taxpayers locked at once: Payment.receive locks each, and a
    # lock restarts the transaction
    Party.lock(list({l.taxpayer for l in valid}))

    for line in valid:
        existing = Payment.search([
                ('company', '=', company.id),
                ('channel', '=', 'bank'),
                ('external_id', '=', line.transaction_id),
                ], limit=1)
        if existing:
            payment, = existing
            if (payment.taxpayer != line.taxpayer
                    or payment.amount != line.amount):
                line.refuse(gettext(
                        'local_tax.msg_bank_statement_conflict',
                        transaction=line.transaction_id,
                        payment=payment.rec_name))
            else:
                line.payment = payment
                line.skip(gettext('local_tax.msg_bank_statement_booked',
                        transaction=line.transaction_id,
                        payment=payment.rec_name))
            continue
        line.payment = Payment.receive(
            company, line.taxpayer, line.amount, line.date, 'bank',
            external_id=line.transaction_id, reference=line.reference)
        line.status = 'booked'
        line.message = gettext('local_tax.msg_bank_statement_line_booked',
            amount=line.amount, taxpayer=line.taxpayer.rec_name,
            payment=line.payment.rec_name)
    return lines


class BankStatementImportStart(ModelView):
    __name__ = 'local_tax.bank_statement.import.start'
    __string__ = "Import Bank Statement"

    company = fields.Many2One(
        'company.company', "Municipality", required=True, readonly=True)
    file = fields.Binary(
        "File", required=True,
        help="A CSV file in UTF-8 with the columns date, amount, "
        "fiscal_code, reference, transaction_id (separated by ';' or ','), "
        "one line per transfer; see docs/bank-statement-format.md.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


class BankStatementImportResult(ModelView):
    __name__ = 'local_tax.bank_statement.import.result'
    __string__ = "Bank Statement Imported"

    booked = fields.Integer("Booked", readonly=True)
    amount = fields.Numeric("Amount Booked", digits=(16, 2), readonly=True)
    skipped = fields.Integer(
        "Already Booked", readonly=True,
        help="Lines booked by an earlier import: not booked again.")
    refused = fields.Integer(
        "Refused", readonly=True,
        help="Lines with an unknown taxpayer or an invalid value: not "
        "booked; book them by hand or correct the file.")
    report = fields.Text("Report", readonly=True)


class BankStatementImport(Wizard):
    "Import Bank Statement"
    __name__ = 'local_tax.bank_statement.import'

    start = StateView('local_tax.bank_statement.import.start',
        'local_tax.bank_statement_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    result = StateView('local_tax.bank_statement.import.result',
        'local_tax.bank_statement_import_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_import_(self):
        lines = import_statement(self.start.company, self.start.file)
        booked = [l for l in lines if l.status == 'booked']
        self.result.booked = len(booked)
        self.result.amount = sum((l.amount for l in booked), ZERO)
        self.result.skipped = len([l for l in lines if l.status == 'skipped'])
        self.result.refused = len([l for l in lines if l.status == 'refused'])
        self.result.report = '\n'.join(
            gettext('local_tax.msg_bank_statement_line',
                line=l.number, message=l.message)
            for l in lines)
        return 'result'

    def default_result(self, fields):
        return {
            'booked': self.result.booked,
            'amount': self.result.amount,
            'skipped': self.result.skipped,
            'refused': self.result.refused,
            'report': self.result.report,
            }
