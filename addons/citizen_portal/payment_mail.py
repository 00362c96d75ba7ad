# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The e-mail after an online payment: written when Ghișeul.ro's payment is
booked (ghiseul.transaction._book) and sent by mail.send when that
transaction commits (send_message_transactional: none if the booking rolls
back), whichever process books it, in the language of each account.  Not
queued: the notification endpoint of ghiseul (routes.py) opens its own
transaction and runs no queued task without a trytond-worker, so a queued
mail could wait there for ever.

It goes to the account that started the payment on the portal and to the
validated accounts whose proven person or company is the taxpayer (a kiosk
payment, a payment without an account): never to an account that only
claims the taxpayer's code, which proves nothing."""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from . import mail


class GhiseulTransaction(metaclass=PoolMeta):
    __name__ = 'ghiseul.transaction'

    web_user = fields.Many2One(
        'web.user', "Account", readonly=True, ondelete='SET NULL',
        help="The portal account that started the payment.")

    def _book(self, external_id, amount, paid_at, payer_name):
        super()._book(external_id, amount, paid_at, payer_name)
        self.send_payment_mail([self])

    def payment_mail_accounts(self):
        "The accounts told of the payment, each once"
        WebUser = Pool().get('web.user')
        accounts = [self.web_user] if self.web_user else []
        for account in WebUser.search([
                    ('company', '=', self.company.id),
                    ('party', '=', self.taxpayer.id),
                    ('trust_level', '=', 'validated'),
                    ('active', '=', True),
                    ]):
            if account not in accounts:
                accounts.append(account)
        return [a for a in accounts if a.email and a.email_valid]

    @classmethod
    def send_payment_mail(cls, transactions):
        "The mail of each paid transaction to its accounts, at commit"
        for transaction in transactions:
            transaction = cls(transaction.id)
            if transaction.state != 'paid' or not transaction.receipt:
                continue
            for account in transaction.payment_mail_accounts():
                transaction._send_payment_mail(account)

    def _send_payment_mail(self, account):
        Receipt = Pool().get('local_tax.receipt')
        language = account.language or 'ro'
        with Transaction().set_context(language=language):
            receipt = Receipt(self.receipt.id)
            variables = {
                'municipality': self.company.rec_name,
                'amount': format_amount(self.amount, language),
                'date': receipt.date.strftime('%d.%m.%Y'),
                'receipt': f'{receipt.series} {receipt.number}',
                'transaction': self.external_id or '',
                'lines': '\n'.join(
                    f'- {line.description}: '
                    f'{format_amount(line.amount, language)} lei'
                    for line in receipt.lines),
                'url': mail.portal_url('/taxes'),
                }
            subject = gettext('citizen_portal.msg_mail_payment_subject',
                **variables)
            body = gettext('citizen_portal.msg_mail_payment', **variables)
        mail.send(account.email, subject, body)


def format_amount(value, language):
    "1 234,50 in Romanian and Hungarian, 1,234.50 in English"
    text = f'{value:,.2f}'
    if language in {'ro', 'hu'}:
        text = text.replace(',', '\u202f').replace('.', ',')
    return text
