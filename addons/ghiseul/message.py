# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The log of every message exchanged with Ghișeul.ro, in and out, with
passwords, card numbers and CNPs masked before they are stored."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from .exceptions import ImmutableError
from .soap import mask


class Message(ModelSQL, ModelView):
    __name__ = 'ghiseul.message'
    __string__ = "Ghișeul.ro Message"

    company = fields.Many2One(
        'company.company', "Municipality", readonly=True,
        ondelete='RESTRICT',
        help="Empty when the message named no known institution.")
    operation = fields.Char("Operation", readonly=True)
    direction = fields.Selection([
            ('in', "From Ghișeul.ro"),
            ('out', "To Ghișeul.ro"),
            ], "Direction", required=True, readonly=True)
    direction_string = direction.translated('direction')
    status = fields.Selection([
            ('done', "Done"),
            ('error', "Error"),
            ('refused', "Refused"),
            ], "Status", required=True, readonly=True)
    status_string = status.translated('status')
    duration = fields.Integer(
        "Duration", readonly=True, help="In milliseconds.")
    reference = fields.Char(
        "Reference", readonly=True,
        help="The transaction id or our payment token.")
    request = fields.Text("Request", readonly=True)
    response = fields.Text("Response", readonly=True)
    error = fields.Text("Error", readonly=True,
        states={'invisible': ~Eval('error')})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.create_date, Index.Range())),
                Index(t, (t.reference, Index.Equality())),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    def get_rec_name(self, name):
        return f'{self.operation} {self.direction_string}'

    @classmethod
    def check_modification(cls, mode, messages, values=None,
            external=False):
        super().check_modification(
            mode, messages, values=values, external=external)
        if mode == 'write' or (external and mode == 'create'):
            raise ImmutableError(gettext('ghiseul.msg_message_immutable'))

    @classmethod
    def log(cls, company, operation, direction, status, duration=None,
            request=None, response=None, error=None, reference=None):
        "Store a message, masked"
        message = cls(
            company=company, operation=operation, direction=direction,
            status=status, reference=mask(reference),
            duration=int(duration * 1000) if duration is not None else None,
            request=mask(request), response=mask(response),
            error=mask(error))
        # logged also when a button of a client made the call
        with without_check_access():
            message.save()
        return message
