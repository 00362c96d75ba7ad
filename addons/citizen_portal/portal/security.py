# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""CSRF, cookies, response headers, secrets out of URLs and error pages.

Every state-changing request (POST, PUT, PATCH, DELETE) must carry the
session's CSRF token (form field `_csrf` or header `X-CSRF-Token`); Flask
has no such protection of its own.

The secrets that arrive in a link (the e-mail confirmation and password
reset tokens, the payment return token, the verification code of a signed
document) are moved into the session on first use and the browser is sent
to the same address without them: they stay out of the access logs, the
browser history and the Referer; the views read them with url_secret()."""
import secrets
from urllib.parse import urlencode

from flask import (
    abort, current_app, redirect, request, session)
from werkzeug.exceptions import HTTPException

from .common import portal_menu, render_detached
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


# endpoint → the query parameters that are secrets
URL_SECRETS = {
    'account.confirm': ('token',),
    'account.reset_confirm': ('token', 'email'),
    'documents.verify': ('number', 'code'),
    'pay.back': ('token',),
    'kiosk.back': ('token',),
    }
SESSION_SECRETS = 'url_secrets'


def store_url_secrets(endpoint, **values):
    stored = dict(session.get(SESSION_SECRETS) or {})
    stored[endpoint] = values
    session[SESSION_SECRETS] = stored


def url_secret(name, endpoint=None, pop=False):
    "A secret of the link of endpoint (this one), kept in the session"
    endpoint = endpoint or request.endpoint
    stored = session.get(SESSION_SECRETS) or {}
    value = (stored.get(endpoint) or {}).get(name, '')
    if pop and endpoint in stored:
        stored = dict(stored)
        values = dict(stored.pop(endpoint))
        values.pop(name, None)
        if values:
            stored[endpoint] = values
        session[SESSION_SECRETS] = stored
    return value


def move_url_secrets():
    "A GET carrying secrets: into the session, then the same path without"
    names = URL_SECRETS.get(request.endpoint)
    if (request.method != 'GET' or not names
            or not any(n in request.args for n in names)):
        return
    store_url_secrets(request.endpoint, **{
            n: request.args.get(n, '')[:200] for n in names})
    rest = [(k, v) for k, v in request.args.items(multi=True)
        if k not in names]
    return redirect(request.path + ('?' + urlencode(rest) if rest else ''))


PERMISSIONS_POLICY = ', '.join(f'{feature}=()' for feature in [
        'accelerometer', 'camera', 'geolocation', 'gyroscope',
        'magnetometer', 'microphone', 'payment', 'usb'])


def security_headers(response):
    headers = response.headers
    headers.setdefault('Content-Security-Policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; frame-ancestors 'none'; base-uri 'none'")
    headers.setdefault('X-Content-Type-Options', 'nosniff')
    headers.setdefault('X-Frame-Options', 'DENY')
    headers.setdefault('Referrer-Policy', 'same-origin')
    headers.setdefault('Permissions-Policy', PERMISSIONS_POLICY)
    headers.setdefault('Cross-Origin-Opener-Policy', 'same-origin')
    headers.setdefault('Cross-Origin-Resource-Policy', 'same-origin')
    if request.is_secure or current_app.config.get('PORTAL_HSTS'):
        headers.setdefault('Strict-Transport-Security',
            'max-age=31536000; includeSubDomains')
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
    return render_detached('error.html', code=code, message=message), code


def init_app(app, tryton):
    app.before_request(check_csrf)
    app.before_request(move_url_secrets)
    app.after_request(security_headers)
    app.jinja_env.globals['csrf_token'] = csrf_token
    app.jinja_env.globals['portal_menu'] = portal_menu
    for code in ERRORS:
        app.register_error_handler(code, error_page)

    @app.errorhandler(HTTPException)
    def other_error(exception):
        return error_page(exception)
