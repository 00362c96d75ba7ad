# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The CSV reader of the imports"
import datetime as dt
import unittest
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.modules.municipality.csv_reader import read_csv
from trytond.modules.municipality.exceptions import CSVError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

TEXT = "Cod;Denumire;Suma\n1;Bistriţa-Năsăud;12,50\n"


class OtherError(UserError):
    pass


class CSVReaderTestCase(unittest.TestCase):
    "Test the CSV reader"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('municipality')

    @with_transaction()
    def test_encodings(self):
        "UTF-8 with or without byte order mark, Windows-1250, or text"
        expected = [(2, {
                    'cod': '1', 'denumire': 'Bistriţa-Năsăud',
                    'suma': '12,50'})]
        for data in [
                TEXT, TEXT.encode('utf-8'), TEXT.encode('utf-8-sig'),
                TEXT.encode('cp1250'), bytearray(TEXT.encode('cp1250')),
                memoryview(TEXT.encode('utf-8'))]:
            with self.subTest(data=data):
                self.assertEqual(read_csv(data), expected)

    @with_transaction()
    def test_only_utf8_when_asked(self):
        "A reader limited to UTF-8 refuses a Windows-1250 file"
        with self.assertRaises(CSVError):
            read_csv(TEXT.encode('cp1250'), encodings=('utf-8-sig',))

    @with_transaction()
    def test_delimiter(self):
        "Commas or semicolons, as the header line uses them"
        self.assertEqual(
            read_csv('a,b\n"1;2",3\n'), [(2, {'a': '1;2', 'b': '3'})])
        self.assertEqual(
            read_csv('a;b\n"1,2";3\n'), [(2, {'a': '1,2', 'b': '3'})])

    @with_transaction()
    def test_header_and_blank_lines(self):
        """Column names stripped and in lower case (or as asked), blank
        lines skipped, the line numbers those of the file"""
        rows = read_csv(' Date , NAME \n\n2026-01-01, Anul Nou \n,\n'
            '2026-01-02,A doua zi\n', header=str.upper)
        self.assertEqual(rows, [
                (3, {'DATE': '2026-01-01', 'NAME': 'Anul Nou'}),
                (5, {'DATE': '2026-01-02', 'NAME': 'A doua zi'}),
                ])

    @with_transaction()
    def test_required_filled_and_typed_columns(self):
        "Typed values converted, empty ones None"
        rows = read_csv('date,amount,note\n2026-03-20,"177.50",\n,1,x\n',
            required=['date', 'amount'], filled=['amount'],
            types={'date': dt.date.fromisoformat, 'amount': Decimal})
        self.assertEqual(rows, [
                (2, {'date': dt.date(2026, 3, 20), 'amount': Decimal('177.50'),
                        'note': ''}),
                (3, {'date': None, 'amount': Decimal(1), 'note': 'x'}),
                ])

    @with_transaction()
    def test_errors_name_what_is_wrong(self):
        "Missing columns, an empty file, a bad or missing value and its line"
        cases = [
            ('a,b\n1,2\n', {'required': ['a', 'c', 'd']}, 'c, d'),
            ('', {'required': ['a']}, 'a'),
            (' , \n', {}, 'empty'),
            ('a,b\n1,2\n\nx,3\n', {'types': {'a': int}}, 'Line 4'),
            ('a,b\n1,2\n,3\n', {'filled': ['a']}, 'Line 3'),
            ]
        for text, options, expected in cases:
            with self.subTest(text=text):
                with self.assertRaises(CSVError) as cm:
                    read_csv(text, **options)
                self.assertIn(expected, cm.exception.message)
        with self.assertRaises(CSVError) as cm:
            read_csv('a,b\n1,2\nx,3\n', types={'a': int})
        self.assertIn('"x"', cm.exception.message)
        self.assertIn('"a"', cm.exception.message)

    @with_transaction()
    def test_error_of_the_caller(self):
        "The caller's exception and message, with its details"
        with self.assertRaises(OtherError) as cm:
            read_csv('a\n1\n', required=['b'], error=OtherError, messages={
                    'columns': 'municipality.msg_siruta_missing_columns'})
        self.assertIn('SIRUTA', cm.exception.message)
        self.assertIn('b', cm.exception.message)

    @with_transaction()
    def test_errors_translated(self):
        "The errors are in the user's language"
        Lang = Pool().get('ir.lang')
        ro, = Lang.search([('code', '=', 'ro')])
        Lang.load_translations([ro])
        with Transaction().set_context(language='ro'):
            with self.assertRaises(CSVError) as cm:
                read_csv('a,b\n1,2\nx,3\n', types={'a': int})
        self.assertIn('Linia 3 din fișier', cm.exception.message)
