# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The errors of a form: every error at once, each tied to its field.

A view collects them in FormErrors (field = the id of the input) and
renders the form again with `errors`; base.html shows the summary at the
top, whose links lead to the fields, and the templates mark each field
with field_attrs() (aria-invalid, aria-describedby to its message) and
show its message with field_error() (WCAG 2.1 SC 3.3.1, 3.3.3).

Passwords are never sent back to the browser: a form shown again with
errors keeps everything else the citizen typed, and says beside the
password fields that they must be typed again (a password in the page
would stay in the browser's history and caches)."""
from collections import namedtuple

from markupsafe import Markup, escape
from jinja2 import pass_context
from stdnum.exceptions import (
    InvalidChecksum, InvalidComponent, InvalidLength, ValidationError)
from stdnum.ro import cf as stdnum_cui
from stdnum.ro import cnp as stdnum_cnp

from .i18n import gettext as _

FieldError = namedtuple('FieldError', ['field', 'message'])


class FormErrors:
    "The errors of a form in the order of its fields; field None: the form's"

    def __init__(self):
        self._items = []

    def add(self, field, message):
        self._items.append(FieldError(field, message))
        return self

    def general(self, message):
        return self.add(None, message)

    def of(self, field):
        return [e.message for e in self._items if e.field == field]

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def __bool__(self):
        return bool(self._items)

    def __contains__(self, field):
        return any(e.field == field for e in self._items)


def messages_of(errors, field):
    if isinstance(errors, FormErrors):
        return errors.of(field)
    return []


@pass_context
def field_attrs(context, field, help=None):
    """aria-invalid and aria-describedby of the input of field: its error
    message first, then its help (the id given)"""
    described = []
    invalid = bool(messages_of(context.get('errors'), field))
    if invalid:
        described.append(f'{field}-error')
    if help:
        described.append(help)
    attrs = ''
    if invalid:
        attrs += ' aria-invalid="true"'
    if described:
        attrs += ' aria-describedby="%s"' % escape(' '.join(described))
    return Markup(attrs)


@pass_context
def field_error(context, field):
    "The error message of the field, the id its input is described by"
    messages = messages_of(context.get('errors'), field)
    if not messages:
        return ''
    return Markup(
        '<p id="%s-error" class="error-message">'
        '<span class="visually-hidden">%s</span> %s</p>') % (
        field, _("Error:"), ' '.join(messages))


def summary_link(error):
    "The anchor of an error of the summary, None for the form's own"
    return f'#{error.field}' if getattr(error, 'field', None) else None


def check_code(code):
    """The message for a CNP/CUI as typed, None when it is valid: a code of
    13 digits is a CNP (python-stdnum tells a wrong length, a wrong check
    digit and an impossible date or county apart); a shorter one a CUI"""
    code = (code or '').strip().upper()
    if code.startswith('RO'):
        code = code[2:].strip()
    code = code.replace(' ', '')
    if not code:
        return _("Enter the CNP (13 digits) or the CUI.")
    if not code.isdigit():
        return _("The CNP and the CUI have only digits (a CUI may start "
            "with RO).")
    if len(code) == 13:
        try:
            stdnum_cnp.validate(code)
        except InvalidChecksum:
            return _("The last digit of the CNP (its check digit) does not "
                "match the other twelve: a digit is mistyped. Check the CNP "
                "on the identity card.")
        except InvalidComponent:
            return _("This CNP holds no valid birth date or county code: "
                "check its digits on the identity card.")
        except ValidationError:
            return _("This is not a valid CNP: check it on the identity "
                "card.")
        return None
    try:
        stdnum_cui.validate(code)
    except InvalidLength:
        return _("The code has %(count)s digits: a CNP has 13 digits, a CUI "
            "2 to 10.", count=len(code))
    except ValidationError:
        return _("The code has %(count)s digits: a CNP has 13 digits; as "
            "the CUI of a company its check digit does not match. Check "
            "it.", count=len(code))
    return None


def required(errors, form, field, message):
    "The field must not be empty; its value stripped"
    value = (form.get(field) or '').strip()
    if not value:
        errors.add(field, message)
    return value


def init_app(app):
    app.jinja_env.globals.update(
        field_attrs=field_attrs, field_error=field_error,
        summary_link=summary_link)
