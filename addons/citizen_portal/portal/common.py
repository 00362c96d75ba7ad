# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What every page of the portal uses: the transaction, the municipality,
the logged-in citizen, rate limits."""
import functools
import ipaddress
import time
from urllib.parse import urlsplit

from flask import (
    abort, current_app, g, redirect, render_template, request, session,
    url_for)
from flask_tryton import tryton_transaction

from trytond.transaction import Transaction

from .i18n import current_language


def pool():
    return current_app.extensions['Tryton'].pool


def get(name):
    return pool().get(name)


def company():
    "The municipality this portal serves"
    Company = get('company.company')
    company_id = current_app.config.get('PORTAL_COMPANY')
    if company_id:
        return Company(int(company_id))
    companies = Company.search([], limit=2)
    if len(companies) != 1:
        raise RuntimeError(
            "several municipalities: set OPENPRIMARIE_COMPANY")
    current_app.config['PORTAL_COMPANY'] = companies[0].id
    return companies[0]


_names = {}
NAME_TTL = 600


def municipality_name():
    """The name of the municipality (every page shows it), read again every
    ten minutes; kept in g for the error pages rendered after the
    transaction"""
    company_ = g.company
    name, expires = _names.get(company_.id, (None, 0))
    if name is None or expires < time.monotonic():
        name = company_.rec_name
        _names[company_.id] = (name, time.monotonic() + NAME_TTL)
    return name


def transaction(readonly=None):
    """A Tryton transaction (user 0: no access rules, so every handler
    scopes its queries through portal.scope) in the municipality and the language of the
    request, with the citizen of the session in g.user"""
    def decorator(func):
        @functools.wraps(func)
        @tryton_transaction(readonly=readonly)
        def wrapper(*args, **kwargs):
            context = {
                'company': company().id,
                'language': current_language(),
                }
            with Transaction().set_context(**context):
                g.company = company()
                g.municipality_name = municipality_name()
                g.user = load_user()
                return func(*args, **kwargs)
        return wrapper
    return decorator


def render_detached(template, **context):
    """Render a page after the request's transaction has ended (an error
    handler): the page reads the citizen and the menu in a read-only
    transaction of its own, not in the records of the one that failed.
    With no database at all, a page without them."""
    from trytond import backend

    @transaction(readonly=True)
    def render():
        return render_template(template, **context)
    try:
        return render()
    except backend.DatabaseOperationalError:
        g.user = None
        return render_template(template, **context)


def load_user():
    key = session.get('web_session')
    if not key:
        return None
    WebUser = get('web.user')
    user = WebUser.get_user(key)
    if not user or not user.active or (
            user.company and user.company != g.company):
        return None
    return user


def login_required(level='standard'):
    "Inside transaction(): a logged-in citizen of at least the trust level"
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if not g.user:
                return redirect(url_for(
                        'account.login', next=request.full_path))
            if level == 'validated' and not g.user.validated:
                return redirect(url_for('account.validation'))
            return func(*args, **kwargs)
        wrapper.portal_login = level
        return wrapper
    return decorator


def safe_next(target, default='account.home'):
    "Only a path of this site: no open redirect"
    if target:
        parts = urlsplit(target)
        if (not parts.scheme and not parts.netloc
                and target.startswith('/') and not target.startswith('//')):
            return target
    return url_for(default)


def client_id():
    "The client counted by the rate limits: its address, or its IPv6 /64"
    return network_of(request.remote_addr or 'unknown')


def network_of(address):
    """An IPv4 address as it is, an IPv6 one by its /64: one subscriber
    gets a whole /64 and picks any address in it"""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f'{ip}/64', strict=False))
    return str(ip)


def rate_limit(bucket):
    """Refuse with 429 over the limit of requests of a client in the period
    set for the bucket in RATE_LIMITS (the forms count their POSTs, the
    lookups every request)"""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if request.method != 'GET' or bucket.endswith('lookup'):
                limit, period = current_app.config['RATE_LIMITS'][bucket]
                Throttle = get('citizen_portal.throttle')
                if not Throttle.hit(bucket, client_id(), limit, period):
                    abort(429)
            return func(*args, **kwargs)
        return wrapper
    return decorator


def rollback():
    """Drop what the request wrote before a refused input, so that the form
    can be shown again with its error and nothing half-written stays"""
    Transaction().rollback()


class MenuItem:
    __slots__ = ('endpoint', 'label', 'help', 'audience', 'order')

    def __init__(self, endpoint, label, help, audience, order):
        self.endpoint = endpoint
        self.label = label
        self.help = help
        self.audience = audience
        self.order = order


def add_menu(app, endpoint, label, help=None, audience='user', order=50):
    """A link of the main menu and of the home page: audience 'public'
    (everybody), 'anonymous' (not logged in), 'user' or 'validated'.
    Label and help are English msgids, translated when shown."""
    app.config.setdefault('PORTAL_MENU', []).append(
        MenuItem(endpoint, label, help, audience, order))


def portal_menu():
    from .i18n import gettext as _
    user = g.get('user')
    items = []
    for item in sorted(current_app.config.get('PORTAL_MENU', []),
            key=lambda i: i.order):
        if item.audience == 'anonymous' and user:
            continue
        if item.audience in {'user', 'validated'} and not user:
            continue
        if item.audience == 'validated' and not user.validated:
            continue
        items.append({
                'url': url_for(item.endpoint),
                'label': _(item.label),
                'help': _(item.help) if item.help else None,
                })
    return items


def today():
    """The date of the portal: the municipality's today (ir.date), or the
    PORTAL_TODAY setting of a test or demo (local_tax computes surcharges
    and bonifications on any date)"""
    fixed = current_app.config.get('PORTAL_TODAY')
    if fixed:
        return fixed
    return get('ir.date').today()
