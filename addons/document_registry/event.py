# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The life of a registered document, step by step: routing, reminders."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.transaction import Transaction

EVENT_KINDS = [
    ('registered', "Registered"),
    ('assigned', "Assigned"),
    ('reassigned', "Reassigned"),
    ('extended', "Extended"),
    ('forwarded', "Forwarded"),
    ('linked', "Linked"),
    ('filed', "Filed"),
    ('answered', "Answered"),
    ('refused', "Refused"),
    ('reminder', "Reminder"),
    ('escalation', "Escalation"),
    ('closed', "Closed"),
    ('cancelled', "Cancelled"),
    ]


class DocumentEvent(ModelSQL, ModelView):
    "A step of the life of a document: routing history, reminders"
    __name__ = 'document_registry.document.event'
    __string__ = "Document Event"

    document = fields.Many2One(
        'document_registry.document', "Document", required=True,
        ondelete='CASCADE')
    date = fields.Timestamp("Date", required=True)
    kind = fields.Selection(EVENT_KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    department = fields.Many2One(
        'staff.department', "Department", ondelete='RESTRICT')
    employee = fields.Many2One(
        'company.employee', "Employee", ondelete='RESTRICT')
    user = fields.Many2One('res.user', "User", ondelete='RESTRICT')
    note = fields.Char("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('document')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def add(cls, documents, kind, department=None, employee=None,
            note=None):
        if not documents:
            return
        now = dt.datetime.now()
        user = Transaction().user or None
        cls.create([{
                    'document': d.id,
                    'date': now,
                    'kind': kind,
                    'department': (department or d.department).id
                    if (department or d.department) else None,
                    'employee': (employee.id if employee
                        else (d.clerk.id if d.clerk else None)),
                    'user': user,
                    'note': note,
                    } for d in documents])

    @classmethod
    def check_modification(cls, mode, events, values=None, external=False):
        super().check_modification(
            mode, events, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise AccessError(gettext(
                    'document_registry.msg_event_readonly'))
