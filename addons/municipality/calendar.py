# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The working-day calendar of the city hall.

Working days are the days that are not a Saturday, a Sunday nor a
non-working day of the year's calendar: the public holidays of Codul muncii
(Legea 53/2003) art. 139(1), shipped one file per year in data/, and the
days an administrator adds (e.g. a day off decided by the Government)."""
import datetime as dt
from pathlib import Path

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .csv_reader import read_csv
from .exceptions import CalendarError

SHIPPED_DIR = Path(__file__).resolve().parent / 'data'
ONE_DAY = dt.timedelta(days=1)


class RenamedMixin:
    """Migration from the models of document_registry (before 8.0): the
    table keeps its rows; the actions of the old model move to the new one,
    so that document_registry's update can delete its own"""
    __slots__ = ()
    _old_model = None

    @classmethod
    def __register__(cls, module_name):
        TableHandler = backend.TableHandler
        old_table = cls._old_model.replace('.', '_')
        renamed = (TableHandler.table_exist(old_table)
            and not TableHandler.table_exist(cls._table))
        if renamed:
            TableHandler.table_rename(old_table, cls._table)
            cursor = Transaction().connection.cursor()
            cursor.execute('ALTER TABLE "%s" DROP CONSTRAINT IF EXISTS '
                '"%s_year_unique"' % (cls._table, old_table))
        super().__register__(module_name)
        if renamed:
            action = Pool().get('ir.action.act_window').__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*action.update(
                    [action.res_model], [cls.__name__],
                    where=action.res_model == cls._old_model))


class Calendar(RenamedMixin, ModelSQL, ModelView):
    "The non-working days of one year"
    __name__ = 'municipality.calendar'
    __string__ = "Holiday Calendar"
    _old_model = 'document_registry.calendar'
    _rec_name = 'source'

    year = fields.Integer("Year", required=True)
    source = fields.Char(
        "Source", help="Where the days come from (the shipped file, a "
        "Government decision for additional days off…).")
    holidays = fields.One2Many(
        'municipality.holiday', 'calendar', "Non-Working Days")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('year_unique', Unique(t, t.year),
                'municipality.msg_calendar_year_unique'),
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
                    'municipality.msg_no_calendar', year=year))
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
    for _, row in read_csv(text, filled=['date', 'name'],
            types={'date': dt.date.fromisoformat}, error=CalendarError):
        by_year.setdefault(row['date'].year, []).append({
                'date': row['date'],
                'name': row['name'],
                'legal_basis': ' '.join(filter(None, [
                            row.get('article', ''), row.get('law', '')])),
                })
    return by_year


class Holiday(RenamedMixin, ModelSQL, ModelView):
    "A public holiday or another day when the city hall is closed"
    __name__ = 'municipality.holiday'
    __string__ = "Non-Working Day"
    _old_model = 'document_registry.holiday'

    calendar = fields.Many2One(
        'municipality.calendar', "Calendar", required=True,
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


class WorkingDays:
    "Working days: not a Saturday, a Sunday nor a day of the calendar"

    def __init__(self):
        self._holidays = {}

    def is_working(self, date):
        if date.weekday() >= 5:
            return False
        if date.year not in self._holidays:
            Calendar = Pool().get('municipality.calendar')
            self._holidays[date.year] = Calendar.holidays_of(date.year)
        return date not in self._holidays[date.year]

    def next_working_day(self, date):
        "The date itself if it is a working day, else the next working day"
        while not self.is_working(date):
            date += ONE_DAY
        return date

    def add(self, start, days, inclusive=False):
        """The day on which `days` working days counted from start end;
        start itself is counted only when inclusive"""
        day = start if inclusive else start + ONE_DAY
        count = 0
        while True:
            if self.is_working(day):
                count += 1
                if count == days:
                    return day
            day += ONE_DAY


def is_working_day(date):
    return WorkingDays().is_working(date)


def next_working_day(date):
    "The date itself if it is a working day, else the next working day"
    return WorkingDays().next_working_day(date)


def add_working_days(start, days, inclusive=False):
    "The day on which `days` working days counted from start end"
    return WorkingDays().add(start, days, inclusive=inclusive)
