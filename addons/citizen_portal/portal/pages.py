# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The portal's public notices, linked from every page's footer: the
privacy policy (Regulation (EU) 2016/679 art. 13: the information given
when personal data are collected) and the accessibility statement
(Directive (EU) 2016/2102 art. 7, transposed by OUG 112/2018, approved by
Legea 90/2019), with the municipality's name and contact."""
import datetime as dt

from flask import Blueprint, g, render_template

from .common import transaction

bp = Blueprint('pages', __name__)
# when the accessibility statement was last reviewed (Directive (EU)
# 2016/2102 art. 7(1): kept up to date)
STATEMENT_DATE = dt.date(2026, 12, 2)


def contact():
    """The municipality's name, address, e-mail and phone, from its party
    (what the back office records for the city hall)"""
    party = g.company.party
    address = party.address_get()
    return {
        'name': g.municipality_name,
        'address': address.full_address.replace('\n', ', ')
        if address and address.full_address else '',
        'email': party.email or '',
        'phone': party.phone or '',
        'cif': getattr(g.company, 'cif', '') or '',
        }


@bp.route('/privacy')
@transaction(readonly=True)
def privacy():
    return render_template('pages/privacy.html', contact=contact())


@bp.route('/accessibility')
@transaction(readonly=True)
def accessibility():
    return render_template('pages/accessibility.html', contact=contact(),
        statement_date=STATEMENT_DATE)


def init_app(app, tryton):
    app.register_blueprint(bp)
