# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The response headers of every route, and the secrets of links kept out
of the URLs and of the access log."""
import io
import logging
import re
import threading
import urllib.request

from .tools import PortalTestCase

HEADERS = {
    'Content-Security-Policy': "default-src 'self'",
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'Permissions-Policy': 'camera=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Strict-Transport-Security': 'max-age=',
    }


class SecurityTestCase(PortalTestCase):
    "Test the security headers and the secrets of links"

    def assertHeaders(self, response, what):
        for name, value in HEADERS.items():
            self.assertIn(value, response.headers.get(name, ''),
                f"{name} of {what} ({response.status_code})")

    def test_headers_on_every_route(self):
        "Every route of the url_map, any status, errors and static files"
        client = self.client()
        paths = []
        for rule in self.app.url_map.iter_rules():
            values = {a: 1 if type(rule._converters.get(a)).__name__
                == 'IntegerConverter' else 'x' for a in rule.arguments}
            if rule.endpoint == 'static':
                values = {'filename': 'portal.css'}
            paths.append((rule.endpoint,
                    rule.build(values, append_unknown=False)[1]))
        paths += [('unknown', '/no-such-page'),
            ('static-missing', '/static/missing.css')]
        self.assertGreater(len(paths), 30)
        seen = set()
        for endpoint, path in paths:
            for method in ['get', 'post']:
                with self.subTest(endpoint=endpoint, method=method):
                    response = getattr(client, method)(
                        path, base_url='https://portal.test')
                    seen.add(response.status_code)
                    self.assertHeaders(response, f'{method} {path}')
        self.assertTrue({200, 302, 403, 404, 405} <= seen, seen)
        # plain http (behind no proxy): no HSTS, the rest all the same
        response = self.app.test_client().get(
            '/login', base_url='http://portal.test')
        self.assertNotIn('Strict-Transport-Security', response.headers)
        self.assertIn('Cross-Origin-Opener-Policy', response.headers)

    def test_link_secrets_leave_the_address(self):
        "A token or code in a link: into the session, the same path without"
        client = self.client()
        for path, clean in [
                ('/confirm?token=SECRET1', '/confirm'),
                ('/reset/confirm?token=SECRET2&email=a%40b.ro',
                    '/reset/confirm'),
                ('/verify?number=1&code=SECRET3', '/verify'),
                ('/verify?code=SECRET3&lang=hu', '/verify?lang=hu'),
                ('/pay/return?token=SECRET4', '/pay/return'),
                ]:
            with self.subTest(path=path):
                response = client.get(path)
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response.headers['Location'], clean)
        page = client.get('/reset/confirm').get_data(as_text=True)
        self.assertIn('value="SECRET2"', page)

    def test_access_log_without_query(self):
        "The access log of the portal's server keeps no query string"
        from werkzeug.serving import make_server

        from ..portal.__main__ import AccessLogHandler
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        logger = logging.getLogger('werkzeug')
        logger.addHandler(handler)
        saved = logger.level
        logger.setLevel(logging.INFO)
        self.addCleanup(logger.setLevel, saved)
        self.addCleanup(logger.removeHandler, handler)
        server = make_server('127.0.0.1', 0, self.app, threaded=True,
            request_handler=AccessLogHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        url = f'http://127.0.0.1:{server.server_port}'
        for path in ['/verify?number=42&code=LOGSECRET',
                '/confirm?token=LOGTOKEN', '/login?next=/taxes']:
            try:
                urllib.request.urlopen(url + path, timeout=30).read()
            except urllib.error.HTTPError:
                pass
        # without the colours of a terminal
        text = re.sub(r'\x1b\[[0-9;]*m', '', stream.getvalue())
        self.assertIn('"GET /verify HTTP/1.1" 302', text)
        self.assertIn('"GET /login HTTP/1.1" 200', text)
        for secret in ['LOGSECRET', 'LOGTOKEN', 'number=', 'next=']:
            self.assertNotIn(secret, text)
