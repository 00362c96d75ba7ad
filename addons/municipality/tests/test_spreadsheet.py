# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tests of the one spreadsheet writer (municipality.spreadsheet)"""
import datetime as dt
import io
import tracemalloc
import unittest
from decimal import Decimal

from trytond.modules.municipality.spreadsheet import (
    Column, sheet_bytes, write_sheet)

from .xlsx import as_date, read_xlsx, sheet_names

D = Decimal
COLUMNS = [
    Column("Nume", 'text', 20),
    Column("Data", 'date', 11),
    Column("Nr.", 'integer', 5),
    Column("Suma", 'money', 12),
    Column("Rest", 'money', 12),
    ]


class SpreadsheetTestCase(unittest.TestCase):
    "Test the spreadsheet writer"

    def test_rows_typed_and_totals_of_money_columns(self):
        "Each kind written as itself; the totals sum the money columns"
        output = io.BytesIO()
        count = write_sheet(output, "Încasări", COLUMNS, [
                ["Popescu Ion", dt.date(2026, 3, 31), 1, D('10.01'), None],
                ["Ionescu Ana", '2026-04-01', 2, D('0.02'), D('5')],
                ], total="Total")
        self.assertEqual(count, 2)
        header, first, second, total = read_xlsx(output.getvalue())
        self.assertEqual(header, ["Nume", "Data", "Nr.", "Suma", "Rest"])
        self.assertEqual(first[:1] + first[2:], [
                "Popescu Ion", D(1), D('10.01')])
        self.assertEqual(as_date(first[1]), dt.date(2026, 3, 31))
        self.assertEqual(as_date(second[1]), dt.date(2026, 4, 1))
        self.assertEqual(total, ["Total", None, None, D('10.03'), D(5)])
        self.assertEqual(sheet_names(output.getvalue()), ["Încasări"])

    def test_title_line_above_the_headers(self):
        data = sheet_bytes("Registru", COLUMNS[:1], [["a"]],
            title="Registrul general 2026")
        self.assertEqual(read_xlsx(data),
            [["Registrul general 2026"], ["Nume"], ["a"]])

    def test_no_totals_when_not_asked(self):
        data = sheet_bytes("R", COLUMNS, [["a", None, None, D(1), D(2)]])
        self.assertEqual(len(read_xlsx(data)), 2)

    def test_strings_stay_strings(self):
        "A name starting with = or looking like a number or URL is text"
        data = sheet_bytes("R", COLUMNS[:1], [
                ["=HYPERLINK(\"http://x\")"], ["007"], ["http://x.ro"]])
        self.assertEqual([r[0] for r in read_xlsx(data)[1:]],
            ["=HYPERLINK(\"http://x\")", "007", "http://x.ro"])

    def test_sheet_name_cut_to_31_characters(self):
        data = sheet_bytes("x" * 40, COLUMNS[:1], [])
        self.assertEqual(sheet_names(data), ["x" * 31])

    def test_rows_read_lazily(self):
        "The rows are consumed one after another (a reader may page)"
        seen = []

        def rows():
            for i in range(3):
                seen.append(i)
                yield [f"r{i}"]
        self.assertEqual(
            write_sheet(io.BytesIO(), "R", COLUMNS[:1], rows()), 3)
        self.assertEqual(seen, [0, 1, 2])

    def test_constant_memory(self):
        "20 000 rows take about the memory of a few, not of the whole set"
        def rows(n):
            for i in range(n):
                yield [f"Contribuabil {i:06d}", dt.date(2026, 1, 1), i,
                    D(i) / 100, None]

        def peak(n):
            tracemalloc.start()
            write_sheet(io.BytesIO(), "R", COLUMNS, rows(n), total="T")
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return peak
        small, large = peak(200), peak(20000)
        # the output buffer grows with the file (about 60 bytes a row);
        # the rows themselves are not kept
        self.assertLess(large - small, 20000 * 200)
