# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""CSRF, cookies, response headers and error pages.

Every state-changing request (POST, PUT, PATCH, DELETE) must carry the
session's CSRF token (form field `_csrf` or header `X-CSRF-Token`); Flask
has no such protection of its own (guide §6.6)."""
import secrets

from flask import abort, render_template, request, session
from werkzeug.exceptions import HTTPException

from .common import portal_menu
from .i18n import gettext as _

UNSAFE_METHODS = {'POST', 'PUT', 'PATCH', 'DELETE'}


def csrf_token():
    if '_csrf' not in session:
        session['_csrf'] = secrets.token_urlsafe(32)
    return session['_csrf']


def check_csrf():
    if request.method not in UNSAFE_METHODS:
        return
    sent = (request.form.get('_csrf')
        or request.headers.get('X-CSRF-Token') or '')
    expected = session.get('_csrf')
    if not expected or not secrets.compare_digest(sent, expected):
        abort(403, description='csrf')


def security_headers(response):
    headers = response.headers
    headers.setdefault('Content-Security-Policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; frame-ancestors 'none'; base-uri 'none'")
    headers.setdefault('X-Content-Type-Options', 'nosniff')
    headers.setdefault('X-Frame-Options', 'DENY')
    headers.setdefault('Referrer-Policy', 'same-origin')
    if session.get('web_session') or request.method in UNSAFE_METHODS:
        headers.setdefault('Cache-Control', 'no-store')
    return response


def N_(message):
    "Mark a message for extraction; it is translated where it is shown"
    return message


ERRORS = {
    400: N_("The request could not be processed."),
    403: N_("You are not allowed to see this page."),
    404: N_("The page does not exist, or it is not yours."),
    405: N_("The page does not accept this request."),
    413: N_("The file is too large."),
    429: N_("Too many attempts. Wait a few minutes and try again."),
    }


def error_page(exception):
    code = exception.code or 500
    if code == 403 and exception.description == 'csrf':
        message = _("The form expired. Go back, reload the page and send "
            "it again.")
    elif (code == 400 and exception.description
            and exception.description != type(exception).description):
        # a UserError of the back office, translated by Tryton
        message = exception.description
    else:
        message = _(ERRORS.get(code, "Something went wrong."))
    return render_template('error.html', code=code, message=message), code


def init_app(app, tryton):
    app.before_request(check_csrf)
    app.after_request(security_headers)
    app.jinja_env.globals['csrf_token'] = csrf_token
    app.jinja_env.globals['portal_menu'] = portal_menu
    for code in ERRORS:
        app.register_error_handler(code, error_page)

    @app.errorhandler(HTTPException)
    def other_error(exception):
        return error_page(exception)
