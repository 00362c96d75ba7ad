# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import csv
import datetime as dt
import io
from pathlib import Path

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import CalendarError, DeadlineError

SHIPPED_DIR = Path(__file__).resolve().parent / 'data'
ONE_DAY = dt.timedelta(days=1)


class Calendar(ModelSQL, ModelView):
    "The non-working days of one year"
    __name__ = 'document_registry.calendar'
    __string__ = "Holiday Calendar"
    _rec_name = 'source'

    year = fields.Integer("Year", required=True)
    source = fields.Char(
        "Source", help="Where the days come from (the shipped file, a "
        "Government decision for additional days off…).")
    holidays = fields.One2Many(
        'document_registry.holiday', 'calendar', "Non-Working Days")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('year_unique', Unique(t, t.year),
                'document_registry.msg_calendar_year_unique'),
            ]
        cls._order.insert(0, ('year', 'DESC'))

    def get_rec_name(self, name):
        return str(self.year)

    @classmethod
    def holidays_of(cls, year):
        "The set of non-working days of the year (CalendarError if none)"
        calendars = cls.search([('year', '=', year)], limit=1)
        if calendars:
            return {h.date for h in calendars[0].holidays}
        if Transaction().readonly:
            # a read (a form showing its terms) writes nothing: the shipped
            # days, stored by the next transaction that may write
            days = parse_csv(cls.shipped_file(year).read_text(
                    encoding='utf-8'))
            return {d['date'] for d in days.get(year, [])}
        return {h.date for h in cls.get(year).holidays}

    @classmethod
    def get(cls, year):
        "The calendar of the year, loaded from the shipped file if missing"
        calendars = cls.search([('year', '=', year)], limit=1)
        if calendars:
            return calendars[0]
        path = cls.shipped_file(year)
        calendar, = cls.import_csv(path.read_text(encoding='utf-8'),
            source=f'Codul muncii art. 139 ({path.name})')
        return calendar

    @classmethod
    def shipped_file(cls, year):
        "The file of the year's days shipped with the module, or CalendarError"
        path = SHIPPED_DIR / f'holidays-{year}.csv'
        if not path.exists():
            raise CalendarError(gettext(
                    'document_registry.msg_no_calendar', year=year))
        return path

    @classmethod
    def import_csv(cls, text, source=None):
        "Create the calendars of the rows date,name,article,… of text"
        by_year = parse_csv(text)
        to_create = [{
                'year': year,
                'source': source,
                'holidays': [('create', holidays)],
                } for year, holidays in sorted(by_year.items())]
        return cls.create(to_create)


def parse_csv(text):
    "The days of the rows date,name,article,law of text, by year"
    by_year = {}
    for row in csv.DictReader(io.StringIO(text)):
        date = dt.date.fromisoformat(row['date'].strip())
        by_year.setdefault(date.year, []).append({
                'date': date,
                'name': row['name'].strip(),
                'legal_basis': ' '.join(filter(None, [
                            row.get('article', '').strip(),
                            row.get('law', '').strip()])),
                })
    return by_year


class Holiday(ModelSQL, ModelView):
    "A public holiday or another day when the city hall is closed"
    __name__ = 'document_registry.holiday'
    __string__ = "Non-Working Day"

    calendar = fields.Many2One(
        'document_registry.calendar', "Calendar", required=True,
        ondelete='CASCADE',
        domain=[('year', '=', Eval('year', -1))])
    date = fields.Date("Date", required=True)
    year = fields.Function(fields.Integer("Year"), 'on_change_with_year')
    name = fields.Char("Name", required=True)
    legal_basis = fields.Char("Legal Basis")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.date, Index.Range())))
        cls._order.insert(0, ('date', 'ASC'))

    @fields.depends('date')
    def on_change_with_year(self, name=None):
        return self.date.year if self.date else None


class DeadlineRule(DeactivableMixin, ModelSQL, ModelView):
    """A legal term: how many days, counted how.

    Working days skip Saturdays, Sundays and the days of the calendar.
    Exclusive counting (the default) does not count the day the term starts
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
            end = self._add_working_days(start)
        if self.next_working_day:
            end = next_working_day(end)
        return end

    def _add_working_days(self, start):
        days = WorkingDays()
        day = start if self.inclusive else start + ONE_DAY
        count = 0
        while True:
            if days.is_working(day):
                count += 1
                if count == self.days:
                    return day
            day += ONE_DAY


class WorkingDays:
    "Working days: not a Saturday, a Sunday nor a day of the calendar"

    def __init__(self):
        self._holidays = {}

    def is_working(self, date):
        if date.weekday() >= 5:
            return False
        if date.year not in self._holidays:
            Calendar = Pool().get('document_registry.calendar')
            self._holidays[date.year] = Calendar.holidays_of(date.year)
        return date not in self._holidays[date.year]


def next_working_day(date):
    "The date itself if it is a working day, else the next working day"
    days = WorkingDays()
    while not days.is_working(date):
        date += ONE_DAY
    return date


def today():
    "The date of the operation: the context's date, else today"
    return Transaction().context.get('date') or Pool().get('ir.date').today()
