# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.modules.company.tests import CompanyTestMixin, set_company
from trytond.modules.municipality.tests.tools import (
    create_municipality, create_person)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from .tools import create_registry, new_document, register_on


class DocumentRegistryTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Document Registry module"
    module = 'document_registry'

    @property
    def _skip_company_rule(self):
        return super()._skip_company_rule | {
            ('municipality.locality', 'municipality'),
            ('document_registry.document_type', 'company'),
            }

    @with_transaction()
    def test_register_numbers(self):
        "Registration gives consecutive numbers"
        company = create_municipality()
        with set_company(company):
            register = create_registry(company)
            person = create_person("Popescu", "Ion")
            docs = [new_document(company, register, person)
                for _ in range(3)]
            Pool().get('document_registry.document').save(docs)
            register_on(docs, dt.date(2025, 3, 3))
            self.assertEqual([d.number for d in docs], ['1', '2', '3'])


del ModuleTestCase
