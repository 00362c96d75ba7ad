# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tests of the cash desks, the receipts, the daily closing and the import
of bank statements."""
import datetime as dt
import io
import unittest
import zipfile
from contextlib import contextmanager
from decimal import Decimal

from num2words import CONVERTER_CLASSES, num2words

from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.company.tests import set_company
from trytond.modules.municipality.tests.tools import (
    CONVERT_COMMAND, create_municipality, create_person, set_config_for_test)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from ..bank_statement import import_statement
from ..exceptions import (
    BankStatementError, CashDeskClosedError, CashDeskError)
from ..payment import preview_allocation
from ..words import amount_in_words, number_in_words
from .test_fiscal import fine, pay, setup_2026

D = Decimal
date = dt.date


CNP = '1800101125809'
CNP_OTHER = '2850615125806'
UNKNOWN_CNP = '1900101125805'
UNKNOWN_CUI = '12345674'
CUI = '18547290'


def create_desk(company, code='C1', name="Casieria 1", cashiers=None):
    pool = Pool()
    CashDesk = pool.get('local_tax.cash_desk')
    User = pool.get('res.user')
    if cashiers is None:
        cashiers = [User(Transaction().user)]
    desk = CashDesk(company=company, code=code, name=name, cashiers=cashiers)
    desk.save()
    return desk


def at_desk(desk, taxpayer, amount, on, channel='cash', **values):
    "A payment at the desk: the receipt is issued with it"
    payment = pay(desk.company, taxpayer, amount, on, channel=channel,
        cash_desk=desk, **values)
    return payment, payment.receipt


def create_user(login, group, company):
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    user, = User.create([{
                'name': login.title(),
                'login': login,
                'groups': [('add', [ModelData.get_id('local_tax', group)])],
                'companies': [('add', [company.id])],
                'company': company.id,
                }])
    return user


@contextmanager
def as_user(user, access=True):
    "Run as the user with its preferences, the access rights checked"
    User = Pool().get('res.user')
    transaction = Transaction()
    with transaction.set_user(user.id):
        with transaction.set_context(
                User.get_preferences(context_only=True)):
            if access:
                with check_access():
                    yield
            else:
                yield


def close(desk, on):
    Closing = Pool().get('local_tax.cash_closing')
    closing = Closing(company=desk.company, cash_desk=desk, date=on)
    closing.save()
    Closing.close([closing])
    return closing


class CashDeskTestCase(unittest.TestCase):
    "Test the cash desks, receipts, closings and bank statements"

    @classmethod
    def setUpClass(cls):
        activate_module('local_tax')

    # The amount in words

    def test_amount_in_words(self):
        "The grammar of the amounts on receipts"
        for amount, words in [
                ('0', "zero lei"),
                ('1', "un leu"),
                ('2', "doi lei"),
                ('12', "doisprezece lei"),
                ('19', "nouăsprezece lei"),
                ('20', "douăzeci de lei"),
                ('21', "douăzeci și unu de lei"),
                ('22', "douăzeci și doi de lei"),
                ('100', "o sută de lei"),
                ('101', "o sută unu lei"),
                ('102', "o sută doi lei"),
                ('119', "o sută nouăsprezece lei"),
                ('120', "o sută douăzeci de lei"),
                ('200', "două sute de lei"),
                ('1000', "o mie de lei"),
                ('1001', "o mie unu lei"),
                ('1100', "o mie o sută de lei"),
                ('2000', "două mii de lei"),
                ('12000', "douăsprezece mii de lei"),
                ('21000', "douăzeci și una de mii de lei"),
                ('22000', "douăzeci și două de mii de lei"),
                ('102000', "o sută două mii de lei"),
                ('112000', "o sută douăsprezece mii de lei"),
                ('1000000', "un milion de lei"),
                ('1000001', "un milion unu lei"),
                ('2000000', "două milioane de lei"),
                ('21000000', "douăzeci și unu de milioane de lei"),
                ('102000000', "o sută două milioane de lei"),
                ('2000000000', "două miliarde de lei"),
                ('0.01', "un ban"),
                ('0.02', "doi bani"),
                ('0.12', "doisprezece bani"),
                ('0.50', "cincizeci de bani"),
                ('1.01', "un leu și un ban"),
                ('2.02', "doi lei și doi bani"),
                ('101.20', "o sută unu lei și douăzeci de bani"),
                ('1234.56', "o mie două sute treizeci și patru de lei "
                    "și cincizeci și șase de bani"),
                ('355', "trei sute cincizeci și cinci de lei"),
                ('177.50', "o sută șaptezeci și șapte de lei "
                    "și cincizeci de bani"),
                ]:
            with self.subTest(amount=amount):
                self.assertEqual(amount_in_words(D(amount)), words)

    def test_number_in_words_agrees_with_scale(self):
        "Thousands are feminine, millions neuter; 'de' from 20 up"
        self.assertEqual(number_in_words(1), "unu")
        self.assertEqual(number_in_words(2001), "două mii unu")
        self.assertEqual(number_in_words(101000), "o sută una mii")
        self.assertEqual(number_in_words(999999),
            "nouă sute nouăzeci și nouă de mii nouă sute nouăzeci și nouă")
        self.assertEqual(number_in_words(2500000),
            "două milioane cinci sute de mii")

    def test_amount_in_words_fresh_converter(self):
        "A corrupted shared num2words converter does not change the words"
        shared = CONVERTER_CLASSES['ro']
        shared.gen_numwords[1] = "una"
        try:
            self.assertEqual(num2words(1000, lang='ro'), "una mie")
            self.assertEqual(amount_in_words(D('1000')), "o mie de lei")
        finally:
            shared.gen_numwords[1] = "o"
        self.assertEqual(num2words(1000, lang='ro'), "o mie")

    # Receipts

    @with_transaction()
    def test_receipt_numbers_gapless_per_desk_and_year(self):
        "Numbers follow each other per desk and restart on 1 January"
        company = create_municipality()
        taxpayer = create_person("Popescu", "Ion")
        first = create_desk(company, 'C1')
        second = create_desk(company, 'C2', "Casieria 2")
        numbers = []
        for desk, on in [
                (first, date(2025, 12, 30)),
                (first, date(2025, 12, 31)),
                (second, date(2025, 12, 31)),
                (first, date(2025, 12, 31)),
                (first, date(2026, 1, 2)),
                (second, date(2026, 1, 2)),
                (first, date(2026, 1, 2)),
                ]:
            payment, receipt = at_desk(desk, taxpayer, '10', on)
            self.assertEqual(receipt.payment, payment)
            numbers.append((receipt.series, receipt.number))
        self.assertEqual(numbers, [
                ('C1', '2025/000001'),
                ('C1', '2025/000002'),
                ('C2', '2025/000001'),
                ('C1', '2025/000003'),
                ('C1', '2026/000001'),
                ('C2', '2026/000001'),
                ('C1', '2026/000002'),
                ])
        self.assertEqual(
            sorted(s.year for s in first.sequences), [2025, 2026])

    @with_transaction()
    def test_receipt_of_payment(self):
        "The payer, the obligations paid, the amount in words, the cashier"
        pool = Pool()
        User = pool.get('res.user')
        company = setup_2026()
        taxpayer = create_person("Popescu", "Ion", cnp=CNP)
        desk = create_desk(company)
        tax = fine(company, taxpayer, '200', date(2026, 3, 31),
            tax_type='land', description="Land Tax 2026")
        ticket = fine(company, taxpayer, '100', date(2026, 2, 10),
            description="Amendă PV 12/2026")
        # 15 April: the fine, the land tax and its surcharge (1 % = 2 lei),
        # 8 lei of credit
        payment, receipt = at_desk(desk, taxpayer, '310', date(2026, 4, 15),
            payer_name="Popescu Maria")
        self.assertEqual(receipt.taxpayer, taxpayer)
        self.assertEqual(receipt.taxpayer_name, "Popescu Ion")
        self.assertEqual(receipt.fiscal_code, CNP)
        self.assertEqual(receipt.payer_name, "Popescu Maria")
        self.assertEqual(receipt.amount, D('310'))
        self.assertEqual(receipt.amount_words, "trei sute zece lei")
        self.assertEqual(receipt.method, 'cash')
        self.assertEqual(receipt.cashier, User(Transaction().user))
        self.assertEqual(receipt.date, date(2026, 4, 15))
        self.assertEqual(receipt.state, 'issued')
        self.assertEqual([(l.description, l.tax_type, l.amount)
                for l in receipt.lines], [
                ("Amendă PV 12/2026", 'fine', D('100')),
                ("Land Tax 2026", 'land', D('200')),
                ("Late-payment surcharge on Land Tax 2026", 'surcharge',
                    D('2')),
                ("Advance payment (credit of the taxpayer)", 'credit',
                    D('8')),
                ])
        self.assertEqual(sum(l.amount for l in receipt.lines), D('310'))
        self.assertEqual(payment.cash_desk, desk)
        del tax, ticket

    @with_transaction()
    def test_cancelled_receipt_keeps_its_number(self):
        "The receipt of a cancelled payment stays, marked, with its number"
        Payment = Pool().get('local_tax.payment')
        Receipt = Pool().get('local_tax.receipt')
        company = create_municipality()
        taxpayer = create_person("Popescu", "Ion")
        desk = create_desk(company)
        payment, receipt = at_desk(desk, taxpayer, '50', date(2026, 3, 2))
        Payment.cancel([payment])
        receipt = Receipt(receipt.id)
        self.assertEqual(receipt.state, 'cancelled')
        self.assertEqual(receipt.number, '2026/000001')
        self.assertEqual(Receipt.search([('state', '=', 'cancelled')]),
            [receipt])
        # the reversal gets no receipt; the next payment the next number
        reversal, = Payment.search([('reversal_of', '=', payment.id)])
        self.assertIsNone(Receipt.issue_for(reversal))
        _, following = at_desk(desk, taxpayer, '20', date(2026, 3, 2))
        self.assertEqual(following.number, '2026/000002')

    @with_transaction()
    def test_online_receipts(self):
        "Online payments get their receipt once, on the online desk"
        pool = Pool()
        Receipt = pool.get('local_tax.receipt')
        CashDesk = pool.get('local_tax.cash_desk')
        company = create_municipality()
        taxpayer = create_person("Popescu", "Ion")
        payment = pay(company, taxpayer, '177.50', date(2026, 3, 20),
            channel='ghiseul', external_id='GH-1')
        receipt = Receipt.issue_for(payment)
        # confirmed again: the same payment and receipt
        again = pay(company, taxpayer, '177.50', date(2026, 3, 20),
            channel='ghiseul', external_id='GH-1')
        self.assertEqual(Receipt.issue_for(again), receipt)
        desk, = CashDesk.search([('online', '=', True)])
        self.assertEqual(receipt.cash_desk, desk)
        self.assertEqual(receipt.number, '2026/000001')
        self.assertIsNone(receipt.cashier)
        self.assertEqual(receipt.method, 'ghiseul')
        portal = pay(company, taxpayer, '10', date(2026, 3, 21),
            channel='portal', external_id='P-1')
        self.assertEqual(Receipt.issue_for(portal).number, '2026/000002')
        self.assertEqual(CashDesk.online_desk(company), desk)
        # a bank transfer gets no receipt; a cash payment outside any desk
        # cannot get one
        bank = pay(company, taxpayer, '10', date(2026, 3, 21),
            channel='bank', external_id='B-1')
        self.assertIsNone(Receipt.issue_for(bank))
        cash = pay(company, taxpayer, '10', date(2026, 3, 21))
        with self.assertRaises(CashDeskError):
            Receipt.issue_for(cash)

    @with_transaction()
    def test_payment_only_by_the_desk_cashiers(self):
        "A desk takes cash and card payments from its cashiers only"
        pool = Pool()
        Payment = pool.get('local_tax.payment')
        User = pool.get('res.user')
        company = create_municipality()
        taxpayer = create_person("Popescu", "Ion")
        other, = User.create([{'name': "Ionescu", 'login': 'ionescu'}])
        desk = create_desk(company, cashiers=[other])
        with self.assertRaises(CashDeskError):
            at_desk(desk, taxpayer, '10', date(2026, 3, 2))
        mine = create_desk(company, 'C2')
        with self.assertRaises(CashDeskError):
            at_desk(mine, taxpayer, '10', date(2026, 3, 2), channel='bank',
                external_id='B-1')
        self.assertEqual(Payment.search([]), [])
        _, receipt = at_desk(mine, taxpayer, '10', date(2026, 3, 2),
            channel='card', external_id='RRN-1')
        self.assertEqual(receipt.method, 'card')

    @with_transaction()
    def test_access_by_group(self):
        "The cashier books and closes at the desk, the head cancels"
        pool = Pool()
        Receipt = pool.get('local_tax.receipt')
        Payment = pool.get('local_tax.payment')
        Closing = pool.get('local_tax.cash_closing')
        Start = pool.get('local_tax.counter_payment.start')
        company = setup_2026()
        cashier = create_user('casier', 'group_local_tax_cashier', company)
        clerk = create_user('inspector', 'group_local_tax_clerk', company)
        head = create_user('sef', 'group_local_tax_head', company)
        taxpayer = create_person("Popescu", "Ion", cnp=CNP)
        fine(company, taxpayer, '200', date(2026, 3, 31), tax_type='land',
            description="Land Tax 2026")
        desk = create_desk(company, cashiers=[cashier])
        day = date(2026, 5, 2)
        with as_user(cashier):
            # the counter: the debts and the surcharge to date
            start = Start(**Start.default_get(
                    list(Start._fields), with_rec_name=False))
            self.assertEqual(start.cash_desk, desk)
            start.date = day
            start.taxpayer = taxpayer
            start.on_change_taxpayer()
            self.assertEqual(start.principal, D('200'))
            self.assertEqual(start.accessories, D('4'))
        with as_user(cashier, access=False):
            # booked as the wizard does (its transitions check no access)
            payment, receipt = at_desk(desk, taxpayer, '204', day)
        with as_user(cashier):
            self.assertEqual(receipt.cashier, cashier)
            self.assertEqual(Receipt.search([]), [receipt])
            with self.assertRaises(AccessError):
                Receipt.write([receipt], {'payer_name': "X"})
            with self.assertRaises(AccessButtonError):
                Payment.cancel([payment])
        with as_user(clerk):
            self.assertEqual(Receipt.search([]), [receipt])
            with self.assertRaises(AccessError):
                Closing.create([{
                            'company': company.id, 'cash_desk': desk.id,
                            'date': day}])
        with as_user(clerk, access=False):
            with self.assertRaises(CashDeskError):
                at_desk(desk, taxpayer, '10', day)
        with as_user(head):
            Payment.cancel([payment])
        self.assertEqual(Receipt(receipt.id).state, 'cancelled')
        with as_user(cashier):
            closing, = Closing.create([{
                        'company': company.id, 'cash_desk': desk.id,
                        'date': day}])
            Closing.close([closing])
            self.assertEqual(closing.cancelled_count, 1)

    # The daily closing

    @with_transaction()
    def test_closing_sums_up_the_day(self):
        "Receipts, totals by method and revenue, cancelled receipts"
        Payment = Pool().get('local_tax.payment')
        company = setup_2026()
        taxpayer = create_person("Popescu", "Ion")
        desk = create_desk(company)
        day = date(2026, 4, 15)
        fine(company, taxpayer, '100', date(2026, 2, 10))
        fine(company, taxpayer, '30', date(2026, 5, 10), tax_type='fee',
            description="Taxă certificat")
        at_desk(desk, taxpayer, '100', day)                       # fine
        # 10 lei on the fee (not due yet), cancelled
        cancelled, _ = at_desk(desk, taxpayer, '10', day, channel='card')
        # the 20 lei left of the fee and 20 lei of credit
        at_desk(desk, taxpayer, '40', day, channel='card')
        at_desk(desk, taxpayer, '5', date(2026, 4, 16))
        Payment.cancel([cancelled])
        closing = close(desk, day)
        self.assertEqual(closing.state, 'closed')
        self.assertEqual(closing.receipt_count, 3)
        self.assertEqual(closing.first_number, '2026/000001')
        self.assertEqual(closing.last_number, '2026/000003')
        self.assertEqual(closing.cancelled_count, 1)
        self.assertEqual(closing.cancelled_amount, D('10'))
        self.assertEqual(closing.cancelled_numbers, '2026/000002')
        self.assertEqual(closing.total, D('140'))
        self.assertEqual(
            [(l.method, l.count, l.amount) for l in closing.method_lines],
            [('cash', 1, D('100')), ('card', 1, D('40'))])
        self.assertEqual(
            [(l.tax_type, l.count, l.amount) for l in closing.revenue_lines],
            [('fee', 1, D('20')), ('fine', 1, D('100')),
                ('credit', 1, D('20'))])
        self.assertIsNotNone(closing.closed_at)

    @with_transaction()
    def test_closing_blocks_later_payments(self):
        "Once the day is closed no payment is booked at the desk for it"
        pool = Pool()
        Payment = pool.get('local_tax.payment')
        Receipt = pool.get('local_tax.receipt')
        Date = pool.get('ir.date')
        company = create_municipality()
        taxpayer = create_person("Popescu", "Ion")
        desk = create_desk(company)
        other = create_desk(company, 'C2', "Casieria 2")
        day = date(2026, 3, 2)
        at_desk(desk, taxpayer, '10', day)
        close(desk, day)
        with self.assertRaises(CashDeskClosedError):
            at_desk(desk, taxpayer, '20', day)
        self.assertEqual(len(Payment.search([])), 1)
        # the other desk, the next day: open
        at_desk(other, taxpayer, '20', day)
        at_desk(desk, taxpayer, '20', date(2026, 3, 3))
        # the online desk too, once closed
        online = pay(company, taxpayer, '10', day, channel='portal',
            external_id='P-1')
        online_desk = Pool().get('local_tax.cash_desk').online_desk(company)
        online_desk.cashiers = [Pool().get('res.user')(Transaction().user)]
        online_desk.save()
        close(online_desk, day)
        with self.assertRaises(CashDeskClosedError):
            Receipt.issue_for(online)
        # a day not yet ended cannot be closed
        with self.assertRaises(CashDeskError):
            close(desk, Date.today() + dt.timedelta(days=1))

    @with_transaction()
    def test_closing_not_modifiable(self):
        "A closed day is never changed nor deleted"
        Closing = Pool().get('local_tax.cash_closing')
        Line = Pool().get('local_tax.cash_closing.line')
        company = create_municipality()
        taxpayer = create_person("Popescu", "Ion")
        desk = create_desk(company)
        at_desk(desk, taxpayer, '10', date(2026, 3, 2))
        closing = close(desk, date(2026, 3, 2))
        with self.assertRaises(AccessError):
            Closing.write([closing], {'total': D('0')})
        with self.assertRaises(AccessError):
            Closing.write([closing], {'state': 'draft'})
        with self.assertRaises(AccessError):
            Closing.delete([closing])
        with self.assertRaises(AccessError):
            Line.write(list(closing.method_lines), {'amount': D('0')})
        with self.assertRaises(AccessError):
            Line.delete(list(closing.method_lines))
        # a draft closing can be deleted
        draft = Closing(company=company, cash_desk=desk,
            date=date(2026, 3, 3))
        draft.save()
        Closing.delete([draft])

    # Immutability

    @with_transaction()
    def test_receipt_not_modifiable(self):
        "Receipts, their lines and sequences are never changed or deleted"
        pool = Pool()
        Receipt = pool.get('local_tax.receipt')
        Line = pool.get('local_tax.receipt.line')
        DeskSequence = pool.get('local_tax.cash_desk.sequence')
        company = create_municipality()
        taxpayer = create_person("Popescu", "Ion")
        desk = create_desk(company)
        _, receipt = at_desk(desk, taxpayer, '10', date(2026, 3, 2))
        for values in [{'number': '2026/000009'}, {'amount': D('1')},
                {'payer_name': "X"}]:
            with self.assertRaises(AccessError):
                Receipt.write([receipt], values)
        with self.assertRaises(AccessError):
            Receipt.delete([receipt])
        with self.assertRaises(AccessError):
            Receipt.copy([receipt])
        with self.assertRaises(AccessError):
            Line.write(list(receipt.lines), {'amount': D('1')})
        with self.assertRaises(AccessError):
            Line.delete(list(receipt.lines))
        with self.assertRaises(AccessError):
            DeskSequence.delete(list(desk.sequences))
        self.assertEqual(Receipt(receipt.id).number, '2026/000001')

    # The report

    @with_transaction()
    def test_receipt_and_closing_pdf(self):
        "The receipt and the closing are converted to PDF by LibreOffice"
        pool = Pool()
        Payment = pool.get('local_tax.payment')
        ReceiptReport = pool.get('local_tax.receipt', type='report')
        ClosingReport = pool.get('local_tax.cash_closing', type='report')
        ActionReport = pool.get('ir.action.report')
        set_config_for_test(
            self, 'report', 'convert_command', CONVERT_COMMAND)
        company = create_municipality()
        taxpayer = create_person("Popescu", "Ion", cnp=CNP)
        desk = create_desk(company)
        payment, receipt = at_desk(desk, taxpayer, '1234.56',
            date(2026, 3, 2))
        # report access follows the company rules (even for a report's own records)
        with set_company(company):
            oext, content, _, _ = ReceiptReport.execute([receipt.id], {})
        self.assertEqual(oext, 'pdf')
        self.assertEqual(bytes(content[:5]), b'%PDF-')
        # the template: number, payer, amount in words and the mark of a
        # cancelled payment
        Payment.cancel([payment])
        action, = ActionReport.search(
            [('report_name', '=', 'local_tax.receipt')])
        text = ReceiptReport.render(action, ReceiptReport.get_context(
                [pool.get('local_tax.receipt')(receipt.id)], {}, {}))
        # relatorio renders a flat ODT into an ODT (zip)
        text = zipfile.ZipFile(io.BytesIO(text)).read('content.xml').decode()
        for expected in ['2026/000001', CNP, "Popescu Ion",
                "o mie două sute treizeci și patru de lei și cincizeci și "
                "șase de bani", "CANCELLED", "Comuna Florești", CUI]:
            self.assertIn(expected, text)
        closing = close(desk, date(2026, 3, 2))
        with set_company(company):
            oext, content, _, _ = ClosingReport.execute([closing.id], {})
        self.assertEqual(oext, 'pdf')
        self.assertEqual(bytes(content[:5]), b'%PDF-')


    @with_transaction()
    def test_receipt_on_one_a5_page(self):
        """A receipt of ten lines fits on one A5 page with what a chitanță
        carries: the city hall's address, the desk, the amount in words,
        the signatures and the place of the stamp; online, the Ghișeul.ro
        transaction id"""
        pool = Pool()
        ReceiptReport = pool.get('local_tax.receipt', type='report')
        Receipt = pool.get('local_tax.receipt')
        Address = pool.get('party.address')
        Locality = pool.get('municipality.locality')
        set_config_for_test(
            self, 'report', 'convert_command', CONVERT_COMMAND)
        company = setup_2026()
        seat, = Locality.search([('siruta', '=', '57715')])
        address, = (Address.search([('party', '=', company.party.id)])
            or [Address(party=company.party)])
        address.locality = seat
        address.street_name = "Avram Iancu"
        address.building_number = '22'
        address.postal_code = '407280'
        address.save()
        taxpayer = create_person("Popescu", "Ion", cnp=CNP)
        for number in range(10):
            fine(company, taxpayer, '10', date(2026, 2, 1 + number),
                description=f"Amendă PV {number + 1}/2026")
        desk = create_desk(company, code='C7', name="Casieria Centrul Civic")
        _, receipt = at_desk(desk, taxpayer, '150', date(2026, 3, 2))
        self.assertEqual(len(receipt.lines), 11)   # ten fines, the credit
        online = pay(company, taxpayer, '20', date(2026, 3, 3),
            channel='ghiseul', external_id='GH-20260303-0042')
        online_receipt = Receipt.issue_for(online)

        def pdf_pages(receipt):
            from pypdf import PdfReader
            with set_company(company):
                oext, content, _, _ = ReceiptReport.execute([receipt.id], {})
            self.assertEqual(oext, 'pdf')
            reader = PdfReader(io.BytesIO(bytes(content)))
            return [' '.join(p.extract_text().split()) for p in reader.pages]

        pages = pdf_pages(receipt)
        self.assertEqual(len(pages), 1, pages)
        text, = pages
        for expected in ["Comuna Florești", "Avram Iancu", "22",
                "Casieria Centrul Civic", "Amendă PV 10/2026",
                "o sută cincizeci de lei", "L.S.", "Cashier", "Paid by"]:
            self.assertIn(expected, text)
        text, = pdf_pages(online_receipt)
        self.assertIn('GH-20260303-0042', text)
        self.assertIn("Ghișeul.ro", text)

    @with_transaction()
    def test_fiscal_file_extract_pdf(self):
        "The extract of the fiscal file: obligations, payments, balance"
        from pypdf import PdfReader
        pool = Pool()
        Report = pool.get('local_tax.fiscal_file_extract', type='report')
        set_config_for_test(
            self, 'report', 'convert_command', CONVERT_COMMAND)
        company = setup_2026()
        taxpayer = create_person("Popescu", "Ion", cnp=CNP)
        fine(company, taxpayer, '100', date(2026, 2, 10),
            description="Amendă PV 12/2026")
        fine(company, taxpayer, '80', date(2026, 3, 31),
            tax_type='land', description="Land Tax 2026")
        pay(company, taxpayer, '30', date(2026, 3, 20), channel='ghiseul',
            external_id='GH-7')
        with set_company(company), Transaction().set_context(
                fiscal_file_date=date(2026, 5, 2)):
            oext, content, _, _ = Report.execute([taxpayer.id], {})
        self.assertEqual(oext, 'pdf')
        text = ' '.join(' '.join(p.extract_text() for p in PdfReader(
                    io.BytesIO(bytes(content))).pages).split())
        # the fine: 30 paid, 70 left, no surcharge; the land tax unpaid
        # 2 months on 2 May: 1.60 (CPF art. 183); balance 70 + 80 + 1.60
        for expected in ["Popescu Ion", CNP, "Amendă PV 12/2026",
                "Land Tax 2026", "70.00", "1.60", "GH-7", "151.60",
                "05/02/2026"]:
            self.assertIn(expected, text)

    # The counter

    @with_transaction()
    def test_counter_payment_wizard(self):
        "The cashier sees the debts to date, takes the payment, prints"
        pool = Pool()
        CounterPayment = pool.get('local_tax.counter_payment', type='wizard')
        Date = pool.get('ir.date')
        company = setup_2026()
        taxpayer = create_person("Popescu", "Ion", cnp=CNP)
        desk = create_desk(company)
        today = Date.today()
        old = fine(company, taxpayer, '100', date(today.year - 1, 9, 30),
            tax_type='building', description="Building Tax")
        with Transaction().set_context(company=company.id):
            session_id, _, _ = CounterPayment.create()
            wizard = CounterPayment(session_id)
            start = wizard.start
            for name, value in start.default_get(
                    start._fields.keys(), with_rec_name=False).items():
                setattr(start, name, value)
            self.assertEqual(start.cash_desk, desk)
            start.taxpayer = taxpayer
            start.on_change_taxpayer()
            self.assertEqual(list(start.obligations), [old])
            self.assertEqual(start.principal, D('100'))
            self.assertGreater(start.accessories, D('0'))
            self.assertEqual(start.balance, D('100') + start.accessories)
            self.assertEqual(start.amount, start.balance)
            start.method = 'cash'
            start.indicated = [old]
            self.assertEqual(wizard.transition_pay(), 'print_')
            receipt = wizard.start.receipt
            _, data = wizard.do_print_({})
        self.assertEqual(data['ids'], [receipt.id])
        self.assertEqual(receipt.cash_desk, desk)
        self.assertEqual(receipt.date, today)
        self.assertEqual(receipt.amount, start.amount)
        self.assertEqual(receipt.payment.cash_desk, desk)

    @with_transaction()
    def test_counter_preview_is_the_allocation(self):
        "The preview allocates as the booking does, and books nothing"
        pool = Pool()
        Allocation = pool.get('local_tax.payment.allocation')
        Obligation = pool.get('local_tax.obligation')
        company = setup_2026()
        owner = create_person("Popescu", "Ion", cnp=CNP)
        old_tax = fine(company, owner, '80', date(2025, 9, 30),
            tax_type='building', description="Building Tax 2025")
        ticket = fine(company, owner, '100', date(2026, 2, 10),
            description="Amendă PV 12/2026")
        tax = fine(company, owner, '200', date(2026, 3, 31),
            tax_type='land', description="Land Tax 2026")
        on = date(2026, 4, 15)
        # 400 lei indicating the land tax: the enforceable fine first
        # (art. 165(2)), the land tax with its surcharge (1 month: 2.00),
        # the 2025 tax, then its surcharge (7 months: 5.60, CPF art. 183)
        allocator = preview_allocation(company, owner, '400', on,
            obligations=[tax])
        preview = [(a.obligation.description, a.amount)
            for a in allocator.allocations]
        self.assertEqual(preview, [
                ("Amendă PV 12/2026", D('100')),
                ("Land Tax 2026", D('200')),
                ("Late-payment surcharge on Land Tax 2026", D('2.00')),
                ("Building Tax 2025", D('80')),
                ("Late-payment surcharge on Building Tax 2025", D('5.60')),
                ])
        self.assertEqual(allocator.available, D('12.40'))
        self.assertFalse(Allocation.search([]))
        self.assertEqual(
            Obligation.search_count([('tax_type', '=', 'surcharge')]), 0)
        payment = pay(company, owner, '400', on, obligations=[tax])
        booked = [(a.obligation.description, a.amount)
            for a in payment.allocations]
        self.assertEqual(booked, preview)
        self.assertEqual(payment.unallocated, allocator.available)
        del old_tax, ticket

    @with_transaction()
    def test_counter_payment_from_the_person(self):
        "From the person's form: the person, his desk, the allocation, pay"
        pool = Pool()
        CounterPayment = pool.get('local_tax.counter_payment', type='wizard')
        Date = pool.get('ir.date')
        company = setup_2026()
        taxpayer = create_person("Popescu", "Ion", cnp=CNP)
        create_desk(company, code='C1')
        desk2 = create_desk(company, code='C2', name="Casieria 2")
        today = Date.today()
        old = fine(company, taxpayer, '100', date(today.year - 1, 9, 30),
            tax_type='building', description="Building Tax")
        # the cashier's last receipt was at the second desk
        at_desk(desk2, create_person("Ionescu", "Maria"), '10', today)
        with Transaction().set_context(company=company.id,
                active_model='party.party', active_id=taxpayer.id,
                active_ids=[taxpayer.id]):
            session_id, _, _ = CounterPayment.create()
            wizard = CounterPayment(session_id)
            view = CounterPayment.states['start'].get_view(wizard, 'start')
            values = wizard.default_start(list(view['fields']))
            self.assertEqual(values['taxpayer'], taxpayer.id)
            self.assertEqual(values['obligations'], [old.id])
            self.assertEqual(wizard.start.cash_desk, desk2)
            start = wizard.start
            self.assertEqual(start.amount, start.balance)
            self.assertEqual(start.amount, D('100') + start.accessories)
            start.amount = start.amount + D('5')
            preview = wizard.default_preview([])
            self.assertEqual(
                [(l['description'], l['amount']) for l in preview['lines']],
                [("Building Tax", D('100')),
                    ("Late-payment surcharge on Building Tax",
                        start.accessories)])
            self.assertEqual(preview['credit'], D('5'))
            self.assertEqual(preview['cash_desk'], desk2.id)
            self.assertEqual(wizard.transition_pay(), 'print_')
            receipt = wizard.start.receipt
            self.assertEqual(wizard.end(), 'reload')
        self.assertEqual(receipt.cash_desk, desk2)
        self.assertEqual([l.amount for l in receipt.lines],
            [D('100'), start.accessories, D('5')])

    # Bank statements

    @with_transaction()
    def test_bank_statement_import(self):
        "Booked once however often imported; bad lines reported, not booked"
        Payment = Pool().get('local_tax.payment')
        company = create_municipality()
        ion = create_person("Popescu", "Ion", cnp=CNP)
        maria = create_person("Ionescu", "Maria", cnp=CNP_OTHER)
        statement = (
            "date;amount;fiscal_code;reference;transaction_id\n"
            f"2026-03-20;177,50;{CNP};Impozit clădire;TRZ-1\n"
            f"20.03.2026;50.00;{CNP_OTHER};;TRZ-2\n"
            f"2026-03-20;10;{UNKNOWN_CNP};Necunoscut;TRZ-3\n"
            f"2026-03-20;-5;{CNP};Negativ;TRZ-4\n"
            f"2026-03-20;0;{CNP};Zero;TRZ-5\n"
            f"2026-03-20;177.50;{CNP};Impozit clădire;TRZ-1\n"
            f"2026-03-32;10;{CNP};Dată greșită;TRZ-6\n"
            "\n").encode('utf-8')
        lines = import_statement(company, statement)
        self.assertEqual([(l.number, l.status) for l in lines], [
                (2, 'booked'), (3, 'booked'), (4, 'refused'),
                (5, 'refused'), (6, 'refused'), (7, 'skipped'),
                (8, 'refused')])
        self.assertIn(UNKNOWN_CNP, lines[2].message)
        payments = Payment.search([], order=[('external_id', 'ASC')])
        self.assertEqual(
            [(p.taxpayer, p.amount, p.date, p.channel, p.external_id,
                    p.reference) for p in payments], [
                (ion, D('177.50'), date(2026, 3, 20), 'bank', 'TRZ-1',
                    "Impozit clădire"),
                (maria, D('50'), date(2026, 3, 20), 'bank', 'TRZ-2', None),
                ])
        # imported again: nothing booked twice
        lines = import_statement(company, statement)
        self.assertEqual([l.status for l in lines], [
                'skipped', 'skipped', 'refused', 'refused', 'refused',
                'skipped', 'refused'])
        self.assertEqual(len(Payment.search([])), 2)
        # the same transaction id for another amount is refused
        lines = import_statement(company,
            "date,amount,fiscal_code,transaction_id\n"
            f"2026-03-20,99.00,{CNP},TRZ-1\n")
        self.assertEqual([l.status for l in lines], ['refused'])
        self.assertEqual(len(Payment.search([])), 2)

    @with_transaction()
    def test_bank_statement_bad_file(self):
        "A file not in UTF-8, without a column or a line is refused whole"
        company = create_municipality()
        for data in [
                "date;amount;fiscal_code;transaction_id\n"
                "2026-03-20;10;ţ;1\n".encode('cp1250'),
                b"date;amount;transaction_id\n2026-03-20;10;1\n",
                b"date;amount;fiscal_code;transaction_id\n",
                b"",
                ]:
            with self.subTest(data=data):
                with self.assertRaises(BankStatementError):
                    import_statement(company, data)

    @with_transaction()
    def test_bank_statement_wizard(self):
        "The wizard shows what was booked and what was not"
        pool = Pool()
        Import = pool.get('local_tax.bank_statement.import', type='wizard')
        company = create_municipality()
        create_person("Popescu", "Ion", cnp=CNP)
        with Transaction().set_context(company=company.id):
            session_id, _, _ = Import.create()
            wizard = Import(session_id)
            wizard.start.company = company
            wizard.start.file = (
                "date;amount;fiscal_code;reference;transaction_id\n"
                f"2026-03-20;100;{CNP};;T-1\n"
                f"2026-03-20;100;RO{UNKNOWN_CUI};;T-2\n").encode()
            self.assertEqual(wizard.transition_import_(), 'result')
            result = wizard.default_result(None)
        self.assertEqual(result['booked'], 1)
        self.assertEqual(result['amount'], D('100'))
        self.assertEqual(result['refused'], 1)
        self.assertEqual(result['skipped'], 0)
        self.assertIn('Line 3', result['report'])

    # Constraints (an IntegrityError aborts the transaction: kept last)

    @with_transaction()
    def test_desk_code_unique(self):
        "Two desks of a municipality never share a code"
        from trytond.exceptions import UserError
        company = create_municipality()
        create_desk(company, 'C1')
        with self.assertRaises(UserError):
            create_desk(company, 'C1')

