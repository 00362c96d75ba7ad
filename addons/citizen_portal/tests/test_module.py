# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import secrets

from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class CitizenPortalTestCase(ModuleTestCase):
    "Test the citizen_portal module: views, fields, access, XML data"
    module = 'citizen_portal'

    @with_transaction()
    def test_throttle_counts_to_the_limit(self):
        "A rate limit lets the limit through, then refuses; a refund uncounts"
        Throttle = Pool().get('citizen_portal.throttle')
        client = secrets.token_hex(8)
        self.assertEqual(
            [Throttle.hit('test', client, 3, 600) for _ in range(3)],
            [True] * 3)
        Throttle.refund('test', client)
        self.assertEqual(
            [Throttle.hit('test', client, 3, 600) for _ in range(3)],
            [True, False, False])
        # another client, another count
        self.assertTrue(Throttle.hit('test', secrets.token_hex(8), 3, 600))
        # the period over: counted from one again
        self.assertTrue(Throttle.hit('test', client, 3, 0))

del ModuleTestCase
