# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The yearly gapless numbering (municipality.year_sequence): per
municipality, kind and year; a rollback gives its numbers back; concurrent
transactions get each number once (PostgreSQL)."""
import threading
import unittest

from trytond import backend
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from .tools import committed, committed_copy, create_municipality, run_committed

WORKERS = 4
NUMBERS = 40


def sequence_type(name="Urbanism Certificate"):
    SequenceType = Pool().get('ir.sequence.type')
    type_, = SequenceType.create([{'name': name}])
    return type_


class YearSequenceTestCase(unittest.TestCase):
    "Test the yearly numbering"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('municipality')

    @with_transaction()
    def test_numbers_per_municipality_kind_and_year(self):
        "From 1 each year, for each municipality and each kind"
        YearSequence = Pool().get('municipality.year_sequence')
        floresti = create_municipality()
        cluj = create_municipality(
            name="Municipiul Cluj-Napoca", cui='4305857', uat='54975',
            seat='54984', village='54984')
        certificate, permit = sequence_type(), sequence_type("Permit")
        self.assertEqual(
            YearSequence.take_numbers(
                floresti, 2026, 2, sequence_type=certificate),
            ['2026/1', '2026/2'])
        self.assertEqual(
            YearSequence.take_numbers(floresti, 2026, sequence_type=permit),
            ['2026/1'])
        self.assertEqual(
            YearSequence.take_numbers(cluj, 2026, sequence_type=certificate),
            ['2026/1'])
        self.assertEqual(
            YearSequence.take_numbers(
                floresti, 2027, sequence_type=certificate),
            ['2027/1'])
        self.assertEqual(
            YearSequence.take_numbers(
                floresti, 2026, sequence_type=certificate),
            ['2026/3'])
        self.assertEqual(YearSequence.search([], count=True), 4)


@unittest.skipIf(backend.name != 'postgresql',
    "needs PostgreSQL: committed transactions on separate connections")
class CommittedYearSequenceTestCase(unittest.TestCase):
    "Test the yearly numbering across committed transactions"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('municipality')
        cls.database = committed_copy(cls, 'year_sequence')
        with committed(database=cls.database):
            company = create_municipality()
            cls.company, cls.type_ = company.id, sequence_type().id

    def take(self, count=1, year=2026):
        def take():
            pool = Pool()
            YearSequence = pool.get('municipality.year_sequence')
            Company = pool.get('company.company')
            return YearSequence.take_numbers(
                Company(self.company), year, count,
                sequence_type=self.type_)
        return run_committed(self.database, take)

    def test_rollback_leaves_no_gap(self):
        "A failed transaction consumes no number"
        first, = self.take()

        class Refused(Exception):
            pass

        def take_and_fail():
            pool = Pool()
            YearSequence = pool.get('municipality.year_sequence')
            Company = pool.get('company.company')
            YearSequence.take_numbers(
                Company(self.company), 2026, 3, sequence_type=self.type_)
            raise Refused
        with self.assertRaises(Refused):
            run_committed(self.database, take_and_fail)
        second, = self.take()
        year, number = first.split('/')
        self.assertEqual(second, f'{year}/{int(number) + 1}')

    def test_concurrent_numbers_unique_and_gapless(self):
        """Transactions taking numbers at once, the first ones of a year
        creating its sequence, get each number once"""
        numbers, errors = [], []
        lock = threading.Lock()

        def worker():
            try:
                for _ in range(NUMBERS // WORKERS):
                    taken = self.take(year=2030)
                    with lock:
                        numbers.extend(taken)
            except Exception as error:
                with lock:
                    errors.append(error)
        threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(sorted(numbers, key=lambda n: int(n[5:])),
            [f'2030/{n}' for n in range(1, NUMBERS + 1)])
