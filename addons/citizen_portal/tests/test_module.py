# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.tests.test_tryton import ModuleTestCase


class CitizenPortalTestCase(ModuleTestCase):
    "Test the citizen_portal module: views, fields, access, XML data"
    module = 'citizen_portal'


del ModuleTestCase
