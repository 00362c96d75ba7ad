# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The citizen portal and kiosk: a Flask application over the same Tryton
database (flask_tryton), in its own process.

Portal handlers run outside Tryton's access rules (user 0): every query
is scoped to the logged-in citizen by the code of this package (`scope`),
never by record rules."""
import importlib
import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import forms, i18n, security

BLUEPRINTS = [
    'account', 'taxes', 'requests', 'pay', 'kiosk', 'documents', 'mandates',
    'pages']


def create_app(database=None, config_file=None, company=None, **overrides):
    """The portal over `database` of the trytond configuration `config_file`
    serving the municipality with id `company` (the only one when None).

    Settings come from the arguments, then from the environment:
    OPENPRIMARIE_DATABASE, TRYTON_CONFIG, OPENPRIMARIE_COMPANY,
    OPENPRIMARIE_PORTAL_URL (public base URL, for links in e-mails and QR
    codes), OPENPRIMARIE_SECRET_KEY or OPENPRIMARIE_SECRET_KEY_FILE,
    OPENPRIMARIE_PROXIES (number of reverse proxies in front),
    OPENPRIMARIE_KIOSK_NETWORKS (comma-separated networks of the kiosks of
    the hall) and OPENPRIMARIE_KIOSK_SECRET(_FILE) (a device secret)."""
    from flask_tryton import Tryton

    env = os.environ
    app = Flask(__name__)
    app.config.update(
        TRYTON_DATABASE=database or env.get('OPENPRIMARIE_DATABASE'),
        TRYTON_CONFIG=config_file or env.get('TRYTON_CONFIG'),
        TRYTON_USER=0,
        PORTAL_COMPANY=company or env.get('OPENPRIMARIE_COMPANY'),
        PORTAL_URL=env.get('OPENPRIMARIE_PORTAL_URL', ''),
        SECRET_KEY=overrides.get('SECRET_KEY') or _secret_key(env),
        SESSION_COOKIE_NAME='op_portal',
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE='Lax',
        SESSION_COOKIE_SECURE=env.get(
            'OPENPRIMARIE_INSECURE_COOKIES') != '1',
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        # uploads: the largest attachment accepted by the registry + form
        MAX_CONTENT_LENGTH=12 * 1024 * 1024,
        KIOSK_IDLE_SECONDS=90,
        # the kiosks of the hall: their networks, or a device secret
        KIOSK_NETWORKS=[n.strip() for n in env.get(
                'OPENPRIMARIE_KIOSK_NETWORKS', '').split(',') if n.strip()],
        KIOSK_DEVICE_SECRET=_kiosk_secret(env),
        # (requests, seconds) per client address (IPv6: its /64); logins
        # are counted per account and per address in web.user
        # authenticate_throttled ([session] max_attempt,
        # max_attempt_ip_network, timeout)
        RATE_LIMITS={
            'register': (10, 3600),
            'reset': (5, 3600),
            'reset-confirm': (10, 3600),
            'confirm-lookup': (30, 600),
            'public-lookup': (30, 600),
            'pay-lookup': (20, 600),
            'mandate-request': (10, 3600),
            'verify-lookup': (30, 600),
            # a kiosk is one address serving every visitor of the hall
            'kiosk-lookup': (120, 600),
            # per CNP/CUI and per payment reference typed, any address
            'decision-lookup-code': (10, 3600),
            'decision-lookup-reference': (10, 3600),
            'enrolment-upload': (10, 3600),
            # sending a code mails the person of the file: few per hour
            'validation-code': (10, 3600),
            # requests sent, per address and per account: each takes a
            # registry number and sends an e-mail
            'submit': (30, 3600),
            'submit-account': (10, 3600),
            },
        )
    app.config.update(overrides)
    if not app.config['TRYTON_DATABASE']:
        raise RuntimeError("no database: set OPENPRIMARIE_DATABASE")
    if int(env.get('OPENPRIMARIE_PROXIES', '0')):
        n = int(env['OPENPRIMARIE_PROXIES'])
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    tryton = Tryton(app, configure_jinja=True)
    _link_urls(app.config['PORTAL_URL'])
    i18n.init_app(app)
    forms.init_app(app)
    security.init_app(app, tryton)
    for name in BLUEPRINTS:
        importlib.import_module(f'{__name__}.{name}').init_app(app, tryton)
    return app


def _link_urls(base):
    "The links of web_user's e-mails point to this portal"
    from trytond.config import config
    if not base:
        return
    base = base.rstrip('/')
    if not config.has_section('web'):
        config.add_section('web')
    config.set('web', 'email_validation_url', f'{base}/confirm')
    config.set('web', 'reset_password_url', f'{base}/reset/confirm')


def _kiosk_secret(env):
    "OPENPRIMARIE_KIOSK_SECRET or the file of OPENPRIMARIE_KIOSK_SECRET_FILE"
    path = env.get('OPENPRIMARIE_KIOSK_SECRET_FILE')
    if path:
        return Path(path).read_text().strip() or None
    return env.get('OPENPRIMARIE_KIOSK_SECRET') or None


def _secret_key(env):
    if env.get('OPENPRIMARIE_SECRET_KEY'):
        return env['OPENPRIMARIE_SECRET_KEY']
    path = env.get('OPENPRIMARIE_SECRET_KEY_FILE')
    if path:
        return Path(path).read_text().strip()
    raise RuntimeError(
        "no secret key: set OPENPRIMARIE_SECRET_KEY_FILE (a file with a "
        "long random string, readable only by the portal)")

