# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every view of the portal is public (on the list below, reviewed with
it) or behind the login and the scope of portal/scope.py; anonymous and
standard accounts are turned away from the scoped ones."""
from .tools import PortalTestCase

# Views that show nothing of a citizen's file: the account's own pages
# before the login, the catalogue, the public tracking and verification,
# paying with a decision number (the payment found by the session's token),
# the kiosk.  A new public view must be added here, deliberately.
PUBLIC = {
    'static',
    'account.home', 'account.register', 'account.confirm', 'account.login',
    'account.logout', 'account.reset', 'account.reset_confirm',
    'requests.service_list', 'requests.track',
    'documents.verify', 'documents.verify_download',
    'pay.lookup', 'pay.lookup_pay', 'pay.back', 'pay.receipt',
    'kiosk.start', 'kiosk.due', 'kiosk.pay', 'kiosk.back', 'kiosk.receipt',
    'kiosk.receipt_file', 'kiosk.reset_view',
    'pages.privacy', 'pages.accessibility',
    }
LEVELS = {'standard', 'validated'}


def sample_path(rule):
    "A path of the rule with made-up values for its arguments"
    return rule.build({name: 1 for name in rule.arguments},
        append_unknown=False)[1]


class ScopeTestCase(PortalTestCase):
    "Test that no view of the portal escapes the scope"

    def rules(self):
        return list(self.app.url_map.iter_rules())

    def test_every_view_public_or_scoped(self):
        "Each endpoint of the url_map: on the public list, or login + scope"
        endpoints = {rule.endpoint for rule in self.rules()}
        self.assertFalse(PUBLIC - endpoints, "stale names on the list")
        for endpoint in sorted(endpoints):
            view = self.app.view_functions[endpoint]
            scope = getattr(view, 'portal_scope', None)
            with self.subTest(endpoint=endpoint):
                if endpoint in PUBLIC:
                    self.assertIsNone(scope, "public and scoped")
                    continue
                self.assertIn(scope, LEVELS, "neither public nor scoped")
                self.assertEqual(
                    getattr(view, 'portal_login', None), scope,
                    "the scope without its login")

    def test_scoped_views_turn_away(self):
        """Anonymous: to the login; a standard account: to the validation
        from the views of a validated one"""
        standard, _, _ = self.citizen(known=False)
        for rule in self.rules():
            view = self.app.view_functions[rule.endpoint]
            level = getattr(view, 'portal_scope', None)
            if not level or 'GET' not in rule.methods:
                continue
            path = sample_path(rule)
            with self.subTest(path=path):
                response = self.client().get(path)
                self.assertEqual(response.status_code, 302)
                self.assertIn('/login', response.headers['Location'])
                if level == 'validated':
                    response = standard.get(path)
                    self.assertEqual(response.status_code, 302)
                    self.assertIn('/account/validation',
                        response.headers['Location'])
