# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Spreadsheet (XLSX) exports of the local taxes.

The rows are read with SQL in chunks (keyset pagination: each chunk starts
after the last row of the previous one) and written at once by XlsxWriter
in constant_memory mode, which flushes every row when the next one starts
(XlsxWriter's constant_memory mode): 100 000 rows take the memory of one chunk, not of the whole
set.  In that mode a row can only be written after the previous ones, so
the totals come last.

Each export is a plain function writing to a file object, usable from a
script or a queue task:

    export_roll(company, year, fileobj)
    export_debtors(company, date, fileobj)
    export_collections(company, from_date, to_date, fileobj)

and the back office offers them in the "Export to Spreadsheet" wizard."""
import datetime as dt
import tempfile
from collections import defaultdict
from decimal import Decimal

import xlsxwriter
from sql import Literal, Null
from sql.operators import Exists
from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard

from .exceptions import ExportError
from .fiscal_file import ACCESSORY_TYPES, TAX_TYPES, ZERO, money, surcharge

CHUNK = 2000
CENT = Decimal('0.01')
# Days past the due date: the debtors' ageing buckets (upper bound included)
AGEING = [(1, 30), (31, 90), (91, 365), (366, None)]
MONEY_FORMAT = '#,##0.00'
DATE_FORMAT = 'dd.mm.yyyy'


def decimal(value):
    "A database sum as a Decimal (SQLite returns floats or strings)"
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


class Sheet:
    """A worksheet written row after row (constant_memory: a row left
    behind is final)"""

    def __init__(self, workbook, name, columns):
        "columns: (header, kind, width), kind text, integer, money or date"
        self.worksheet = workbook.add_worksheet(name[:31])
        self.kinds = [kind for _, kind, _ in columns]
        self.formats = {
            'money': workbook.add_format({'num_format': MONEY_FORMAT}),
            'date': workbook.add_format({'num_format': DATE_FORMAT}),
            'integer': workbook.add_format({'num_format': '0'}),
            'header': workbook.add_format({
                    'bold': True, 'text_wrap': True, 'valign': 'top',
                    'bottom': 1}),
            'total': workbook.add_format({'bold': True, 'top': 1}),
            'total_money': workbook.add_format({
                    'bold': True, 'top': 1, 'num_format': MONEY_FORMAT}),
            }
        for index, (_, kind, width) in enumerate(columns):
            self.worksheet.set_column(index, index, width)
        self.worksheet.freeze_panes(1, 0)
        self.row = 0
        for index, (header, _, _) in enumerate(columns):
            self.worksheet.write_string(
                0, index, header, self.formats['header'])
        self.row = 1

    def append(self, values):
        worksheet = self.worksheet
        for index, (value, kind) in enumerate(zip(values, self.kinds)):
            if value is None or value == '':
                continue
            if kind == 'money':
                worksheet.write_number(
                    self.row, index, float(value), self.formats['money'])
            elif kind == 'integer':
                worksheet.write_number(
                    self.row, index, int(value), self.formats['integer'])
            elif kind == 'date':
                if isinstance(value, str):
                    value = dt.date.fromisoformat(value)
                worksheet.write_datetime(
                    self.row, index,
                    dt.datetime.combine(value, dt.time()),
                    self.formats['date'])
            else:
                worksheet.write_string(self.row, index, str(value))
        self.row += 1

    def totals(self, values):
        "The totals row: a label, then a value under each money column"
        worksheet = self.worksheet
        for index, (value, kind) in enumerate(zip(values, self.kinds)):
            if value is None:
                worksheet.write_blank(
                    self.row, index, None, self.formats['total'])
            elif kind == 'money':
                worksheet.write_number(
                    self.row, index, float(value),
                    self.formats['total_money'])
            else:
                worksheet.write_string(
                    self.row, index, str(value), self.formats['total'])
        self.row += 1


def workbook(fileobj):
    """A workbook in constant_memory mode; strings are never read as
    formulas or URLs (a name starting with "=" stays a name)"""
    return xlsxwriter.Workbook(fileobj, {
            'constant_memory': True,
            'strings_to_formulas': False,
            'strings_to_urls': False,
            'strings_to_numbers': False,
            'tmpdir': tempfile.gettempdir(),
            })


def _selection(model, field):
    "The translated labels of a selection field"
    Model = Pool().get(model)
    return dict(Model.fields_get([field])[field]['selection'])


def _fiscal_codes(taxpayers):
    "taxpayer id → CNP or CUI"
    Identifier = Pool().get('party.identifier')
    identifier = Identifier.__table__()
    cursor = Transaction().connection.cursor()
    result = {}
    if not taxpayers:
        return result
    cursor.execute(*identifier.select(
            identifier.party, identifier.code_compact,
            where=identifier.party.in_(sorted(taxpayers))
            & identifier.type.in_(['ro_cnp', 'ro_cui']),
            order_by=[identifier.id.asc]))
    for party, code in cursor:
        result.setdefault(party, code)
    return result


def _rec_names(model, ids):
    "id → rec_name of the records (read for one chunk)"
    if not ids:
        return {}
    Model = Pool().get(model)
    return {r['id']: r['rec_name']
        for r in Model.read(sorted(ids), ['rec_name'])}


def _split(amounts, parts):
    """Split each part (an instalment) over the amounts in proportion, so
    that the shares add up to the part: each share is the rounded
    cumulative share less the previous one"""
    total = sum(amounts, ZERO)
    result = [[ZERO] * len(parts) for _ in amounts]
    if not total:
        return result
    for j, part in enumerate(parts):
        cumulated, previous = ZERO, ZERO
        for i, amount in enumerate(amounts):
            cumulated += amount
            current = (cumulated * part / total).quantize(CENT)
            result[i][j] = current - previous
            previous = current
    return result


# The assessment roll ---------------------------------------------------------

def export_roll(company, year, fileobj):
    """The assessment roll of the fiscal year: one row per object of the
    taxpayer's decision in force (the last one: a corrective decision
    replaces the decision it corrects) with the annual tax and its share of
    the two instalments (art. 462, 467, 472) as booked, net of the
    corrections.  Returns the number of rows."""
    pool = Pool()
    Assessment = pool.get('local_tax.assessment')
    Line = pool.get('local_tax.assessment.line')
    Obligation = pool.get('local_tax.obligation')
    Reduction = pool.get('local_tax.obligation.reduction')
    Party = pool.get('party.party')
    assessment = Assessment.__table__()
    later = Assessment.__table__()
    party = Party.__table__()
    line = Line.__table__()
    obligation = Obligation.__table__()
    reduction = Reduction.__table__()
    cursor = Transaction().connection.cursor()
    taxes = _selection('local_tax.assessment.line', 'tax')
    kinds = _selection('local_tax.assessment', 'kind')

    book = workbook(fileobj)
    sheet = Sheet(book, gettext('local_tax.msg_export_sheet_roll', year=year),
        [
            (gettext('local_tax.msg_export_decision'), 'text', 12),
            (gettext('local_tax.msg_export_date'), 'date', 11),
            (gettext('local_tax.msg_export_kind'), 'text', 11),
            (gettext('local_tax.msg_export_taxpayer'), 'text', 32),
            (gettext('local_tax.msg_export_fiscal_code'), 'text', 15),
            (gettext('local_tax.msg_export_tax'), 'text', 16),
            (gettext('local_tax.msg_export_object'), 'text', 45),
            (gettext('local_tax.msg_export_share'), 'text', 7),
            (gettext('local_tax.msg_export_annual_tax'), 'money', 13),
            (gettext('local_tax.msg_export_instalment', instalment=1),
                'money', 13),
            (gettext('local_tax.msg_export_instalment', instalment=2),
                'money', 13),
            ])
    totals = [ZERO, ZERO, ZERO]
    count = 0
    last = -1
    superseded = later.select(Literal(1),
        where=(later.company == assessment.company)
        & (later.fiscal_year == assessment.fiscal_year)
        & (later.taxpayer == assessment.taxpayer)
        & (later.sequence > assessment.sequence))
    while True:
        cursor.execute(*assessment.join(party,
                condition=party.id == assessment.taxpayer
                ).select(
                assessment.id, assessment.sequence, assessment.number,
                assessment.date, assessment.kind, assessment.taxpayer,
                party.name,
                where=(assessment.company == company.id)
                & (assessment.fiscal_year == year)
                & (assessment.sequence > last)
                & ~Exists(superseded),
                order_by=[assessment.sequence.asc],
                limit=CHUNK))
        decisions = cursor.fetchall()
        if not decisions:
            break
        last = decisions[-1][1]
        ids = [d[0] for d in decisions]
        taxpayers = {d[5] for d in decisions}

        lines = defaultdict(list)
        assets = defaultdict(set)
        cursor.execute(*line.select(
                line.assessment, line.tax, line.building, line.parcel,
                line.vehicle, line.share, line.amount,
                where=line.assessment.in_(ids),
                order_by=[line.assessment.asc, line.id.asc]))
        for row in cursor:
            lines[row[0]].append(row)
            for model, id_ in zip(
                    ['property.building', 'property.parcel',
                        'vehicle.vehicle'], row[2:5]):
                if id_:
                    assets[model].add(id_)
        names = {model: _rec_names(model, ids_)
            for model, ids_ in assets.items()}
        codes = _fiscal_codes(taxpayers)

        # the instalments booked by the decisions of the year, less the
        # corrections: (taxpayer, tax) → [instalment 1, instalment 2]
        instalments = defaultdict(lambda: [ZERO, ZERO])
        booked = obligation.select(
            obligation.id, obligation.taxpayer, obligation.tax_type,
            obligation.instalment, obligation.amount,
            where=(obligation.company == company.id)
            & (obligation.fiscal_year == year)
            & (obligation.assessment != Null)
            & obligation.taxpayer.in_(sorted(taxpayers)))
        cursor.execute(*booked)
        by_id = {}
        for id_, taxpayer, tax, instalment, amount in cursor:
            by_id[id_] = (taxpayer, tax, min(max(instalment or 1, 1), 2))
            instalments[by_id[id_][:2]][by_id[id_][2] - 1] += decimal(amount)
        if by_id:
            cursor.execute(*reduction.select(
                    reduction.obligation, Sum(reduction.amount),
                    where=reduction.obligation.in_(sorted(by_id))
                    & (reduction.reason == 'correction'),
                    group_by=[reduction.obligation]))
            for id_, amount in cursor:
                taxpayer, tax, instalment = by_id[id_]
                instalments[(taxpayer, tax)][instalment - 1] -= decimal(
                    amount)

        for id_, _, number, date, kind, taxpayer, name in decisions:
            by_tax = defaultdict(list)
            for row in lines[id_]:
                by_tax[row[1]].append(row)
            for tax, rows in by_tax.items():
                amounts = [decimal(r[6]) for r in rows]
                shares = _split(amounts, instalments[(taxpayer, tax)])
                for row, amount, share in zip(rows, amounts, shares):
                    model, asset = next(
                        (m, a) for m, a in zip(
                            ['property.building', 'property.parcel',
                                'vehicle.vehicle'], row[2:5]) if a)
                    sheet.append([
                            number, date, kinds.get(kind, kind), name,
                            codes.get(taxpayer), taxes.get(tax, tax),
                            names[model].get(asset), row[5], amount,
                            share[0], share[1]])
                    totals[0] += amount
                    totals[1] += share[0]
                    totals[2] += share[1]
                    count += 1
    sheet.totals([gettext('local_tax.msg_export_total')] + [None] * 7
        + totals)
    book.close()
    return count


# The debtors -----------------------------------------------------------------

def ageing_bucket(due_date, date):
    "The index of the ageing bucket of a debt due on due_date, on the date"
    days = (date - due_date).days
    for index, (_, upper) in enumerate(AGEING):
        if upper is None or days <= upper:
            return index


def export_debtors(company, date, fileobj):
    """The taxpayers with obligations overdue on the date: the unpaid
    principal by days past due (0–30, 31–90, 91–365, over 365), and the
    surcharges (CPF art. 183) booked and unpaid or borne to the date.
    Returns the number of debtors."""
    pool = Pool()
    Obligation = pool.get('local_tax.obligation')
    FiscalFile = pool.get('local_tax.fiscal_file')
    Party = pool.get('party.party')
    obligation = Obligation.__table__()
    party = Party.__table__()
    cursor = Transaction().connection.cursor()
    rate = None

    buckets = [gettext('local_tax.msg_export_days',
            days=f'{lower - 1 if lower == 1 else lower}–{upper}'
            if upper else f'> {lower - 1}')
        for lower, upper in AGEING]
    book = workbook(fileobj)
    sheet = Sheet(book, gettext('local_tax.msg_export_sheet_debtors',
            date=date.strftime('%d.%m.%Y')), [
            (gettext('local_tax.msg_export_taxpayer'), 'text', 32),
            (gettext('local_tax.msg_export_fiscal_code'), 'text', 15),
            ] + [(b, 'money', 13) for b in buckets] + [
            (gettext('local_tax.msg_export_principal'), 'money', 13),
            (gettext('local_tax.msg_export_surcharge'), 'money', 13),
            (gettext('local_tax.msg_export_total'), 'money', 13),
            ])
    totals = [ZERO] * (len(AGEING) + 3)
    count = 0
    current, current_name, amounts = None, None, None
    pending = []

    def flush():
        nonlocal count
        if current is None or not any(amounts):
            return
        pending.append((current, current_name, amounts))
        count += 1

    def write(rows):
        codes = _fiscal_codes({r[0] for r in rows})
        for taxpayer, name, values in rows:
            values = [money(v) for v in values]
            sheet.append([name, codes.get(taxpayer)] + values)
            for index, value in enumerate(values):
                totals[index] += value

    name_ = Coalesce(party.name, '')
    last = None
    while True:
        where = ((obligation.company == company.id)
            & (obligation.state == 'posted')
            & (obligation.date <= date)
            & (obligation.due_date < date))
        if last is not None:
            last_name, last_taxpayer, last_id = last
            where &= ((name_ > last_name)
                | ((name_ == last_name)
                    & (obligation.taxpayer > last_taxpayer))
                | ((name_ == last_name)
                    & (obligation.taxpayer == last_taxpayer)
                    & (obligation.id > last_id)))
        cursor.execute(*obligation.join(party,
                condition=party.id == obligation.taxpayer
                ).select(
                obligation.id, obligation.taxpayer, name_,
                obligation.tax_type, obligation.amount, obligation.due_date,
                where=where,
                order_by=[name_.asc, obligation.taxpayer.asc,
                    obligation.id.asc],
                limit=CHUNK))
        rows = cursor.fetchall()
        if not rows:
            break
        last = (rows[-1][2], rows[-1][1], rows[-1][0])
        paid = Obligation._amounts([r[0] for r in rows], date)
        for id_, taxpayer, name, tax_type, amount, due_date in rows:
            if taxpayer != current:
                flush()
                current, current_name = taxpayer, name
                amounts = [ZERO] * (len(AGEING) + 3)
            balance = decimal(amount) - sum(paid[id_])
            if balance <= 0:
                continue
            if isinstance(due_date, str):
                due_date = dt.date.fromisoformat(due_date)
            if tax_type in ACCESSORY_TYPES:
                amounts[-2] += balance
            else:
                amounts[ageing_bucket(due_date, date)] += balance
                amounts[-3] += balance
                if FiscalFile.bears_surcharge(tax_type, due_date, date):
                    if rate is None:
                        rate = FiscalFile.surcharge_rate(company, date)
                    amounts[-2] += surcharge(balance, due_date, date, rate)
            amounts[-1] = amounts[-3] + amounts[-2]
        # the debtors complete in this chunk are written (the last one may
        # go on in the next chunk)
        write(pending)
        pending.clear()
    flush()
    write(pending)
    sheet.totals([gettext('local_tax.msg_export_total'), None] + totals)
    book.close()
    return count


# The collections -------------------------------------------------------------

def export_collections(company, from_date, to_date, fileobj):
    """What the payments extinguished each day of the period, by revenue
    (tax type), from their allocations (reversals count negative).
    Returns the number of days."""
    pool = Pool()
    Allocation = pool.get('local_tax.payment.allocation')
    Obligation = pool.get('local_tax.obligation')
    allocation = Allocation.__table__()
    obligation = Obligation.__table__()
    cursor = Transaction().connection.cursor()
    if from_date > to_date:
        raise ExportError(gettext('local_tax.msg_export_dates',
                from_date=from_date.strftime('%d.%m.%Y'),
                to_date=to_date.strftime('%d.%m.%Y')))
    types = [t for t, _ in TAX_TYPES]
    labels = _selection('local_tax.obligation', 'tax_type')

    book = workbook(fileobj)
    sheet = Sheet(book, gettext('local_tax.msg_export_sheet_collections'), [
            (gettext('local_tax.msg_export_date'), 'date', 11),
            ] + [(labels[t], 'money', 14) for t in types] + [
            (gettext('local_tax.msg_export_total'), 'money', 14),
            ])
    totals = [ZERO] * (len(types) + 1)
    count = 0
    last = None
    while True:
        where = ((obligation.company == company.id)
            & (allocation.date >= from_date)
            & (allocation.date <= to_date))
        if last is not None:
            where &= allocation.date > last
        # whole days per chunk: the days are read first
        cursor.execute(*allocation.join(obligation,
                condition=obligation.id == allocation.obligation
                ).select(allocation.date,
                where=where, group_by=[allocation.date],
                order_by=[allocation.date.asc], limit=CHUNK))
        days = [r[0] for r in cursor]
        if not days:
            break
        last = days[-1]
        cursor.execute(*allocation.join(obligation,
                condition=obligation.id == allocation.obligation
                ).select(
                allocation.date, obligation.tax_type, Sum(allocation.amount),
                where=where & (allocation.date <= last),
                group_by=[allocation.date, obligation.tax_type],
                order_by=[allocation.date.asc]))
        by_day = defaultdict(dict)
        for day, tax_type, amount in cursor:
            by_day[day][tax_type] = decimal(amount)
        for day in days:
            values = [by_day[day].get(t, ZERO) for t in types]
            values.append(sum(values, ZERO))
            if isinstance(day, str):
                day = dt.date.fromisoformat(day)
            sheet.append([day] + values)
            for index, value in enumerate(values):
                totals[index] += value
            count += 1
    sheet.totals([gettext('local_tax.msg_export_total')] + totals)
    book.close()
    return count


# The wizard ------------------------------------------------------------------

EXPORTS = [
    ('roll', "Assessment Roll"),
    ('debtors', "Debtors with Ageing"),
    ('collections', "Daily Collections by Revenue"),
    ]


class ExportStart(ModelView):
    __name__ = 'local_tax.export.start'
    __string__ = "Export to Spreadsheet"

    company = fields.Many2One('company.company', "Municipality", required=True)
    export = fields.Selection(EXPORTS, "Export", required=True)
    fiscal_year = fields.Integer(
        "Fiscal Year",
        states={
            'invisible': Eval('export') != 'roll',
            'required': Eval('export') == 'roll',
            })
    date = fields.Date(
        "Date",
        states={
            'invisible': Eval('export') != 'debtors',
            'required': Eval('export') == 'debtors',
            },
        help="The debts overdue on this date, their surcharge computed to "
        "it.")
    from_date = fields.Date(
        "From Date",
        states={
            'invisible': Eval('export') != 'collections',
            'required': Eval('export') == 'collections',
            })
    to_date = fields.Date(
        "To Date",
        domain=[
            If(Bool(Eval('from_date')) & Bool(Eval('to_date')),
                ('to_date', '>=', Eval('from_date')), ()),
            ],
        states={
            'invisible': Eval('export') != 'collections',
            'required': Eval('export') == 'collections',
            })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_export(cls):
        return 'roll'

    @classmethod
    def default_fiscal_year(cls):
        return Pool().get('ir.date').today().year

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_from_date(cls):
        return Pool().get('ir.date').today().replace(day=1)

    @classmethod
    def default_to_date(cls):
        return Pool().get('ir.date').today()


class ExportResult(ModelView):
    __name__ = 'local_tax.export.result'
    __string__ = "Export to Spreadsheet"

    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)


class Export(Wizard):
    "Export to Spreadsheet"
    __name__ = 'local_tax.export'
    start = StateView('local_tax.export.start',
        'local_tax.export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'result', 'tryton-ok', default=True),
            ])
    result = StateView('local_tax.export.result',
        'local_tax.export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_result(self, fields):
        User = Pool().get('res.user')
        start = self.start
        company = start.company
        if Transaction().user and company.id not in User.get_companies():
            raise ExportError(gettext('local_tax.msg_export_company',
                    company=company.rec_name))
        with tempfile.TemporaryFile() as fileobj:
            if start.export == 'roll':
                export_roll(company, start.fiscal_year, fileobj)
                name = gettext('local_tax.msg_export_filename_roll',
                    year=start.fiscal_year)
            elif start.export == 'debtors':
                export_debtors(company, start.date, fileobj)
                name = gettext('local_tax.msg_export_filename_debtors',
                    date=start.date.isoformat())
            else:
                export_collections(
                    company, start.from_date, start.to_date, fileobj)
                name = gettext('local_tax.msg_export_filename_collections',
                    from_date=start.from_date.isoformat(),
                    to_date=start.to_date.isoformat())
            fileobj.seek(0)
            data = fileobj.read()
        return {
            'file': data,
            'filename': name,
            }
