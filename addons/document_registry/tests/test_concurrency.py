# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Many clerks registering at once on PostgreSQL: the numbers of a register
and year stay unique and gapless."""
import threading
import unittest

from trytond import backend
from trytond.pool import Pool
from trytond.modules.municipality.tests import tools
from trytond.tests.test_tryton import DB_NAME, _DBTestCase

WORKERS = 8
DOCUMENTS = 2000


def run_committed(func, context=None, attempts=200):
    "Run func in its own committed transaction as the clerk (user 1)"
    return tools.run_committed(
        DB_NAME, func, user=1, context=context, attempts=attempts)


@unittest.skipIf(backend.name != 'postgresql',
    "needs PostgreSQL: SQLite lets a single writer in at a time, so it "
    "cannot show concurrent registrations (scripts/test runs this on "
    "PostgreSQL)")
class ConcurrentRegistrationTestCase(_DBTestCase):
    "Concurrent registration on PostgreSQL"
    module = 'document_registry'

    def setup_registry(self):
        from trytond.modules.municipality.tests.tools import (
            create_municipality, create_person)

        from .tools import create_registry

        def setup():
            company = create_municipality()
            register = create_registry(company)
            person = create_person("Popescu", "Ion")
            return company.id, register.id, person.id
        return run_committed(setup)

    def test_8_workers_2000_documents_gapless(self):
        "8 clerks register 2 000 documents: numbers unique and gapless"
        company, register, person = self.setup_registry()
        numbers, errors = [], []
        lock = threading.Lock()

        def register_one(index):
            Document = Pool().get('document_registry.document')
            document = Document(
                company=company, registry=register, issuer=person,
                direction='incoming', channel='post',
                summary=f"Sesizarea {index}")
            document.save()
            Document.register([document])
            return document.number_int, document.year

        def worker(start):
            try:
                for index in range(start, DOCUMENTS, WORKERS):
                    result = run_committed(
                        lambda: register_one(index),
                        context={'company': company})
                    with lock:
                        numbers.append(result)
            except Exception as exception:      # reported by the test
                with lock:
                    errors.append(exception)

        threads = [threading.Thread(target=worker, args=(i,))
            for i in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])

        def stored():
            Document = Pool().get('document_registry.document')
            return [(d.number_int, d.year) for d in Document.search([
                        ('registry', '=', register),
                        ], order=[('number_int', 'ASC')])]
        rows = run_committed(stored)
        year = rows[0][1]
        self.assertEqual({y for _, y in rows}, {year})
        self.assertEqual(
            sorted(n for n, _ in rows), list(range(1, DOCUMENTS + 1)))
        self.assertEqual(sorted(numbers), sorted(rows))
del _DBTestCase
