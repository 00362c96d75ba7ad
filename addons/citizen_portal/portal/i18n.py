# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Languages of the portal: Romanian first, Hungarian (municipalities with a
Hungarian-speaking minority must serve it) and English.

Source strings are English; the catalogues are locale/<lang>.po, read with
polib at start-up.  `scripts/export-translations citizen_portal` extracts
the strings of the templates and of this package into them."""
from decimal import Decimal
from pathlib import Path

import polib
from flask import g, request

LANGUAGES = ['ro', 'hu', 'en']
LANGUAGE_NAMES = {'ro': 'Română', 'hu': 'Magyar', 'en': 'English'}
DEFAULT = 'ro'
LOCALE_DIR = Path(__file__).parent / 'locale'
COOKIE = 'op_lang'
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


def lei(value):
    "An amount the way the page's language writes it: 1 234,50"
    text = f'{Decimal(value or 0):,.2f}'
    if current_language() in {'ro', 'hu'}:
        text = text.replace(',', '\u202f').replace('.', ',')
    return text


def init_app(app):
    load_catalogs()
    app.jinja_env.add_extension('jinja2.ext.i18n')
    # newstyle: Jinja formats (and escapes) the variables itself
    app.jinja_env.install_gettext_callables(
        lambda s: translate(s),
        lambda s, p, n: translate(s if n == 1 else p),
        newstyle=True)
    app.add_template_filter(lei, 'lei')
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
