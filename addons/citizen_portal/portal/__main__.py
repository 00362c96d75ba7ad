# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Serve the citizen portal with werkzeug's threaded server (demo and tests).

    python -m trytond.modules.citizen_portal.portal -c trytond.conf \\
        -d DATABASE [--company ID] [--host 127.0.0.1] [--port 8001]

In production run the factory under a WSGI server, e.g.
    gunicorn -w 4 --threads 8 \\
        'trytond.modules.citizen_portal.portal:create_app()'
with the settings in the environment (see create_app)."""
import argparse
import os

from werkzeug.serving import run_simple


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
        use_reloader=False, use_debugger=False)


if __name__ == '__main__':
    main()
