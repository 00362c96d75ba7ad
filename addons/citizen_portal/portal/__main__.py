# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Serve the citizen portal with werkzeug's threaded server (demo and tests).

    python -m trytond.modules.citizen_portal.portal -c trytond.conf \\
        -d DATABASE [--company ID] [--host 127.0.0.1] [--port 8001]

In production run the factory under a WSGI server, e.g.
    gunicorn -w 4 --threads 8 \\
        --access-logformat '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s' \\
        'trytond.modules.citizen_portal.portal:create_app()'
with the settings in the environment (see create_app), and an access log
format without the query string (%(U)s, no Referer), as docs/deployment.md
shows."""
import argparse
import os
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler, run_simple


class AccessLogHandler(WSGIRequestHandler):
    """werkzeug's access log without the query string: links may carry
    secrets (tokens, verification codes), and a log is read by many"""

    def log_request(self, code='-', size='-'):
        path = self.path
        self.path = urlsplit(path).path
        try:
            super().log_request(code, size)
        finally:
            self.path = path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--company', type=int)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8001)
    args = parser.parse_args()
    os.environ.setdefault('TRYTOND_CONFIG', args.config)
    from . import create_app
    app = create_app(args.database, args.config, company=args.company)
    run_simple(args.host, args.port, app, threaded=True,
        use_reloader=False, use_debugger=False,
        request_handler=AccessLogHandler)


if __name__ == '__main__':
    main()
