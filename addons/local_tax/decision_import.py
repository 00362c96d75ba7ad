# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Import of a council decision (HCL) on the local taxes from a CSV file.

One row per value the council sets (see data/local_tax/README.md):
a `parameter` row sets a rate or parameter of the decision, a `kind` row
the amount of the Code line with the same keys.  The decision is created
in draft, checked against the Code's bounds; the head of the service
approves it."""
import datetime as dt
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .assessment import atomic
from .code_table import KEY_FIELDS, read_csv_rows
from .decision import PERCENT_PARAMETERS, ROUNDING_RULES
from .exceptions import CodeTableImportError

COLUMNS = [
    'year', 'number', 'date', 'parameter', 'kind', 'category', 'variant',
    'zone', 'rank', 'band_min', 'band_max', 'value', 'article', 'note']
PARAMETERS = PERCENT_PARAMETERS + ['indexation', 'rounding', 'legal_basis']


def read_decision_rows(data):
    "The rows of an HCL file as dictionaries, checked"
    rows = []
    for number, raw in read_csv_rows(
            data, set(COLUMNS) - {'article', 'note'}):

        def bad(column):
            return CodeTableImportError(gettext(
                    'local_tax.msg_code_import_bad_value',
                    line=number, column=column, value=raw.get(column, '')))
        row = dict(raw)
        try:
            row['year'] = int(raw['year'])
        except ValueError:
            raise bad('year')
        try:
            row['date'] = dt.date.fromisoformat(raw['date'])
        except ValueError:
            raise bad('date')
        if not raw['number']:
            raise bad('number')
        if bool(raw['parameter']) == bool(raw['kind']):
            raise bad('parameter')
        if raw['parameter'] and raw['parameter'] not in PARAMETERS:
            raise bad('parameter')
        if raw['parameter'] in {'rounding', 'legal_basis'}:
            if (raw['parameter'] == 'rounding' and raw['value']
                    not in dict(ROUNDING_RULES)):
                raise bad('value')
        else:
            try:
                row['value'] = Decimal(raw['value'])
            except InvalidOperation:
                raise bad('value')
        for column in ['band_min', 'band_max']:
            try:
                row[column] = int(raw[column]) if raw[column] else None
            except ValueError:
                raise bad(column)
        for column in ['category', 'variant', 'zone', 'rank']:
            row[column] = raw.get(column) or None
        row['line'] = number
        rows.append(row)
    if not rows:
        raise CodeTableImportError(gettext('local_tax.msg_code_import_empty'))
    if len({(r['year'], r['number'], r['date']) for r in rows}) > 1:
        raise CodeTableImportError(gettext(
                'local_tax.msg_decision_import_several'))
    return rows


def import_decision(company, data):
    "Create the draft council decision of the file for the municipality"
    pool = Pool()
    Decision = pool.get('local_tax.council_decision')
    Amount = pool.get('local_tax.council_decision.amount')
    CodeTable = pool.get('local_tax.code_table')
    rows = read_decision_rows(data)
    first = rows[0]
    tables = CodeTable.search([('year', '=', first['year'])])
    if not tables:
        raise CodeTableImportError(gettext(
                'local_tax.msg_decision_import_no_table',
                year=first['year']))
    table, = tables
    lines = {line.key: line for line in table.lines}
    decision = Decision(
        company=company, fiscal_year=first['year'], code_table=table,
        number=first['number'], date=first['date'])
    amounts = []
    for row in rows:
        if row['parameter']:
            setattr(decision, row['parameter'], row['value'])
            continue
        key = tuple(row[f] if f != 'valid_from' else None
            for f in KEY_FIELDS)
        line = lines.get(key)
        if line is None:
            raise CodeTableImportError(gettext(
                    'local_tax.msg_decision_import_no_line',
                    line=row['line'], year=first['year']))
        amounts.append(Amount(code_line=line, amount=row['value']))
    decision.amounts = amounts
    with atomic('local_tax_decision_import'):
        decision.save()
    return decision


class DecisionImportStart(ModelView):
    __name__ = 'local_tax.council_decision.import.start'
    __string__ = "Import Council Decision"

    company = fields.Many2One('company.company', "Municipality", required=True)
    file = fields.Binary(
        "File", required=True,
        help="A CSV file in the format of data/local_tax/demo-hcl-2026.csv "
        "(see data/local_tax/README.md).")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


class DecisionImport(Wizard):
    "Import Council Decision"
    __name__ = 'local_tax.council_decision.import'
    start = StateView(
        'local_tax.council_decision.import.start',
        'local_tax.council_decision_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateAction('local_tax.act_council_decision_form')

    def do_import_(self, action):
        decision = import_decision(self.start.company, self.start.file)
        action['domain'] = PYSONEncoder().encode([('id', '=', decision.id)])
        return action, {}
