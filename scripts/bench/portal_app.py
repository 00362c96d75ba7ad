# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The portal as served for the benchmark (gunicorn portal_app:app), with a
bare Flask endpoint in the same application and process setup: the
reference of scripts/bench/portal's ratio."""
from trytond.modules.citizen_portal.portal import create_app

app = create_app()


@app.route('/bench/bare')
def bare():
    return 'ok'
