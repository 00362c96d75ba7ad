# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tests of the XLSX exports: the files are read back as what they are
(municipality.tests.xlsx), and their rows and totals checked."""
import datetime as dt
import io
import unittest
from decimal import Decimal

from trytond.modules.municipality.tests.tools import create_person, own
from trytond.modules.municipality.tests.xlsx import as_date, read_xlsx
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from ..export import (
    ExportError, export_collections, export_debtors, export_roll)
from ..export_rows import ageing_bucket, split
from .test_fiscal import assess, fine, pay, setup_2026
from .test_module import AFTER_OUG, create_apartment, create_vehicle

D = Decimal
date = dt.date


class ExportTestCase(unittest.TestCase):
    "Test the XLSX exports"

    @classmethod
    def setUpClass(cls):
        activate_module('local_tax')

    def test_split_adds_up(self):
        "The instalments split over the objects add up to each instalment"
        shares = split([D('9'), D('150'), D('1')], [D('80.01'), D('79.99')])
        self.assertEqual([sum(s[j] for s in shares) for j in (0, 1)],
            [D('80.01'), D('79.99')])
        self.assertEqual(shares[1], [D('75.01'), D('74.99')])
        self.assertEqual(split([D('0')], [D('0'), D('0')]),
            [[D('0'), D('0')]])

    def test_ageing_buckets(self):
        "Days past due: 0–30, 31–90, 91–365, over 365"
        on = date(2026, 12, 31)
        for days, bucket in [(1, 0), (30, 0), (31, 1), (90, 1), (91, 2),
                (365, 2), (366, 3), (1000, 3)]:
            with self.subTest(days=days):
                self.assertEqual(
                    ageing_bucket(on - dt.timedelta(days=days), on), bucket)

    @with_transaction()
    def test_roll(self):
        "One row per object of the decision in force, instalments split"
        company = setup_2026()
        popescu = create_person("Popescu", "Ion", cnp='1800101221144')
        ionescu = create_person("=Ionescu", "Maria")
        own(create_apartment(company), popescu)
        own(create_vehicle(company, 'CJ01AAA', euro_norm='euro4'), popescu)
        apartment = create_apartment(company)
        own(apartment, ionescu)
        decisions = assess(company, on=AFTER_OUG)
        # Ionescu's apartment doubled in June: a corrective decision of
        # 710 lei replaces the first one (the difference due 5 July)
        apartment.built_area = D('120')
        apartment.save()
        corrective, = assess(company, [ionescu], on=date(2026, 6, 10))

        output = io.BytesIO()
        count = export_roll(company, 2026, output)
        rows = read_xlsx(output.getvalue())
        self.assertEqual(count, 3)
        self.assertEqual(len(rows), 1 + 3 + 1)
        header, *lines, total = rows
        self.assertEqual(header[0], "Decision")
        numbers = {d.taxpayer: d.number for d in decisions}
        self.assertEqual(
            [(r[0], r[3], r[4], r[5], r[7], r[8], r[9], r[10])
                for r in lines], [
                (numbers[popescu], "Popescu Ion", '1800101221144',
                    "Building Tax", '1', D('355'), D('177.50'),
                    D('177.50')),
                (numbers[popescu], "Popescu Ion", '1800101221144',
                    "Vehicle Tax", '1', D('150'), D('75'), D('75')),
                # a name starting with "=" stays a name, not a formula
                (corrective.number, "=Ionescu Maria", None,
                    "Building Tax", '1', D('710'), D('355'), D('355')),
                ])
        self.assertEqual(as_date(lines[2][1]), date(2026, 6, 10))
        self.assertEqual(lines[2][2], "Corrective")
        self.assertIn("CJ01AAA", lines[1][6])
        self.assertEqual(total[0], "Total")
        self.assertEqual(total[8:], [D('1215'), D('607.50'), D('607.50')])

        # another year: only the header and the totals
        output = io.BytesIO()
        self.assertEqual(export_roll(company, 2025, output), 0)
        self.assertEqual(len(read_xlsx(output.getvalue())), 2)

    @with_transaction()
    def test_debtors(self):
        "Unpaid principal by age, surcharges to the date, per taxpayer"
        company = setup_2026()
        popescu = create_person("Popescu", "Ion", cnp='1800101221144')
        ionescu = create_person("Ionescu", "Maria")
        paid = create_person("Avram", "Ana")
        own(create_apartment(company), popescu)
        own(create_vehicle(company, 'CJ01AAA', euro_norm='euro4'), popescu)
        own(create_apartment(company), ionescu)
        own(create_apartment(company), paid)
        assess(company, on=AFTER_OUG)
        # a 2025 building tax of 80 lei, due 31 March 2025
        fine(company, popescu, '80', date(2025, 3, 31),
            tax_type='building', description="Building Tax 2025")
        pay(company, ionescu, '177.50', date(2026, 3, 20))
        fine(company, ionescu, '100', date(2026, 4, 20))
        pay(company, paid, '355', date(2026, 3, 20))

        output = io.BytesIO()
        count = export_debtors(company, date(2026, 5, 2), output)
        rows = read_xlsx(output.getvalue())
        self.assertEqual(count, 2)
        header, *debtors, total = rows
        self.assertEqual(header[2:6], [
                "0–30 days past due", "31–90 days past due",
                "91–365 days past due", "> 365 days past due"])
        # sorted by name; Avram paid everything
        self.assertEqual(debtors, [
                # a fine due 20 April: 12 days, no surcharge on fines
                ["Ionescu Maria", None, D('100'), D('0'), D('0'), D('0'),
                    D('100'), D('0'), D('100')],
                # 252.50 due 31 March (32 days: 5.05 lei surcharge) and 80
                # due 31 March 2025 (397 days, 14 months: 11.20 lei)
                ["Popescu Ion", '1800101221144', D('0'), D('252.50'),
                    D('0'), D('80'), D('332.50'), D('16.25'),
                    D('348.75')],
                ])
        self.assertEqual(total, ["Total", None, D('100'), D('252.50'),
                D('0'), D('80'), D('432.50'), D('16.25'), D('448.75')])

        # a booked surcharge left unpaid is a debt of its own
        pay(company, ionescu, '100', date(2026, 5, 10))
        pay(company, popescu, '332.50', date(2026, 5, 10))
        output = io.BytesIO()
        export_debtors(company, date(2026, 5, 20), output)
        header, *debtors, total = read_xlsx(output.getvalue())
        self.assertEqual([d[0] for d in debtors], ["Popescu Ion"])
        self.assertEqual(debtors[0][2:], [
                D('0'), D('0'), D('0'), D('0'), D('0'), D('16.25'),
                D('16.25')])

    @with_transaction()
    def test_collections(self):
        "What the payments extinguished each day, by revenue"
        company = setup_2026()
        popescu = create_person("Popescu", "Ion")
        ionescu = create_person("Ionescu", "Maria")
        own(create_apartment(company), popescu)
        own(create_vehicle(company, 'CJ01AAA', euro_norm='euro4'), popescu)
        own(create_apartment(company), ionescu)
        assess(company, on=AFTER_OUG)
        pay(company, ionescu, '177.50', date(2026, 3, 20))
        # 15 days late: instalments 1 (252.50), their surcharges
        # (1.78 + 0.75), the rest on the second building instalment
        pay(company, popescu, '300', date(2026, 4, 15))
        pay(company, popescu, '10', date(2026, 5, 1))

        output = io.BytesIO()
        count = export_collections(
            company, date(2026, 3, 1), date(2026, 4, 30), output)
        rows = read_xlsx(output.getvalue())
        self.assertEqual(count, 2)
        header, first, second, total = rows
        self.assertEqual(header, ["Date", "Building Tax", "Land Tax",
                "Vehicle Tax", "Fee", "Fine", "Late-payment Surcharge",
                "Other Revenue", "Total"])
        self.assertEqual(as_date(first[0]), date(2026, 3, 20))
        self.assertEqual(first[1:], [D('177.50'), D('0'), D('0'), D('0'),
                D('0'), D('0'), D('0'), D('177.50')])
        self.assertEqual(as_date(second[0]), date(2026, 4, 15))
        self.assertEqual(second[1:], [D('222.47'), D('0'), D('75'),
                D('0'), D('0'), D('2.53'), D('0'), D('300')])
        self.assertEqual(total, ["Total", D('399.97'), D('0'), D('75'),
                D('0'), D('0'), D('2.53'), D('0'), D('477.50')])
        with self.assertRaises(ExportError):
            export_collections(
                company, date(2026, 4, 30), date(2026, 3, 1), io.BytesIO())

    @with_transaction()
    def test_wizard(self):
        "The back-office wizard gives the file of the chosen export"
        pool = Pool()
        User = pool.get('res.user')
        Export = pool.get('local_tax.export', type='wizard')
        company = setup_2026()
        owner = create_person("Popescu", "Ion")
        own(create_apartment(company), owner)
        assess(company, on=AFTER_OUG)
        session_id, _, _ = Export.create()
        export = Export(session_id)
        export.start.company = company
        export.start.export = 'roll'
        export.start.fiscal_year = 2026
        # a user exports only the municipalities he works for
        with self.assertRaises(ExportError):
            export.default_result(None)
        User.write([User(1)], {
                'companies': [('add', [company.id])],
                'company': company.id,
                })
        result = export.default_result(None)
        self.assertEqual(result['filename'], 'assessment-roll-2026.xlsx')
        rows = read_xlsx(result['file'])
        self.assertEqual(rows[1][3], "Popescu Ion")
        export.start.export = 'collections'
        export.start.from_date = date(2026, 1, 1)
        export.start.to_date = date(2026, 12, 31)
        result = export.default_result(None)
        self.assertEqual(
            result['filename'], 'collections-2026-01-01-2026-12-31.xlsx')
        self.assertEqual(len(read_xlsx(result['file'])), 2)
