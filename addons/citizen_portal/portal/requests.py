# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Requests: the catalogue of services, the form of a service (generated
from its definition, registered at once in the registry), my requests with
their state and answer, and the public tracking by number and date.

Every request is found through scope: an account reaches the requests it
sent and, once validated, those of the parties it acts for; any other
request or file is a 404."""
import datetime as dt
import io
import re

from flask import (
    Blueprint, abort, current_app, g, redirect, render_template, request,
    send_file, url_for)

from trytond.exceptions import UserError

from . import scope
from .common import (
    add_menu, client_id, get, rate_limit, rollback, transaction)
from .forms import FormErrors
from .i18n import gettext as _
from .security import N_

bp = Blueprint('requests', __name__)
ANSWER_KINDS = {'answer', 'refusal'}


def services():
    return get('citizen_portal.service').search([
            ('company', '=', g.company.id),
            ])


def service_or_404(code):
    found = get('citizen_portal.service').search([
            ('company', '=', g.company.id),
            ('code', '=', code),
            ], limit=1)
    if not found:
        abort(404)
    return found[0]


def answers_of(document):
    "The registered replies that answer or refuse the document"
    return [r for r in document.replies
        if r.reply_kind in ANSWER_KINDS
        and r.state not in {'draft', 'cancelled'}]


@bp.route('/services')
@transaction()
def service_list():
    return render_template('requests/services.html', services=services())


@bp.route('/services/<code>', methods=['GET', 'POST'])
@transaction()
@scope.scoped()
def service_form(code):
    service = service_or_404(code)
    if request.method == 'GET':
        return render_template('requests/form.html', service=service,
            form={})
    if not submission_allowed():
        return render_template('requests/form.html', service=service,
            form=request.form, errors=FormErrors().general(_(
                    "You have sent many requests in a short time. Wait an "
                    "hour and send this one again, or bring it to the city "
                    "hall's registry."))), 429
    values = {f.name: request.form.get(f'f_{f.name}', '')
        for f in service.form_fields}
    files = {}
    for attachment in service.attachments:
        upload = request.files.get(f'a_{attachment.name}')
        if upload and upload.filename:
            # the transaction may be retried (locks): read from the start
            upload.stream.seek(0)
            files[attachment.name] = (upload.filename, upload.read())
    Request = get('citizen_portal.request')
    errors = FormErrors()
    for field, message in Request.form_errors(service, values, files):
        errors.add(field, message)
    if not errors:
        try:
            record = Request.submit(
                service, g.user, g.user.requester_party(), values, files)
        except UserError as exception:
            rollback()
            errors.general(exception.message)
    if errors:
        return render_template('requests/form.html', service=service,
            form=request.form, errors=errors), 422
    return redirect(url_for('requests.detail', request_id=record.id,
            sent=1))


def submission_allowed():
    """Count the submission of the address and of the account (each takes
    a registry number and sends an e-mail); False over either limit of
    RATE_LIMITS"""
    # once per request: the transaction is retried to lock the registry's
    # numbers, g stays
    if 'submission_allowed' not in g:
        Throttle = get('citizen_portal.throttle')
        limits = current_app.config['RATE_LIMITS']
        g.submission_allowed = all(
            Throttle.hit(bucket, key, *limits[bucket])
            for bucket, key in [
                ('submit', client_id()),
                ('submit-account', f'web.user:{g.user.id}'),
                ])
    return g.submission_allowed


@bp.route('/requests')
@transaction()
@scope.scoped()
def my_requests():
    return render_template('requests/list.html', records=scope.requests())


@bp.route('/requests/<int:request_id>')
@transaction()
@scope.scoped()
def detail(request_id):
    record = scope.request_or_404(request_id)
    return render_template('requests/detail.html', record=record,
        document=record.document, answers=answers_of(record.document),
        sent=bool(request.args.get('sent')))


@bp.route('/requests/<int:request_id>/files/<int:attachment_id>')
@transaction()
@scope.scoped()
def download(request_id, attachment_id):
    """A file of the request, or of its answer for a validated account
    (documents are delivered only to validated accounts)"""
    record = scope.request_or_404(request_id)
    document = record.document
    Attachment = get('document_registry.attachment')
    answers = answers_of(document)
    found = Attachment.search([
            ('id', '=', attachment_id),
            ('document', 'in', [document.id] + [a.id for a in answers]),
            ('purged', '=', False),
            ], limit=1)
    if not found:
        abort(404)
    attachment, = found
    if attachment.document != document and not g.user.validated:
        return redirect(url_for('account.validation'))
    return send_file(io.BytesIO(attachment.data),
        mimetype=attachment.content_type or 'application/octet-stream',
        as_attachment=True, download_name=attachment.name)


# The number as the portal and the receipt print it: 27/02.12.2026
REGISTRATION = re.compile(r'^(\d{1,9})(?:\s*/\s*(\S+))?$')


def parse_day(text):
    "A date written day.month.year (02.12.2026) or year-month-day"
    text = (text or '').strip()
    for pattern in ('%d.%m.%Y', '%Y-%m-%d', '%d/%m/%Y'):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def tracked(number_text, date_text, errors):
    """(number, date) of the tracking form: the number alone with the date
    field, or the number with its date as printed (27/02.12.2026)"""
    number, day = None, None
    match = REGISTRATION.match(number_text)
    if match:
        number = match.group(1)
        if match.group(2):
            day = parse_day(match.group(2))
            if day is None:
                number = None
    if number is None:
        errors.add('number', _("Enter the registration number as it is "
                "written on the receipt, for example 27 or 27/02.12.2026."))
    if date_text:
        typed = parse_day(date_text)
        if typed is None:
            errors.add('date', _("Enter the date as day.month.year, for "
                    "example 02.12.2026."))
        elif day and typed != day:
            errors.add('date', _("This date differs from the date written "
                    "with the number: keep one of them."))
        else:
            day = typed
    elif number is not None and day is None:
        errors.add('date', _("Enter the registration date, or write it with "
                "the number: 27/02.12.2026."))
    return number, day


@bp.route('/track')
@transaction()
@rate_limit('public-lookup')
def track():
    number_text = request.args.get('number', '').strip()[:40]
    date_text = request.args.get('date', '').strip()[:40]
    result, errors, status = None, FormErrors(), 200
    if number_text or date_text:
        number, day = tracked(number_text, date_text, errors)
        if errors:
            status = 422
        else:
            Document = get('document_registry.document')
            result = Document.public_lookup(number, day, g.company)
            if not result:
                errors.general(_("No request was registered with this "
                        "number on this date."))
                status = 404
    return render_template('requests/track.html', number=number_text,
        date=date_text, result=result, errors=errors), status


def init_app(app, tryton):
    app.register_blueprint(bp)
    add_menu(app, 'requests.service_list', N_("Send a request"),
        N_("Petitions, certificates, public information and more."),
        audience='public', order=30)
    add_menu(app, 'requests.my_requests', N_("My requests"),
        N_("The state and the answer of your requests."), audience='user',
        order=31)
    add_menu(app, 'requests.track', N_("Follow a request"),
        N_("By its registration number and date, without an account."),
        audience='public', order=32)
