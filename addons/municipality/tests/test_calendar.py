# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The working-day calendar (Codul muncii art. 139)"
import datetime as dt
import unittest

from trytond.modules.municipality.calendar import (
    add_working_days, is_working_day, next_working_day)
from trytond.modules.municipality.exceptions import CalendarError
from trytond.model.exceptions import SQLConstraintError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

D = dt.date


class CalendarTestCase(unittest.TestCase):
    "Test the working-day calendar"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('municipality')

    @with_transaction()
    def test_public_holidays_are_not_working_days(self):
        "The shipped days of art. 139(1), Orthodox Easter and Pentecost"
        for date in [
                D(2025, 1, 1), D(2025, 1, 24), D(2025, 4, 18),  # Good Friday
                D(2025, 4, 21), D(2025, 6, 9), D(2025, 12, 1),
                D(2026, 4, 13), D(2026, 6, 1), D(2027, 5, 3)]:
            with self.subTest(date=date):
                self.assertFalse(is_working_day(date))
        self.assertTrue(is_working_day(D(2025, 3, 3)))
        self.assertFalse(is_working_day(D(2025, 3, 1)))     # a Saturday

    @with_transaction()
    def test_next_working_day(self):
        "A working day stays, a weekend or holiday moves forward"
        self.assertEqual(next_working_day(D(2025, 3, 3)), D(2025, 3, 3))
        # Sunday 30 November 2025 (St Andrew), Monday 1 December
        self.assertEqual(next_working_day(D(2025, 11, 30)), D(2025, 12, 2))

    @with_transaction()
    def test_add_working_days(self):
        "Across Christmas, New Year and 6-7 January, exclusive or inclusive"
        self.assertEqual(add_working_days(D(2025, 12, 19), 15), D(2026, 1, 19))
        # a Friday counts only when inclusive
        self.assertEqual(add_working_days(D(2026, 3, 6), 3), D(2026, 3, 11))
        self.assertEqual(
            add_working_days(D(2026, 3, 6), 3, inclusive=True),
            D(2026, 3, 10))

    @with_transaction()
    def test_year_without_calendar(self):
        "A year without calendar is refused, then counted once imported"
        Calendar = Pool().get('municipality.calendar')
        with self.assertRaises(CalendarError) as cm:
            is_working_day(D(2031, 3, 3))
        self.assertIn('2031', cm.exception.message)
        Calendar.import_csv("date,name\n2031-03-10,Zi liberă\n")
        self.assertFalse(is_working_day(D(2031, 3, 10)))
        self.assertEqual(add_working_days(D(2031, 3, 7), 1), D(2031, 3, 11))

    @with_transaction()
    def test_shipped_calendar_stored_once(self):
        """The shipped file is stored the first time a year is needed (not
        in a read-only transaction); a second calendar of a year is refused"""
        Calendar = Pool().get('municipality.calendar')
        with Transaction().new_transaction(readonly=True):
            self.assertFalse(is_working_day(D(2026, 1, 1)))
            self.assertFalse(Calendar.search([('year', '=', 2026)]))
        self.assertFalse(is_working_day(D(2026, 1, 1)))
        calendar, = Calendar.search([('year', '=', 2026)])
        self.assertIn('Codul muncii art. 139', calendar.source)
        self.assertIn(D(2026, 1, 7), {h.date for h in calendar.holidays})
        with self.assertRaises(SQLConstraintError):
            Calendar.import_csv("date,name\n2026-03-10,Zi liberă\n")
