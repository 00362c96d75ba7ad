# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Languages of the portal: Romanian first, Hungarian (municipalities with a
Hungarian-speaking minority must serve it) and English.

Source strings are English; the catalogues are locale/<lang>.po, read with
polib at start-up.  `scripts/export-translations citizen_portal` extracts
the strings of the templates and of this package into them."""
import datetime as dt
from decimal import Decimal
from pathlib import Path

import polib
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import g, request
from jinja2 import pass_context

from ..mail import LOCALES

LANGUAGES = ['ro', 'hu', 'en']
LANGUAGE_NAMES = {'ro': 'Română', 'hu': 'Magyar', 'en': 'English'}
DEFAULT = 'ro'
LOCALE_DIR = Path(__file__).parent / 'locale'
COOKIE = 'op_lang'
# numbers and dates by the locale of each language (CLDR through Babel):
# 1.234,50 and 31.03.2026; 1 234,50 and 2026. 03. 31.; 1,234.50 and
# 31/03/2026 (the British order, as in Romania, not the American)
AMOUNT = '#,##0.00'
_catalogs = {}


def load_catalogs():
    for lang in LANGUAGES:
        path = LOCALE_DIR / f'{lang}.po'
        catalog = {}
        if path.exists():
            for entry in polib.pofile(str(path)):
                if entry.msgstr and 'fuzzy' not in entry.flags:
                    catalog[entry.msgid] = entry.msgstr
        _catalogs[lang] = catalog


def current_language():
    return getattr(g, 'lang', None) or DEFAULT


def translate(message):
    return _catalogs.get(current_language(), {}).get(message, message)


def gettext(message, **variables):
    text = translate(message)
    return text % variables if variables else text


def ngettext(singular, plural, n, **variables):
    variables.setdefault('num', n)
    return gettext(singular if n == 1 else plural, **variables)


_ = gettext


def select_language():
    "?lang= then the cookie then the browser's languages, Romanian first"
    asked = request.args.get('lang')
    if asked in LANGUAGES:
        return asked
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT)


def babel_locale():
    return LOCALES[current_language()]


def lei(value):
    "An amount the way the page's language writes it: 1.234,50"
    return format_decimal(
        Decimal(value or 0), format=AMOUNT, locale=babel_locale())


def number(value):
    "A number (a share, a rate) in the page's language, as many decimals"
    return format_decimal(Decimal(value or 0).normalize(),
        locale=babel_locale(), decimal_quantization=False)


def date(value):
    "A date in the page's language: 31.03.2026, 2026. 03. 31., 31/03/2026"
    if not value:
        return ''
    return format_date(value, format='short', locale=babel_locale())


def datetime(value):
    "A moment in the page's language, in UTC"
    if not value:
        return ''
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return format_datetime(value, format='short', tzinfo=dt.timezone.utc,
        locale=babel_locale())


def context_filter(function):
    """A Jinja filter that Jinja may not compute at compile time: it
    depends on the page's language (a constant like {{ 0|lei }} was folded
    once, in the language of the first page rendered, and shown so in
    every language after)"""
    @pass_context
    def filter_(context, value):
        return function(value)
    filter_.__name__ = function.__name__
    return filter_


def init_app(app):
    load_catalogs()
    app.jinja_env.add_extension('jinja2.ext.i18n')
    # newstyle: Jinja formats (and escapes) the variables itself
    app.jinja_env.install_gettext_callables(
        lambda s: translate(s),
        lambda s, p, n: translate(s if n == 1 else p),
        newstyle=True)
    for function in [lei, number, date, datetime]:
        app.add_template_filter(context_filter(function), function.__name__)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES,
        current_language=current_language)

    @app.before_request
    def set_language():
        g.lang = select_language()

    @app.after_request
    def remember_language(response):
        if request.args.get('lang') in LANGUAGES:
            response.set_cookie(
                COOKIE, g.lang, max_age=365 * 24 * 3600, samesite='Lax',
                secure=app.config['SESSION_COOKIE_SECURE'], httponly=True)
        return response
