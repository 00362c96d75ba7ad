# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Citizen accounts: registration, e-mail confirmation, login, logout,
password reset, the home page."""
from flask import (
    Blueprint, flash, g, redirect, render_template, request, session,
    url_for)

from trytond.exceptions import RateLimitException, UserError

from .common import (
    client_id, company, get, login_required, rate_limit, rollback,
    safe_next, transaction)
from .forms import FormErrors, check_code, required
from .i18n import current_language
from .i18n import gettext as _
from .security import url_secret

bp = Blueprint('account', __name__)


@bp.route('/')
@transaction()
def home():
    if not g.user:
        return render_template('index.html')
    return render_template('account/home.html', user=g.user,
        summary=due_summary())


def due_summary():
    """What is due today for each party the account may pay for (scope:
    the proven party and its mandates, or the claimed code of a standard
    account): [(party, total, next due date or None)]"""
    from . import scope
    from .common import today
    FiscalFile = get('local_tax.fiscal_file')
    summary = []
    for party in scope.parties(scope.DUE):
        due = FiscalFile.payable(g.company, party, today())
        open_lines = [l for l in due.lines if l.total > 0]
        if due.to_pay <= 0 or not open_lines:
            continue
        next_due = min(l.obligation.due_date for l in open_lines)
        summary.append((party, due.to_pay, next_due))
    return summary


@bp.route('/register', methods=['GET', 'POST'])
@transaction()
@rate_limit('register')
def register():
    form = request.form
    if request.method == 'GET':
        return render_template('account/register.html', form={})
    errors = registration_errors(form)
    if not errors:
        try:
            get('web.user').register_citizen(
                company(), form.get('email'), form.get('password', ''),
                form.get('code'), form.get('last_name'),
                form.get('first_name'), language=current_language())
        except UserError as exception:
            rollback()
            errors.general(exception.message)
    if errors:
        return render_template('account/register.html', form=form,
            errors=errors), 422
    return render_template('account/registered.html',
        email=form.get('email'))


def registration_errors(form):
    "Every error of the registration form, in the order of its fields"
    errors = FormErrors()
    email_errors(errors, form.get('email'))
    required(errors, form, 'last_name', _("Enter your last name, or the "
            "name of the company."))
    code = (form.get('code') or '').strip()
    problem = check_code(code)
    if problem:
        errors.add('code', problem)
    elif len(code) == 13 and not (form.get('first_name') or '').strip():
        errors.add('first_name', _("Enter your first name: a person gives "
                "the last and the first name."))
    password_errors(errors, form.get('password', ''),
        form.get('password2', ''), form.get('email', ''))
    if not form.get('consent'):
        errors.add('consent', _("Agree to the processing of your personal "
                "data to open an account."))
    return errors


def email_errors(errors, email, field='email'):
    "The address is empty or not written as an e-mail address"
    from email_validator import EmailNotValidError, validate_email
    email = (email or '').strip()
    if not email:
        errors.add(field, _("Enter your e-mail address."))
        return
    try:
        validate_email(email, check_deliverability=False,
            test_environment=True)
    except EmailNotValidError:
        errors.add(field, _("Enter the e-mail address in the form "
                "name@example.ro."))


def password_errors(errors, password, password2, email):
    """The password is empty or against the installation's policy, or the
    second one differs"""
    if not password:
        errors.add('password', _("Enter a password."))
    else:
        try:
            with_policy(password, (email or '').strip())
        except UserError as exception:
            errors.add('password', exception.message)
    if password and password2 != password:
        errors.add('password2', _("The two passwords differ: type the same "
                "password in both fields."))


@bp.route('/confirm')
@transaction(readonly=False)
@rate_limit('confirm-lookup')
def confirm():
    token = url_secret('token', pop=True)
    users = get('web.user').validate_email_token([token]) if token else []
    return render_template('account/confirmed.html', confirmed=bool(users))


@bp.route('/login', methods=['GET', 'POST'])
@transaction()
def login():
    target = safe_next(request.values.get('next'))
    if request.method == 'GET':
        if g.user:
            return redirect(target)
        return render_template('account/login.html', next=target)
    WebUser = get('web.user')
    email = request.form.get('email', '').strip()
    password = request.form.get('password', '')
    errors = FormErrors()
    required(errors, request.form, 'email', _("Enter your e-mail address."))
    if not password:
        errors.add('password', _("Enter your password."))
    if errors:
        return render_template('account/login.html', next=target,
            email=email, errors=errors), 422
    try:
        user = WebUser.authenticate_throttled(email, password, client_id())
    except RateLimitException:
        # returned, not raised: the attempt must be committed (a raised error would roll it back)
        return render_template('account/login.html', next=target,
            email=email, errors=FormErrors().add('email', _(
                    "Too many failed attempts: the account is locked "
                    "for a while. Try again later or reset the password."))
            ), 429
    if user and user.company and user.company != g.company:
        user = None
    if not user:
        # which of the two is wrong is not told
        return render_template('account/login.html', next=target,
            email=email, errors=FormErrors().add('email',
                _("Wrong e-mail address or password."))), 401
    if not user.email_valid:
        return render_template('account/login.html', next=target,
            email=email, errors=FormErrors().add('email', _(
                    "Confirm your e-mail address first: open the link in "
                    "the message we sent you."))), 403
    session.clear()
    session['web_session'] = user.new_session()
    session.permanent = True
    return redirect(target)


@bp.route('/logout', methods=['POST'])
@transaction()
def logout():
    key = session.get('web_session')
    if key:
        get('web.user.session').remove(key)
    session.clear()
    flash(_("You are logged out."))
    return redirect(url_for('account.home'))


@bp.route('/reset', methods=['GET', 'POST'])
@transaction()
@rate_limit('reset')
def reset():
    if request.method == 'GET':
        return render_template('account/reset.html')
    errors = FormErrors()
    email = request.form.get('email', '').strip()
    email_errors(errors, email)
    if errors:
        return render_template('account/reset.html', email=email,
            errors=errors), 422
    get('web.user').ask_password_reset(g.company, email)
    # the same answer whether the address has an account or not
    return render_template('account/reset_sent.html')


@bp.route('/reset/confirm', methods=['GET', 'POST'])
@transaction()
@rate_limit('reset-confirm')
def reset_confirm():
    token = request.form.get('token') or url_secret('token')
    email = request.form.get('email') or url_secret('email')
    if request.method == 'GET':
        return render_template('account/reset_confirm.html',
            token=token, email=email)
    errors = FormErrors()
    password = request.form.get('password', '')
    password_errors(errors, password, request.form.get('password2', ''),
        email)
    if not errors:
        WebUser = get('web.user')
        try:
            done = WebUser.set_password_token(email, token, password)
        except UserError as exception:
            rollback()
            errors.general(exception.message)
        else:
            if not done:
                errors.general(_("The link is wrong or has expired: ask "
                        "for a new one."))
    if errors:
        return render_template('account/reset_confirm.html', token=token,
            email=email, errors=errors), 422
    flash(_("The password was changed. Log in with it."))
    return redirect(url_for('account.login'))


def with_policy(password, email):
    "The password policy of the installation ([password] section)"
    WebUser = get('web.user')
    users = WebUser.search([('email', '=', email.lower())], limit=1)
    get('res.user').validate_password(
        password, users or [WebUser(email=email.lower() or None)])


@bp.route('/account/validation')
@transaction()
@login_required()
def validation():
    return render_template('account/validation.html', user=g.user)


def init_app(app, tryton):
    app.register_blueprint(bp)
