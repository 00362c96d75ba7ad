# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The infokiosk: a touch screen in the city hall's hall.  No login: the
taxpayer is identified by the CNP/CUI and the number of a tax decision (typed
on the numeric keypad or read from the decision's barcode), sees only what
is due, pays by card through Ghișeul.ro (channel 'kiosk'), prints the
receipt and the kiosk goes back to its start.

The kiosk's state lives in the session under KEY and expires after
KIOSK_IDLE_SECONDS without a request (the page's script goes to /kiosk/reset
at the same time)."""
import time

from flask import (
    Blueprint, abort, current_app, redirect, render_template, request,
    session, url_for)

from trytond.exceptions import UserError

from .common import rate_limit, rollback, transaction
from .i18n import gettext as _
from .pay import (
    SESSION_TOKENS, due_on, find_due, pdf_response, receipt_filename,
    receipt_pdf, settle, start_payment, transaction_of, to_card_page)

bp = Blueprint('kiosk', __name__, url_prefix='/kiosk')
KEY = 'kiosk'


def reset():
    session.pop(KEY, None)
    session.pop(SESSION_TOKENS, None)


@bp.before_request
def expire():
    "Server-side expiry of an idle kiosk session"
    now = time.time()
    state = session.get(KEY)
    idle = current_app.config['KIOSK_IDLE_SECONDS']
    if state and now - state.get('seen', 0) > idle:
        reset()
        if request.endpoint not in {'kiosk.start', 'kiosk.reset_view'}:
            return redirect(url_for('kiosk.start'))
    state = session.get(KEY) or {}
    state['seen'] = now
    session[KEY] = state


def render(template, status=200, **values):
    values.setdefault('idle', current_app.config['KIOSK_IDLE_SECONDS'])
    return render_template(template, **values), status


@bp.route('', methods=['GET', 'POST'])
@transaction()
@rate_limit('kiosk-lookup')
def start():
    if request.method == 'GET':
        return render('kiosk/start.html', form={})
    form = request.form
    number = (form.get('number') or '').strip()
    found = find_due(number, form.get('code'))
    if not found:
        return render('kiosk/start.html', 404, form={'number': number},
            errors=[_("We found nothing to pay for this decision number "
                    "and CNP/CUI. Check both and try again.")])
    state = session.get(KEY) or {}
    state['assessment'] = found[0].id
    session[KEY] = state
    return redirect(url_for('kiosk.due'))


def current_due():
    "(decision, taxpayer, Payable) of the decision identified, or None"
    return due_on((session.get(KEY) or {}).get('assessment'))


@bp.route('/due')
@transaction()
def due():
    found = current_due()
    if not found:
        return redirect(url_for('kiosk.start'))
    return render('kiosk/due.html', due=found[2])


@bp.route('/pay', methods=['POST'])
@transaction()
def pay():
    found = current_due()
    if not found:
        return redirect(url_for('kiosk.start'))
    assessment, taxpayer, due = found
    try:
        started = start_payment(taxpayer, due, 'kiosk.back', channel='kiosk')
    except UserError as exception:
        rollback()
        return render('kiosk/due.html', 422, due=due,
            errors=[exception.message])
    return to_card_page(started, 'kiosk.back')


@bp.route('/return/<token>')
@transaction(readonly=False)
def back(token):
    paid = settle(transaction_of(token, channel='kiosk'))
    return render('kiosk/result.html', paid=paid)


@bp.route('/receipt/<token>')
@transaction()
def receipt(token):
    "The receipt, print-friendly"
    paid = transaction_of(token, channel='kiosk')
    if not paid.receipt:
        abort(404)
    return render('kiosk/receipt.html', paid=paid, receipt=paid.receipt)


@bp.route('/receipt/<token>.pdf')
@transaction()
def receipt_file(token):
    paid = transaction_of(token, channel='kiosk')
    if not paid.receipt:
        abort(404)
    return pdf_response(receipt_pdf(paid.receipt),
        receipt_filename(paid.receipt))


@bp.route('/reset')
def reset_view():
    reset()
    return redirect(url_for('kiosk.start'))


def init_app(app, tryton):
    app.register_blueprint(bp)
