# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Concurrent confirmations of one online payment (PostgreSQL only).

Ghișeul.ro may confirm a payment several times, from several server
processes at once.  Each confirmation here is a thread with its own
connection and transaction, committed like a request of the dispatcher
(restarted when a lock asks for it, retried when the database refuses a
lock for now).  The taxpayer's lock, the unique constraint (company,
channel, external_id) and the retry must leave exactly one payment and one
set of allocations, and every confirmation must answer with that payment.

The threads need committed data: the test works in a copy of the test
database made for it, dropped at the end, so the other tests keep their
empty database."""
import datetime as dt
import threading
import unittest
from decimal import Decimal

from trytond import backend
from trytond.modules.municipality.tests.tools import (
    committed_copy, run_committed)
from trytond.pool import Pool
from trytond.tests.test_tryton import CONTEXT, USER, activate_module

CONFIRMATIONS = 6
EXTERNAL_ID = 'GH-2026-CONCURRENT'
AMOUNT = Decimal('177.50')
PAID_ON = dt.date(2026, 3, 20)


@unittest.skipIf(backend.name != 'postgresql',
    "needs PostgreSQL: concurrent transactions on separate connections "
    "(an SQLite test database is one in-memory connection); run it with "
    "scripts/test")
class ConcurrencyTestCase(unittest.TestCase):
    "Test concurrent confirmations of one online payment"

    @classmethod
    def setUpClass(cls):
        activate_module('local_tax')
        cls.database = committed_copy(cls, 'concurrency')

    def run_committed(self, func):
        "Run func in a committed transaction of its own, as the dispatcher"
        return run_committed(self.database, func, USER, CONTEXT)

    def setup_taxpayer(self):
        "A 2026 decision of 355 lei for an apartment, committed"
        from trytond.modules.municipality.tests.tools import (
            create_person, own)

        from .test_fiscal import assess, setup_2026
        from .test_module import create_apartment

        def setup():
            company = setup_2026()
            owner = create_person("Popescu", "Ion")
            own(create_apartment(company), owner)
            assess(company)
            return company.id, owner.id
        return self.run_committed(setup)

    def test_same_payment_confirmed_concurrently(self):
        "Confirmed by 6 threads at once: one payment, one set of allocations"
        company_id, owner_id = self.setup_taxpayer()
        start = threading.Barrier(CONFIRMATIONS)
        answers, errors = [None] * CONFIRMATIONS, []

        def confirm():
            pool = Pool()
            Payment = pool.get('local_tax.payment')
            company = pool.get('company.company')(company_id)
            owner = pool.get('party.party')(owner_id)
            return Payment.receive(company, owner, AMOUNT, PAID_ON,
                'ghiseul', external_id=EXTERNAL_ID).id

        def thread(index):
            try:
                start.wait(timeout=60)
                answers[index] = self.run_committed(confirm)
            except Exception as exception:
                errors.append(exception)

        threads = [threading.Thread(target=thread, args=(i,))
            for i in range(CONFIRMATIONS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        self.assertFalse(any(t.is_alive() for t in threads))
        self.assertEqual(errors, [])

        def booked():
            pool = Pool()
            Payment = pool.get('local_tax.payment')
            Allocation = pool.get('local_tax.payment.allocation')
            Obligation = pool.get('local_tax.obligation')
            payments = Payment.search([])
            allocations = Allocation.search([])
            paid = Obligation.search([('taxpayer', '=', owner_id)])
            return ([(p.id, p.external_id, p.amount) for p in payments],
                [(a.payment.id, a.obligation.id, a.amount)
                    for a in allocations],
                {o.description: o.balance for o in paid})
        payments, allocations, balances = self.run_committed(booked)
        (payment_id, external_id, amount), = payments
        self.assertEqual((external_id, amount), (EXTERNAL_ID, AMOUNT))
        # every confirmation answered with the one payment
        self.assertEqual(answers, [payment_id] * CONFIRMATIONS)
        # one set of allocations: the first instalment, paid once
        self.assertEqual(
            allocations, [(payment_id, allocations[0][1], AMOUNT)])
        self.assertEqual(
            balances['Building Tax 2026, instalment 1'], Decimal('0'))
        self.assertEqual(
            balances['Building Tax 2026, instalment 2'], AMOUNT)
