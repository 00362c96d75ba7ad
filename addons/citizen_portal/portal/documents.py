# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Documents delivered online, signed by the municipality: the fiscal
certificate (CPF art. 159) requested by a validated account, "My
documents", the public verification page of the QR code (number + code →
the signed PDF's hash and validity), and the online validation of an
account with its enrolment form signed with a qualified signature or with a
code e-mailed to an address on the file."""
import re

from flask import (
    Blueprint, abort, current_app, flash, g, redirect, render_template,
    request, session, url_for)

from trytond.exceptions import UserError

from . import scope
from .common import add_menu, get, rate_limit, rollback, transaction
from .forms import FormErrors
from .i18n import gettext as _
from .security import N_, url_secret
from .pay import pdf_response, today

bp = Blueprint('documents', __name__)
CERTIFICATE = 'local_tax.fiscal_certificate'
VERIFIED = 'verified_document'
ENROLMENT_FILE = 'formular-inrolare.pdf'


def purposes():
    Certificate = get(CERTIFICATE)
    return [(k, v) for k, v in Certificate.fields_get(['purpose'])[
            'purpose']['selection'] if k]


def verify_url_template():
    base = current_app.config.get('PORTAL_URL', '').rstrip('/') or (
        request.host_url.rstrip('/'))
    return base + '/verify?number={number}&code={code}'


def file_name(number):
    return 'certificat-fiscal-%s.pdf' % re.sub(r'[^A-Za-z0-9]+', '-', number)


def own_documents():
    "The signed documents of the certificates of the parties of the file"
    SignedDocument = get('document_signature.signed_document')
    certificates = scope.taxpayer_records(CERTIFICATE, [
            ('state', '=', 'issued'),
            ])
    if not certificates:
        return []
    return SignedDocument.search([
            ('company', '=', g.company.id),
            ('origin', 'in', [str(c) for c in certificates]),
            ])


@bp.route('/documents')
@transaction()
@scope.scoped('validated')
def index():
    return render_template('documents/index.html',
        documents=own_documents())


@bp.route('/documents/<int:document_id>.pdf')
@transaction()
@scope.scoped('validated')
def download(document_id):
    for document in own_documents():
        if document.id == document_id:
            return pdf_response(bytes(document.data), document.name)
    abort(404)


@bp.route('/documents/certificate', methods=['GET', 'POST'])
@transaction()
@scope.scoped('validated')
def certificate():
    form = request.form
    if request.method == 'GET':
        return render_template('documents/certificate.html', form={},
            parties=scope.parties(), purposes=purposes())
    party_id = form.get('party', '')
    party = (scope.party_or_404(int(party_id)) if party_id.isdigit()
        else None)
    purpose = form.get('purpose')
    errors = FormErrors()
    if party is None:
        errors.add('party', _("Choose for whom the certificate is."))
    if purpose not in dict(purposes()):
        errors.add('purpose', _("Choose what the certificate is for."))
    details = (form.get('purpose_details') or '').strip()[:200] or None
    if not errors:
        try:
            signed = issue_signed(party, purpose, details)
        except UserError as exception:
            rollback()
            errors.general(exception.message)
    if errors:
        return render_template('documents/certificate.html', form=form,
            parties=scope.parties(), purposes=purposes(),
            errors=errors), 422
    flash(_("The fiscal certificate %(number)s is issued and signed.",
            number=signed.number))
    return redirect(url_for('documents.index'))


def issue_signed(party, purpose, details):
    """Issue the certificate (its number comes from a strict sequence: the
    flask_tryton transaction retries) and sign its PDF"""
    Certificate = get(CERTIFICATE)
    SignedDocument = get('document_signature.signed_document')
    requester = g.user.identity if g.user.identity != party else None
    certificate = Certificate.issue_for(g.company, party, today(), purpose,
        requester=requester, purpose_details=details)
    pdf = certificate.get_pdf()
    return SignedDocument.create_signed(g.company, certificate,
        certificate.number, file_name(certificate.number), pdf,
        qr_url_template=verify_url_template())


def validity(document):
    "(issue date, valid until, still valid) of the signed document's origin"
    origin = document.origin
    if origin and origin.__name__ == CERTIFICATE:
        end = origin.validity_end
        return origin.date, end, bool(end and today() <= end and (
                origin.state == 'issued'))
    return document.signed_at.date(), None, True


@bp.route('/verify')
@transaction()
@rate_limit('verify-lookup')
def verify():
    "number + code of the QR link or the form (moved into the session)"
    number = url_secret('number', pop=True).strip()[:40]
    code = url_secret('code', pop=True).strip()[:40]
    session.pop(VERIFIED, None)
    if not number and not code:
        return render_template('documents/verify.html', number='', code='')
    SignedDocument = get('document_signature.signed_document')
    document = SignedDocument.lookup(g.company, number, code)
    if not document:
        return render_template('documents/verify.html', number=number,
            code='', errors=FormErrors().general(_("No document matches "
                    "this number and code. Check them on the document."))), 404
    session[VERIFIED] = document.id
    issued, valid_until, valid = validity(document)
    return render_template('documents/verify.html', number=number,
        code=code, document=document, issued=issued,
        valid_until=valid_until, valid=valid)


@bp.route('/verify/download')
@transaction()
@rate_limit('verify-lookup')
def verify_download():
    "The PDF of the document this browser session has just verified"
    SignedDocument = get('document_signature.signed_document')
    documents = SignedDocument.search([
            ('company', '=', g.company.id),
            ('id', '=', session.get(VERIFIED) or -1),
            ], limit=1)
    if not documents:
        abort(404)
    document, = documents
    return pdf_response(bytes(document.data), document.name)


# Online validation of the account (enrolment form with a QES)

@transaction()
@scope.scoped()
def validation():
    "Replaces account.validation: the counter and the online way"
    return render_template('documents/validation.html', user=g.user)


@bp.route('/account/validation/form.pdf')
@transaction(readonly=False)
@scope.scoped()
def enrolment_form():
    if g.user.validated:
        abort(404)
    return pdf_response(g.user.enrolment_form(), 'formular-inrolare.pdf')


@bp.route('/account/validation/upload', methods=['POST'])
@transaction()
@scope.scoped()
@rate_limit('enrolment-upload')
def enrolment_upload():
    if g.user.validated:
        return redirect(url_for('account.validation'))
    upload = request.files.get('form')
    data = upload.read() if upload else b''
    try:
        if not data:
            raise UserError(_("Choose the signed form (PDF) to upload."))
        if data.startswith(b'%PDF-'):
            # not a PDF: validate_by_signature says so
            check_upload(ENROLMENT_FILE, data)
        g.user.validate_by_signature(data, name=ENROLMENT_FILE)
    except UserError as exception:
        rollback()
        return render_template('documents/validation.html', user=g.user,
            errors=FormErrors().add('form', exception.message)), 422
    flash(_("Your account is validated."))
    return redirect(url_for('account.validation'))


@bp.route('/account/validation/code', methods=['POST'])
@transaction()
@scope.scoped()
@rate_limit('validation-code')
def contact_code_send():
    "E-mail a one-time code to the addresses on the claimed file"
    if g.user.validated:
        return redirect(url_for('account.validation'))
    try:
        g.user.send_contact_code()
    except UserError as exception:
        rollback()
        return render_template('documents/validation.html', user=g.user,
            errors=FormErrors().general(exception.message)), 422
    flash(_("We sent a code to the e-mail address the city hall holds on "
            "your file. Enter it below."))
    return redirect(url_for('account.validation'))


@bp.route('/account/validation/code/check', methods=['POST'])
@transaction()
@scope.scoped()
@rate_limit('validation-code')
def contact_code_check():
    if g.user.validated:
        return redirect(url_for('account.validation'))
    code = request.form.get('code', '').strip()
    field = 'code' if g.user.contact_code_hash else None
    if not code:
        return render_template('documents/validation.html', user=g.user,
            errors=FormErrors().add(field, _("Enter the code from the "
                    "e-mail."))), 422
    try:
        valid = g.user.check_contact_code(code)
    except UserError as exception:
        rollback()
        return render_template('documents/validation.html', user=g.user,
            errors=FormErrors().add(field, exception.message)), 422
    if not valid:
        # returned, not raised: the wrong try is committed
        return render_template('documents/validation.html', user=g.user,
            errors=FormErrors().add(field, _("The code is wrong: check it "
                    "in the e-mail."))), 422
    flash(_("Your account is validated."))
    return redirect(url_for('account.validation'))


def check_upload(name, data):
    """Read like an attachment of the registry (size, content, no active
    content) in a process with limits, before pyHanko reads it here"""
    from trytond.modules.document_registry.attachment import check_file
    Configuration = get('document_registry.configuration')
    check_file(name, data, Configuration.get_value(
            'attachment_max_size', g.company))


def init_app(app, tryton):
    app.register_blueprint(bp)
    # the account's validation page shows the online way too
    app.view_functions['account.validation'] = validation
    add_menu(app, 'documents.index', N_("My documents"),
        N_("Signed documents from the city hall."), audience='validated',
        order=60)
    add_menu(app, 'documents.certificate', N_("Fiscal certificate"),
        N_("Request a signed fiscal certificate."), audience='validated',
        order=61)
    add_menu(app, 'documents.verify', N_("Verify a document"),
        N_("Check a document signed by the city hall."), audience='public',
        order=90)
