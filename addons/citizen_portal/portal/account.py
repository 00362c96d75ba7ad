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
from .i18n import current_language
from .i18n import gettext as _
from .security import url_secret

bp = Blueprint('account', __name__)


@bp.route('/')
@transaction()
def home():
    if not g.user:
        return render_template('index.html')
    return render_template('account/home.html', user=g.user)


@bp.route('/register', methods=['GET', 'POST'])
@transaction()
@rate_limit('register')
def register():
    form = request.form
    if request.method == 'GET':
        return render_template('account/register.html', form={})
    errors = []
    if form.get('password') != form.get('password2'):
        errors.append(_("The two passwords differ."))
    if not form.get('consent'):
        errors.append(_("Agree to the processing of your personal data to "
                "open an account."))
    if not errors:
        try:
            get('web.user').register_citizen(
                company(), form.get('email'), form.get('password', ''),
                form.get('code'), form.get('last_name'),
                form.get('first_name'), language=current_language())
        except UserError as exception:
            rollback()
            errors.append(exception.message)
    if errors:
        return render_template('account/register.html', form=form,
            errors=errors), 422
    return render_template('account/registered.html',
        email=form.get('email'))


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
    try:
        user = WebUser.authenticate_throttled(
            email, request.form.get('password', ''), client_id())
    except RateLimitException:
        # returned, not raised: the attempt must be committed (a raised error would roll it back)
        return render_template('account/login.html', next=target,
            errors=[_("Too many failed attempts: the account is locked "
                    "for a while. Try again later or reset the password.")]
            ), 429
    if user and user.company and user.company != g.company:
        user = None
    if not user:
        return render_template('account/login.html', next=target,
            email=email, errors=[_("Wrong e-mail address or password.")]
            ), 401
    if not user.email_valid:
        return render_template('account/login.html', next=target,
            email=email, errors=[_("Confirm your e-mail address first: "
                    "open the link in the message we sent you.")]), 403
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
    get('web.user').ask_password_reset(
        g.company, request.form.get('email', ''))
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
    errors = []
    password = request.form.get('password', '')
    if password != request.form.get('password2'):
        errors.append(_("The two passwords differ."))
    else:
        WebUser = get('web.user')
        try:
            with_policy(password, email)
            done = WebUser.set_password_token(email, token, password)
        except UserError as exception:
            rollback()
            errors.append(exception.message)
        else:
            if not done:
                errors.append(_("The link is wrong or has expired: ask "
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
    get('res.user').validate_password(password, users or [WebUser()])


@bp.route('/account/validation')
@transaction()
@login_required()
def validation():
    return render_template('account/validation.html', user=g.user)


def init_app(app, tryton):
    app.register_blueprint(bp)
