# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.modules.municipality.calendar import (
    add_working_days, next_working_day)
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import DeadlineError


class DeadlineRule(DeactivableMixin, ModelSQL, ModelView):
    """A legal term: how many days, counted how.

    Working days skip Saturdays, Sundays and the days of the calendar
    (municipality.calendar).  Exclusive counting (the default) does not count the day the term starts
    (the registration day): 30 days from 1 March end on 31 March.  Inclusive
    counting counts it: 30 days from 1 March end on 30 March.  A term whose
    last day is not a working day can be moved to the next working day
    (Codul de procedură civilă art. 181(2))."""
    __name__ = 'document_registry.deadline_rule'
    __string__ = "Deadline Rule"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    days = fields.Integer("Days", required=True)
    unit = fields.Selection([
            ('calendar', "Calendar Days"),
            ('working', "Working Days"),
            ], "Unit", required=True)
    unit_string = unit.translated('unit')
    inclusive = fields.Boolean(
        "Inclusive", help="Count the day the term starts as its first day.")
    next_working_day = fields.Boolean(
        "Move to Next Working Day",
        help="When the last day is a Saturday, a Sunday or a public holiday "
        "the term ends on the next working day "
        "(Codul de procedură civilă art. 181(2)).")
    legal_basis = fields.Char(
        "Legal Basis", help="The article that sets the term.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code),
                'document_registry.msg_deadline_rule_code_unique'),
            ]

    @classmethod
    def default_unit(cls):
        return 'calendar'

    @classmethod
    def default_inclusive(cls):
        return False

    @classmethod
    def default_next_working_day(cls):
        return False

    @classmethod
    def validate_fields(cls, rules, field_names):
        super().validate_fields(rules, field_names)
        if field_names & {'days'}:
            for rule in rules:
                if rule.days is None or rule.days < 1:
                    raise DeadlineError(gettext(
                            'document_registry.msg_deadline_days_positive',
                            rule=rule.rec_name))

    def compute(self, start):
        "The last day of the term that starts on the date start"
        if self.unit == 'calendar':
            end = start + dt.timedelta(
                days=self.days - (1 if self.inclusive else 0))
        else:
            end = add_working_days(
                start, self.days, inclusive=self.inclusive)
        if self.next_working_day:
            end = next_working_day(end)
        return end



def today():
    "The date of the operation: the context's date, else today"
    return Transaction().context.get('date') or Pool().get('ir.date').today()
