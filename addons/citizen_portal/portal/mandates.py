# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Persons I represent: the mandates of the account (citizen_portal.mandate)
— request one with its proof, follow its state, show the taxes of a
represented party."""
import datetime as dt

from flask import (
    Blueprint, Response, abort, flash, g, redirect, render_template,
    request, url_for)

from trytond.exceptions import UserError

from . import scope
from .common import add_menu, get, rate_limit, rollback, today, transaction
from .forms import FormErrors, check_code
from .i18n import gettext as _

bp = Blueprint('mandates', __name__)


@bp.route('/mandates')
@transaction(readonly=True)
@scope.scoped('validated')
def index():
    mandates = scope.mandates()
    date = today()
    return render_template('taxes/mandates.html', mandates=mandates,
        active={m.id for m in mandates if in_force(m, date)})


@bp.route('/mandates/new', methods=['GET', 'POST'])
@transaction()
@scope.scoped('validated')
@rate_limit('mandate-request')
def new():
    Mandate = get('citizen_portal.mandate')
    if request.method == 'GET':
        return render_template('taxes/mandate_new.html', form={},
            kinds=kinds())
    form = request.form
    errors = FormErrors()
    problem = check_code(form.get('code'))
    if problem:
        errors.add('code', problem)
    if not (form.get('valid_from') or '').strip():
        errors.add('valid_from', _("Enter the date the mandate is valid "
                "from."))
    valid_from = parse_date(form.get('valid_from'), errors, 'valid_from')
    valid_until = parse_date(form.get('valid_until'), errors, 'valid_until')
    upload = request.files.get('proof')
    if not upload or not upload.filename:
        errors.add('proof', _("Attach the proof of the mandate (PDF)."))
    if not errors:
        try:
            Mandate.request(g.user, form.get('code'), form.get('kind'),
                upload.filename if upload else None,
                upload.read() if upload else None,
                valid_from, valid_until, last_name=form.get('last_name'),
                first_name=form.get('first_name'))
        except UserError as exception:
            rollback()
            errors.general(exception.message)
    if errors:
        return render_template('taxes/mandate_new.html', form=form,
            kinds=kinds(), errors=errors), 422
    flash(_("Your request was sent. A clerk will check the proof; you will "
            "see the taxes of the person or company once it is approved."))
    return redirect(url_for('mandates.index'))


@bp.route('/mandates/<int:mandate_id>/proof')
@transaction(readonly=True)
@scope.scoped('validated')
def proof(mandate_id):
    mandates = scope.mandates([('id', '=', mandate_id)], limit=1)
    if not mandates or not mandates[0].proof:
        abort(404)
    return Response(bytes(mandates[0].proof), mimetype='application/pdf',
        headers={'Content-Disposition':
            f'attachment; filename="mandat-{mandate_id}.pdf"'})


def in_force(mandate, date):
    return (mandate.state == 'approved' and mandate.valid_from <= date
        and (not mandate.valid_until or mandate.valid_until >= date))


def kinds():
    "The kinds of mandate, translated by Tryton in the page's language"
    Mandate = get('citizen_portal.mandate')
    return Mandate.fields_get(['kind'])['kind']['selection']


def parse_date(value, errors, field):
    value = (value or '').strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.add(field, _("The date %(value)s is not valid: write it as "
                "YYYY-MM-DD.", value=value))


def init_app(app, tryton):
    from .security import N_
    app.register_blueprint(bp)
    add_menu(app, 'mandates.index', N_("Persons I represent"),
        N_("Act for another person or a company under a mandate approved "
            "by the city hall"), audience='validated', order=60)
