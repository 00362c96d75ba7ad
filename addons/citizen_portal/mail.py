# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The portal's e-mails: one way to send them and to link to the portal.

They are sent when the transaction commits (none if it rolls back), from
the portal's process or, for queued tasks, from trytond-worker: the links
come from [web] email_validation_url of the configuration, which the portal
sets from its public address and the other processes read from theirs
(TRYTOND_WEB__EMAIL_VALIDATION_URL, see docs/deployment.md)."""
from email.message import EmailMessage

from babel.dates import format_date

from trytond import config

# the locale of each language of the portal and its e-mails (CLDR through
# Babel): 31.03.2026, 2026. 03. 31., 31/03/2026
LOCALES = {'ro': 'ro_RO', 'hu': 'hu_HU', 'en': 'en_GB'}
from trytond.sendmail import send_message_transactional


def send(to, subject, body):
    "Send a plain-text mail to the address (or addresses) at commit"
    msg = EmailMessage()
    msg['From'] = config.get('email', 'from')
    msg['To'] = to if isinstance(to, str) else ', '.join(to)
    msg['Subject'] = subject
    msg.set_content(body)
    send_message_transactional(msg)


def portal_url(path):
    "The public address of a page of the portal, '' when not configured"
    base = (config.get('web', 'email_validation_url') or '').rsplit(
        '/confirm', 1)[0]
    return f'{base}{path}' if base else ''


def local_date(value, language):
    "A date the way the language writes it, '-' when there is none"
    if not value:
        return '-'
    return format_date(value, format='short',
        locale=LOCALES.get(language, LOCALES['ro']))
