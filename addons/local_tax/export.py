# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Spreadsheet (XLSX) exports of the local taxes.

Each export is its columns (below), its row reader (export_rows.py: SQL in
chunks, keyset pagination) and the one constant-memory sheet writer of
municipality.spreadsheet: 100 000 rows take the memory of one chunk, not
of the whole set.  Each is a plain function writing to a file object,
usable from a script or a queue task, and returning the number of rows:

    export_roll(company, year, fileobj)
    export_debtors(company, date, fileobj)
    export_collections(company, from_date, to_date, fileobj)

and the back office offers them in the "Export to Spreadsheet" wizard."""
import tempfile

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.municipality.spreadsheet import Column, write_sheet
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard

from .exceptions import ExportError
from .export_rows import (
    AGEING, collection_rows, debtor_rows, roll_rows, selection)
from .fiscal_file import TAX_TYPES


def _column(message, kind, width, **variables):
    return Column(gettext(f'local_tax.{message}', **variables), kind, width)


def roll_columns():
    return [
        _column('msg_export_decision', 'text', 12),
        _column('msg_export_date', 'date', 11),
        _column('msg_export_kind', 'text', 11),
        _column('msg_export_taxpayer', 'text', 32),
        _column('msg_export_fiscal_code', 'text', 15),
        _column('msg_export_tax', 'text', 16),
        _column('msg_export_object', 'text', 45),
        _column('msg_export_share', 'text', 7),
        _column('msg_export_annual_tax', 'money', 13),
        _column('msg_export_instalment', 'money', 13, instalment=1),
        _column('msg_export_instalment', 'money', 13, instalment=2),
        ]


def debtor_columns():
    buckets = [gettext('local_tax.msg_export_days',
            days=f'{lower - 1 if lower == 1 else lower}–{upper}'
            if upper else f'> {lower - 1}')
        for lower, upper in AGEING]
    return [
        _column('msg_export_taxpayer', 'text', 32),
        _column('msg_export_fiscal_code', 'text', 15),
        ] + [Column(b, 'money', 13) for b in buckets] + [
        _column('msg_export_principal', 'money', 13),
        _column('msg_export_surcharge', 'money', 13),
        _column('msg_export_total', 'money', 13),
        ]


def collection_columns():
    labels = selection('local_tax.obligation', 'tax_type')
    return [_column('msg_export_date', 'date', 11)] + [
        Column(labels[t], 'money', 14) for t, _ in TAX_TYPES] + [
        _column('msg_export_total', 'money', 14)]


def export_roll(company, year, fileobj):
    """The assessment roll of the fiscal year (roll_rows).  Returns the
    number of rows."""
    return write_sheet(fileobj,
        gettext('local_tax.msg_export_sheet_roll', year=year),
        roll_columns(), roll_rows(company, year),
        total=gettext('local_tax.msg_export_total'))


def export_debtors(company, date, fileobj):
    """The taxpayers with obligations overdue on the date, their debts by
    days past due and the surcharges (debtor_rows).  Returns the number of
    debtors."""
    return write_sheet(fileobj,
        gettext('local_tax.msg_export_sheet_debtors',
            date=date.strftime('%d.%m.%Y')),
        debtor_columns(), debtor_rows(company, date),
        total=gettext('local_tax.msg_export_total'))


def export_collections(company, from_date, to_date, fileobj):
    """What the payments extinguished each day of the period, by revenue
    (collection_rows).  Returns the number of days."""
    if from_date > to_date:
        raise ExportError(gettext('local_tax.msg_export_dates',
                from_date=from_date.strftime('%d.%m.%Y'),
                to_date=to_date.strftime('%d.%m.%Y')))
    return write_sheet(fileobj,
        gettext('local_tax.msg_export_sheet_collections'),
        collection_columns(), collection_rows(company, from_date, to_date),
        total=gettext('local_tax.msg_export_total'))


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
