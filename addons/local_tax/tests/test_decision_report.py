# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tests of the printed tax decision (decizia de impunere).

Worked example: the apartment of art. 457 (355 lei in 2026) and the car of
art. 470 (1 598 cm³ Euro 4: 150 lei), assessed on 2 March 2026 with the
council's 10 % bonification: the building tax in two instalments of
177.50 (31 March, 30 September), 35.50 off and 319.50 to pay by 31 March;
the vehicle tax in two of 75, 15 off and 135 to pay."""
import datetime as dt
import io
import unittest

from trytond.modules.company.tests import set_company
from trytond.modules.municipality.tests.tools import (
    CONVERT_COMMAND, create_person, own, set_config_for_test)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

from .test_fiscal import assess, setup_2026
from .test_module import create_apartment, create_vehicle

CNP = '1800101125809'
CUI = '18547290'


def set_address(party, street, number, postal_code):
    "The party's address in the seat of the municipality"
    pool = Pool()
    Address = pool.get('party.address')
    Locality = pool.get('municipality.locality')
    seat, = Locality.search([('siruta', '=', '57715')])
    address, = (Address.search([('party', '=', party.id)])
        or [Address(party=party)])
    address.locality = seat
    address.street_name = street
    address.building_number = number
    address.postal_code = postal_code
    address.save()


def pdf_text(content):
    "The text of the PDF's pages, its blanks folded"
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(bytes(content)))
    return ' '.join(' '.join(
            page.extract_text() for page in reader.pages).split())


class DecisionReportTestCase(unittest.TestCase):
    "Test the PDF of an issued tax decision"

    @classmethod
    def setUpClass(cls):
        activate_module('local_tax')

    def issued(self):
        company = setup_2026(bonification='10')
        set_address(company.party, "Avram Iancu", '22', '407280')
        taxpayer = create_person("Popescu", "Ion", cnp=CNP)
        set_address(taxpayer, "Teilor", '7', '407281')
        own(create_apartment(company), taxpayer)
        own(create_vehicle(company, 'CJ01AAA', euro_norm='euro4'), taxpayer)
        decision, = assess(company, taxpayers=[taxpayer],
            on=dt.date(2026, 3, 2))
        return company, decision

    def printed(self, company, decision, language='en'):
        "The text of the decision's PDF, printed in the language"
        Report = Pool().get('local_tax.assessment', type='report')
        set_config_for_test(
            self, 'report', 'convert_command', CONVERT_COMMAND)
        with set_company(company), Transaction().set_context(
                language=language):
            oext, content, *_ = Report.execute([decision.id], {})
        self.assertEqual(oext, 'pdf')
        self.assertTrue(bytes(content).startswith(b'%PDF'))
        return pdf_text(content)

    @with_transaction()
    def test_decision_pdf_worked_example(self):
        "The PDF states the number, taxpayer, amounts, due dates, rights"
        Assessment = Pool().get('local_tax.assessment')
        company, decision = self.issued()
        self.assertEqual(decision.total, 505)
        write_date = Assessment(decision.id).write_date
        text = self.printed(company, decision)
        address = str(decision.lines[0].building.address)
        for expected in [
                decision.number, decision.payment_reference,
                "Comuna Florești", CUI, "Avram Iancu", "Popescu Ion", CNP,
                "Teilor",
                "TAX DECISION", address, 'CJ01AAA',
                # the building tax: the annual tax, its instalments
                '355.00', '177.50', '03/31/2026', '09/30/2026',
                # the vehicle tax
                '150.00', '75.00',
                # the bonification of each tax, what is left to pay
                "10 %", '35.50', '319.50', '462(2)', '15.00', '135.00',
                '472(2)',
                '505.00',
                # the legal basis and the way to contest it
                "227/2015", "45 days", "268–270", "207/2015",
                "Received by the taxpayer", "L.S."]:
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
        # land: none taxed, no section
        self.assertNotIn('467(2)', text)
        # printing reads the issued decision, it does not write it
        self.assertEqual(Assessment(decision.id).write_date, write_date)

    @with_transaction()
    def test_decision_pdf_in_romanian(self):
        "In Romanian: the catalogue's strings, dates and amounts"
        Lang = Pool().get('ir.lang')
        company, decision = self.issued()
        Lang.load_translations(Lang.search([('code', '=', 'ro')]))
        text = self.printed(company, decision, language='ro')
        for expected in ["ROMÂNIA", "DECIZIE DE IMPUNERE", "Contribuabil",
                CNP, "Rata", "Termen de plată", '31.03.2026', '177,50',
                "Bonificație pentru plata integrală", '319,50',
                "Legea nr. 227/2015 privind Codul fiscal",
                "contestație în termen de 45 de zile de la data comunicării",
                "art. 268–270 din Legea nr. 207/2015",
                "Primit de contribuabil"]:
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
        self.assertNotIn("TAX DECISION", text)

    @with_transaction()
    def test_print_keyword_on_the_decision(self):
        "sao offers the PDF in the print menu of the tax decision"
        pool = Pool()
        Keyword = pool.get('ir.action.keyword')
        company, decision = self.issued()
        actions = Keyword.get_keyword(
            'form_print', ('local_tax.assessment', decision.id))
        self.assertIn('local_tax.assessment',
            [a.get('report_name') for a in actions])
