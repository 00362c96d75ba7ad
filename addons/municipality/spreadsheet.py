# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The one spreadsheet (XLSX) writer of the suite.

An export is three things: its columns (a list of `Column`), a reader
yielding its rows (lists of values, in the order of the columns) and this
writer.  The workbook is in XlsxWriter's constant_memory mode, which flushes
each row when the next one starts: 100 000 rows take the memory of one row,
not of the whole set, so a reader should page through the database and
yield as it goes.  In that mode a row can only follow the previous ones,
hence the totals come last: the writer sums every money column as the rows
pass."""
import datetime as dt
import tempfile
from collections import namedtuple
from decimal import Decimal

import xlsxwriter

MONEY_FORMAT = '#,##0.00'
DATE_FORMAT = 'dd.mm.yyyy'

Column = namedtuple('Column', ['header', 'kind', 'width'])
Column.__doc__ = "header, kind (text, integer, money or date), width"


def workbook(fileobj):
    """A workbook in constant_memory mode; strings are never read as
    formulas, URLs or numbers (a name starting with "=" stays a name)"""
    return xlsxwriter.Workbook(fileobj, {
            'constant_memory': True,
            'strings_to_formulas': False,
            'strings_to_urls': False,
            'strings_to_numbers': False,
            'tmpdir': tempfile.gettempdir(),
            })


def write_sheet(fileobj, name, columns, rows, total=None, title=None):
    """Write the rows as the one worksheet `name` of a workbook on fileobj:
    the title line (if any), the headers, the rows, then, if `total` is a
    label, the totals of the money columns.  Returns the number of rows."""
    book = workbook(fileobj)
    sheet = Sheet(book, name, columns, title=title)
    for values in rows:
        sheet.append(values)
    if total is not None:
        sheet.totals(total)
    book.close()
    return sheet.count


def sheet_bytes(name, columns, rows, total=None, title=None):
    "The workbook of write_sheet as bytes"
    with tempfile.TemporaryFile() as fileobj:
        write_sheet(fileobj, name, columns, rows, total=total, title=title)
        fileobj.seek(0)
        return fileobj.read()


class Sheet:
    """A worksheet written row after row (constant_memory: a row left
    behind is final), summing its money columns"""

    def __init__(self, workbook, name, columns, title=None):
        self.worksheet = workbook.add_worksheet(name[:31])
        self.kinds = [c.kind for c in columns]
        self.sums = [Decimal(0) if c.kind == 'money' else None
            for c in columns]
        self.count = 0
        self.formats = {
            'money': workbook.add_format({'num_format': MONEY_FORMAT}),
            'date': workbook.add_format({'num_format': DATE_FORMAT}),
            'integer': workbook.add_format({'num_format': '0'}),
            'title': workbook.add_format({'bold': True}),
            'header': workbook.add_format({
                    'bold': True, 'text_wrap': True, 'valign': 'top',
                    'bottom': 1}),
            'total': workbook.add_format({'bold': True, 'top': 1}),
            'total_money': workbook.add_format({
                    'bold': True, 'top': 1, 'num_format': MONEY_FORMAT}),
            }
        for index, column in enumerate(columns):
            self.worksheet.set_column(index, index, column.width)
        self.row = 0
        if title:
            self.worksheet.write_string(0, 0, title, self.formats['title'])
            self.row = 1
        for index, column in enumerate(columns):
            self.worksheet.write_string(
                self.row, index, column.header, self.formats['header'])
        self.row += 1
        self.worksheet.freeze_panes(self.row, 0)

    def append(self, values):
        for index, (value, kind) in enumerate(zip(values, self.kinds)):
            if value is None or value == '':
                continue
            self._write(index, value, kind)
            if kind == 'money':
                self.sums[index] += Decimal(value)
        self.row += 1
        self.count += 1

    def _write(self, index, value, kind):
        worksheet = self.worksheet
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
                self.row, index, dt.datetime.combine(value, dt.time()),
                self.formats['date'])
        else:
            worksheet.write_string(self.row, index, str(value))

    def totals(self, label):
        "The totals row: the label, then the sum under each money column"
        worksheet = self.worksheet
        for index, value in enumerate(self.sums):
            if index == 0 and value is None:
                worksheet.write_string(
                    self.row, index, label, self.formats['total'])
            elif value is None:
                worksheet.write_blank(
                    self.row, index, None, self.formats['total'])
            else:
                worksheet.write_number(
                    self.row, index, float(value),
                    self.formats['total_money'])
        self.row += 1
