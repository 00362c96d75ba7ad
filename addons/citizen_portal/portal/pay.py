# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Paying through Ghișeul.ro: what is due (local_tax.payment.payable),
the card payment started by ghiseul.transaction, the return from the card
page and the receipt.

A payment is booked by ghiseul.transaction.confirm exactly once, whether the
notification of Ghișeul.ro or the status poll of the return page comes
first.  A transaction is reached by its token only from the browser session
that started it, or by the logged-in citizen who may act for its taxpayer;
anybody else gets 404."""
import hmac
import re
from types import SimpleNamespace

from flask import (
    Blueprint, abort, current_app, g, redirect, render_template, request,
    session, url_for)

from werkzeug.exceptions import ServiceUnavailable

from trytond import backend
from trytond.exceptions import UserError
from trytond.transaction import Transaction

from . import scope
from .common import (
    add_menu, get, pool, rate_limit, render_detached, rollback, transaction)
from .forms import FormErrors, check_code
from .i18n import gettext as _
from .security import N_, store_url_secrets, url_secret

bp = Blueprint('pay', __name__)
SESSION_TOKENS = 'pay_tokens'
MAX_TOKENS = 20


def today():
    return get('ir.date').today()


def payable(party, obligations=None):
    "What the party pays today for the obligations (all when None)"
    FiscalFile = get('local_tax.fiscal_file')
    return FiscalFile.payable(g.company, party, today(), obligations)


def normalize_code(code):
    "A CNP/CUI as typed: spaces and the RO prefix do not matter"
    code = re.sub(r'\s', '', code or '').upper()
    if code.startswith('RO'):
        code = code[2:]
    return code


def normalize_reference(reference):
    "A payment reference as typed: spaces and dashes do not matter"
    return re.sub(r'[\s-]', '', reference or '')


def check_lookup_limits(code, reference):
    """Besides the address, every lookup of a decision counts against the
    CNP/CUI and the payment reference typed, whatever the address (the
    portal and the kiosk together): guessing for one taxpayer from many
    addresses is stopped too.  The CNP is keyed by an HMAC with the
    portal's secret key: the throttle table does not tell which CNPs were
    looked up."""
    Throttle = get('citizen_portal.throttle')
    secret = str(current_app.config['SECRET_KEY']).encode()
    for bucket, value in [
            ('decision-lookup-code', normalize_code(code)),
            ('decision-lookup-reference', normalize_reference(reference)),
            ]:
        if value and len(value) <= 40:
            limit, period = current_app.config['RATE_LIMITS'][bucket]
            key = hmac.new(secret, value.encode(), 'sha256').hexdigest()
            if not Throttle.hit(bucket, key, limit, period):
                abort(429)


def find_due(reference, code):
    """The tax decision of the payment reference (printed on it, random:
    the sequential number cannot be guessed from) whose taxpayer has the
    CNP/CUI, when something is due on it: (decision, taxpayer, Payable);
    None otherwise (unknown reference, other code, nothing due: the same
    answer)"""
    Assessment = get('local_tax.assessment')
    reference = normalize_reference(reference)
    code = normalize_code(code)
    check_lookup_limits(code, reference)
    if not reference.isdigit() or not code.isdigit() or len(reference) > 40:
        return None
    assessments = Assessment.search([
            ('company', '=', g.company.id),
            ('payment_reference', '=', reference),
            ], limit=1)
    for assessment in assessments:
        if assessment.taxpayer.fiscal_code == code:
            return due_on(assessment.id)
    return None


def due_on(assessment_id):
    """What is due on the tax decision of the id (kept in the session
    instead of the CNP): (decision, taxpayer, Payable) or None"""
    Assessment = get('local_tax.assessment')
    assessments = Assessment.search([
            ('company', '=', g.company.id),
            ('id', '=', assessment_id or -1),
            ], limit=1)
    if not assessments:
        return None
    assessment, = assessments
    obligations = [o for o in assessment.obligations if o.state == 'posted']
    if not obligations:
        return None
    due = payable(assessment.taxpayer, obligations)
    if due.to_pay <= 0:
        return None
    return assessment, assessment.taxpayer, due


def remember(token):
    "The transactions this browser session started"
    tokens = [t for t in session.get(SESSION_TOKENS, []) if t != token]
    session[SESSION_TOKENS] = (tokens + [token])[-MAX_TOKENS:]


def start_payment(taxpayer, due, return_endpoint, channel='ghiseul'):
    """Start the card payment of due (a Payable) and return the
    ghiseul.transaction (pending with its redirect_url, or failed)"""
    Transaction_ = get('ghiseul.transaction')
    base = current_app.config.get('PORTAL_URL', '').rstrip('/')
    path = url_for(return_endpoint, token='TOKEN').replace('TOKEN', '{token}')
    return_url = base + path if base else request.host_url.rstrip('/') + path
    transaction = Transaction_.start(
        g.company, taxpayer, due.to_pay, return_url,
        obligations=due.obligations, channel=channel, due=due)
    if g.get('user') and channel != 'kiosk':
        # the account is told by e-mail once the payment is booked
        Transaction_.write([transaction], {'web_user': g.user.id})
    remember(transaction.token)
    return transaction


def transaction_of(token, channel=None):
    """The ghiseul.transaction of the token if this session started it or
    the logged-in citizen may act for its taxpayer; else 404"""
    Transaction_ = get('ghiseul.transaction')
    if not token or len(token) > 64:
        abort(404)
    transactions = Transaction_.search([
            ('company', '=', g.company.id),
            ('token', '=', token),
            ('initiated_by', '=', 'institution'),
            ], limit=1)
    if not transactions:
        abort(404)
    transaction, = transactions
    if channel and transaction.channel != channel:
        abort(404)
    if token in session.get(SESSION_TOKENS, []):
        return transaction
    if g.get('user') and transaction.taxpayer in scope.parties(scope.DUE):
        return transaction
    abort(404)


def settle(transaction):
    """Ask Ghișeul.ro when the notification has not come yet: booked once
    by whichever comes first"""
    if transaction.state == 'pending':
        Transaction_ = get('ghiseul.transaction')
        Transaction_.refresh([transaction])
        transaction = Transaction_(transaction.id)
    return transaction


def receipt_pdf(receipt):
    "The PDF of the receipt (LibreOffice), rendered as the back office"
    Report = pool().get('local_tax.receipt', type='report')
    with Transaction().set_user(0), Transaction().set_context(
            company=receipt.company.id):
        oext, content, *_ = Report.execute([receipt.id], {
                'model': 'local_tax.receipt', 'id': receipt.id,
                'ids': [receipt.id]})
    if oext != 'pdf':
        abort(500)
    return bytes(content)


def pdf_response(data, filename):
    response = current_app.response_class(data, mimetype='application/pdf')
    response.headers['Content-Disposition'] = (
        f'attachment; filename="{filename}"')
    response.headers['Cache-Control'] = 'no-store'
    return response


def receipt_filename(receipt):
    return 'chitanta-%s.pdf' % re.sub(r'[^A-Za-z0-9]+', '-',
        f'{receipt.series}-{receipt.number}')


def chosen_obligations(party, values):
    "The open obligations of the ids given, of the party; else 404"
    Obligation = get('local_tax.obligation')
    ids = []
    for value in values:
        for part in value.split(','):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                abort(404)
            ids.append(int(part))
    if not ids:
        return None
    obligations = Obligation.search([
            ('id', 'in', ids),
            ('company', '=', g.company.id),
            ('taxpayer', '=', party.id),
            ('state', '=', 'posted'),
            ])
    if len(obligations) != len(set(ids)):
        abort(404)
    return obligations


def shown_matches(obligations):
    """Whether the obligations sent are those the page showed the total of
    (its field shown); a form without that field is taken as sent"""
    shown = request.form.get('shown')
    if shown is None:
        return True
    ids = {int(i) for i in shown.split(',') if i.strip().isdigit()}
    return ids == {o.id for o in obligations or []}


def party_of_request():
    parties = scope.parties(scope.DUE)
    value = request.values.get('party', '')
    if value:
        if not value.isdigit():
            abort(404)
        return scope.party_or_404(int(value), scope.DUE)
    if not parties:
        abort(404)
    return parties[0]


@bp.route('/pay', methods=['GET', 'POST'])
@transaction()
@scope.scoped()
def pay():
    party = party_of_request()
    obligations = chosen_obligations(
        party, request.values.getlist('obligations'))
    due = payable(party, obligations)
    every = payable(party) if obligations else due
    if request.method == 'GET':
        return render_template('pay/summary.html', party=party, due=due,
            every=every, chosen={o.id for o in obligations or []},
            parties=scope.parties(scope.DUE))
    if request.form.get('update') or not shown_matches(obligations):
        # the boxes ticked are not what the total on the button was for:
        # their total is shown before anything is paid
        return render_template('pay/summary.html', party=party, due=due,
            every=every, chosen={o.id for o in obligations or []},
            parties=scope.parties(scope.DUE))
    if due.to_pay <= 0:
        return render_template('pay/summary.html', party=party, due=due,
            every=every, chosen={o.id for o in obligations or []},
            parties=scope.parties(scope.DUE),
            errors=[_("There is nothing to pay.")]), 422
    try:
        started = start_payment(party, due, 'pay.back')
    except UserError as exception:
        rollback()
        return render_template('pay/summary.html', party=party, due=due,
            every=every, chosen={o.id for o in obligations or []},
            parties=scope.parties(scope.DUE), errors=[exception.message]), 422
    return to_card_page(started, 'pay.back')


def to_card_page(started, return_endpoint):
    if started.state != 'pending' or not started.redirect_url:
        # the failed attempt is kept (it is logged with its error)
        store_url_secrets(return_endpoint, token=started.token)
        return redirect(url_for(return_endpoint))
    return redirect(started.redirect_url, code=303)


def returned_token(endpoint='pay.back'):
    """The token of the return from the card page (/…/return?token=…,
    moved into the session by security.move_url_secrets)"""
    return url_secret('token', endpoint=endpoint)


@bp.route('/pay/return')
@transaction(readonly=False)
def back():
    paid = settle(transaction_of(returned_token()))
    return render_template('pay/result.html', paid=paid,
        receipt_url=url_for('pay.receipt') if paid.receipt else None)


@bp.route('/pay/receipt.pdf')
@transaction()
def receipt():
    paid = transaction_of(returned_token())
    if not paid.receipt:
        abort(404)
    return pdf_response(receipt_pdf(paid.receipt),
        receipt_filename(paid.receipt))


ANONYMOUS = 'pay_lookup'
REFERENCE_DIGITS = 12


def lookup_errors(form):
    """The payment reference and the CNP/CUI as written (nothing looked
    up): every error at once, each on its field"""
    errors = FormErrors()
    reference = normalize_reference(form.get('reference'))
    if not reference:
        errors.add('reference', _("Enter the payment reference printed on "
                "the tax decision."))
    elif not reference.isdigit() or len(reference) != REFERENCE_DIGITS:
        errors.add('reference', _("The payment reference has 12 digits "
                "(you typed %(count)s characters): copy it from the tax "
                "decision.", count=len(reference)))
    problem = check_code(form.get('code'))
    if problem:
        errors.add('code', problem)
    return errors



@bp.route('/pay/lookup', methods=['GET', 'POST'])
@transaction()
@rate_limit('pay-lookup')
def lookup():
    "Pay without an account: payment reference + CNP/CUI → the amount only"
    if request.method == 'GET':
        return render_template('pay/lookup.html', form={})
    form = request.form
    errors = lookup_errors(form)
    if errors:
        session.pop(ANONYMOUS, None)
        return render_template('pay/lookup.html', form=form,
            errors=errors), 422
    found = find_due(form.get('reference'), form.get('code'))
    if not found:
        session.pop(ANONYMOUS, None)
        return render_template('pay/lookup.html', form=form,
            errors=FormErrors().general(_(
                    "We found nothing to pay for this payment reference "
                    "and CNP/CUI. Check both (they are printed on the tax "
                    "decision)."))), 404
    assessment, taxpayer, due = found
    session[ANONYMOUS] = assessment.id
    return render_template('pay/lookup_due.html', due=due)


@bp.route('/pay/lookup/pay', methods=['POST'])
@transaction()
@rate_limit('pay-lookup')
def lookup_pay():
    found = due_on(session.get(ANONYMOUS))
    if not found:
        abort(404)
    assessment, taxpayer, due = found
    try:
        started = start_payment(taxpayer, due, 'pay.back')
    except UserError as exception:
        rollback()
        return render_template('pay/lookup_due.html', due=due,
            errors=[exception.message]), 422
    session.pop(ANONYMOUS, None)
    return to_card_page(started, 'pay.back')


def busy(exception):
    """The notification of Ghișeul.ro is booking this payment while the
    return page asks for its status (the taxpayer's lock is taken): the
    return page waits and looks again; anything else is a 503"""
    if request.endpoint in {'pay.back', 'kiosk.back'}:
        template = ('kiosk/result.html' if request.endpoint == 'kiosk.back'
            else 'pay/result.html')
        return render_detached(template, paid=SimpleNamespace(
                state='pending'), idle=current_app.config[
                'KIOSK_IDLE_SECONDS'])
    from .security import error_page
    return error_page(ServiceUnavailable())


def init_app(app, tryton):
    app.register_blueprint(bp)
    app.register_error_handler(backend.DatabaseOperationalError, busy)
    add_menu(app, 'pay.pay', N_("Pay"),
        N_("Pay your local taxes by card."),
        audience='user', order=30)
    add_menu(app, 'pay.lookup', N_("Pay without an account"),
        N_("With the payment reference of the tax decision and the "
            "CNP/CUI."),
        audience='anonymous', order=35)
