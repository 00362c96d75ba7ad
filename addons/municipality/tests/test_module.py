# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class MunicipalityTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Municipality module"
    module = 'municipality'

    @property
    def _skip_company_rule(self):
        # Localities are the national SIRUTA nomenclature, shared by all the
        # municipalities of an installation.
        return super()._skip_company_rule | {
            ('municipality.locality', 'municipality'),
            }


del ModuleTestCase
