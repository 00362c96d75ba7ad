# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The infokiosk: a touch screen in the city hall's hall.  No login: the
taxpayer is identified by the CNP/CUI and the payment reference of a tax
decision (typed on the numeric keypad or read from the decision's barcode),
sees only what is due, pays by card through Ghișeul.ro (channel 'kiosk'), prints the
receipt and the kiosk goes back to its start.

The kiosk's state lives in the session under KEY and expires after
KIOSK_IDLE_SECONDS without a request (the page's script goes to /kiosk/reset
at the same time).

The kiosk answers only the devices of the hall: an address of
KIOSK_NETWORKS, or a device that sends KIOSK_DEVICE_SECRET (cookie
op_kiosk_device or header X-Kiosk-Device, set once by an administrator);
anybody else gets 404."""
import ipaddress
import secrets
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import (
    Blueprint, abort, current_app, redirect, render_template, request,
    session, url_for)

from trytond.exceptions import UserError

from .common import rate_limit, rollback, transaction
from .i18n import gettext as _
from .forms import FormErrors
from .pay import (
    SESSION_TOKENS, due_on, find_due, lookup_errors, payable, pdf_response,
    receipt_filename, receipt_pdf, returned_token, settle, start_payment,
    transaction_of, to_card_page)
from .security import SESSION_SECRETS

bp = Blueprint('kiosk', __name__, url_prefix='/kiosk')
KEY = 'kiosk'


def reset():
    session.pop(KEY, None)
    session.pop(SESSION_TOKENS, None)
    session.pop(SESSION_SECRETS, None)


DEVICE_COOKIE = 'op_kiosk_device'
DEVICE_HEADER = 'X-Kiosk-Device'


def kiosk_networks():
    return [ipaddress.ip_network(n, strict=False)
        for n in current_app.config.get('KIOSK_NETWORKS') or []]


def is_kiosk():
    "The request comes from a kiosk of the city hall"
    secret = current_app.config.get('KIOSK_DEVICE_SECRET')
    if secret:
        sent = (request.headers.get(DEVICE_HEADER)
            or request.cookies.get(DEVICE_COOKIE) or '')
        if secrets.compare_digest(sent.encode(), secret.encode()):
            return True
    try:
        address = ipaddress.ip_address(request.remote_addr or '')
    except ValueError:
        return False
    return any(address in network for network in kiosk_networks())


@bp.before_request
def kiosk_only():
    if not is_kiosk():
        abort(404)


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
    errors = lookup_errors(form)
    if errors:
        return render('kiosk/start.html', 422, form=form, errors=errors)
    found = find_due(form.get('reference'), form.get('code'))
    if not found:
        return render('kiosk/start.html', 404, form={},
            errors=FormErrors().general(_("We found nothing to pay for "
                    "this payment reference and CNP/CUI. Check both and try "
                    "again.")))
    state = session.get(KEY) or {}
    state['assessment'] = found[0].id
    session[KEY] = state
    return redirect(url_for('kiosk.due'))


def current_due():
    "(decision, taxpayer, Payable) of the decision identified, or None"
    return due_on((session.get(KEY) or {}).get('assessment'))


@bp.route('/due', methods=['GET', 'POST'])
@transaction()
def due():
    """What is due on the decision, each obligation with its box (all
    ticked at first): the total of the boxes ticked is shown before it is
    paid, as on the portal's pay page"""
    found = current_due()
    if not found:
        return redirect(url_for('kiosk.start'))
    assessment, taxpayer, every = found
    chosen = chosen_lines(every)
    if chosen == []:
        return nothing_ticked(every)
    due = payable(taxpayer, chosen) if chosen else every
    return render('kiosk/due.html', every=every, due=due,
        chosen={o.id for o in (chosen or every.obligations)})


def nothing_ticked(every):
    return render('kiosk/due.html', 422, every=every, due=every,
        chosen=set(), errors=FormErrors().general(_(
                "Tick at least one obligation to pay.")))


def chosen_lines(every):
    """The obligations of the boxes ticked, among those of the decision
    (anything else: 404); None for all of them"""
    values = request.values.getlist('obligations')
    if not values and request.method == 'GET':
        return None
    allowed = {o.id: o for o in every.obligations}
    chosen = []
    for value in values:
        if not value.isdigit() or int(value) not in allowed:
            abort(404)
        chosen.append(allowed[int(value)])
    return chosen


@bp.route('/pay', methods=['POST'])
@transaction()
def pay():
    found = current_due()
    if not found:
        return redirect(url_for('kiosk.start'))
    assessment, taxpayer, every = found
    chosen = chosen_lines(every)
    if not chosen:
        return nothing_ticked(every)
    due = payable(taxpayer, chosen)
    shown = {int(i) for i in request.form.get('shown', '').split(',')
        if i.isdigit()}
    if shown != {o.id for o in chosen}:
        # other boxes than those of the total on the button: their total
        return render('kiosk/due.html', every=every, due=due,
            chosen={o.id for o in chosen})
    try:
        started = start_payment(taxpayer, due, 'kiosk.back', channel='kiosk')
    except UserError as exception:
        rollback()
        return render('kiosk/due.html', 422, every=every, due=due,
            chosen={o.id for o in chosen},
            errors=FormErrors().general(exception.message))
    if started.state == 'pending' and started.redirect_url:
        started.redirect_url = with_keypad(started.redirect_url)
    return to_card_page(started, 'kiosk.back')


def with_keypad(url):
    """The card page of Ghișeul.ro with its on-screen keypad (keypad=1:
    our emulator's; to be agreed with Ghișeul.ro for the real one)"""
    parts = urlsplit(url)
    query = parse_qsl(parts.query) + [('keypad', '1')]
    return urlunsplit(parts._replace(query=urlencode(query)))


def returned():
    return transaction_of(returned_token('kiosk.back'), channel='kiosk')


@bp.route('/return')
@transaction(readonly=False)
def back():
    paid = settle(returned())
    return render('kiosk/result.html', paid=paid)


@bp.route('/receipt')
@transaction()
def receipt():
    "The receipt, print-friendly"
    paid = returned()
    if not paid.receipt:
        abort(404)
    return render('kiosk/receipt.html', paid=paid, receipt=paid.receipt)


@bp.route('/receipt.pdf')
@transaction()
def receipt_file():
    paid = returned()
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
