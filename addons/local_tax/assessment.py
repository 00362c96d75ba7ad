# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The annual assessment: the tax decisions (decizii de impunere).

A decision lists, for one taxpayer and fiscal year, the tax of each
building, parcel and vehicle, and books the obligations of each tax in two
instalments (art. 462, 467, 472).  An issued decision is never changed: a
change of law or of facts produces a corrective decision whose difference
is booked as new obligations or as reductions (the overpaid part becoming
a credit to refund or offset)."""
import datetime as dt
import secrets
from collections import defaultdict, namedtuple
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

from sql import Null
from sql.aggregate import Max

from trytond.exceptions import UserError
from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.model.exceptions import AccessError
from trytond.model.fields import SQL_OPERATORS
from trytond.modules.municipality.calendar import WorkingDays
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from . import bulk
from .exceptions import (
    IssuedDecisionError, MissingParameterError, TaxObjectError)
from .exemption import relief
from .fiscal_file import (
    ASSESSED_TAX_TYPES, ASSESSED_TAXES, ZERO, money, month_end)
from .rules import (
    TaxParameters, existed_on, liability_date, object_tax, round_tax)
from .tax_object import fetch, read_tax_objects

ASSET_FIELDS = {
    'property.building': 'building',
    'property.parcel': 'parcel',
    'vehicle.vehicle': 'vehicle',
    }
PROGRESS_EVERY = 2000
REFERENCE_DIGITS = 12


def assessment_sequence_type():
    "The kind of the decisions' yearly numbering (municipality.year_sequence)"
    return Pool().get('ir.model.data').get_id(
        'local_tax', 'sequence_type_assessment')


def new_payment_reference():
    """A random payment reference: 12 digits (40 bits) from the system's
    secure generator, typed on a numeric keypad; unrelated to the
    decision's sequential number, so that knowing a CNP and guessing
    numbers finds nothing"""
    return ''.join(secrets.choice('0123456789')
        for _ in range(REFERENCE_DIGITS))


def new_payment_references(count, table=None):
    "`count` distinct references, none already on a decision"
    if table is None:
        table = Pool().get('local_tax.assessment').__table__()
    cursor = Transaction().connection.cursor()
    references = set()
    while len(references) < count:
        wanted = {new_payment_reference()
            for _ in range(count - len(references))} - references
        for sub in grouped_slice(list(wanted), 1000):
            cursor.execute(*table.select(table.payment_reference,
                    where=table.payment_reference.in_(list(sub))))
            wanted.difference_update(r for r, in cursor)
        references |= wanted
    return list(references)


class Assessment(ModelSQL, ModelView):
    __name__ = 'local_tax.assessment'
    __string__ = "Tax Decision"
    _rec_name = 'number'

    company = fields.Many2One(
        'company.company', "Municipality", required=True, readonly=True,
        ondelete='RESTRICT')
    taxpayer = fields.Many2One(
        'party.party', "Taxpayer", required=True, readonly=True,
        ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    fiscal_year = fields.Integer("Fiscal Year", required=True, readonly=True)
    number = fields.Char("Number", required=True, readonly=True)
    sequence = fields.Integer("Sequence", required=True, readonly=True)
    payment_reference = fields.Char(
        "Payment Reference", required=True, readonly=True, strip=False,
        help="Printed on the decision beside its number: with the CNP/CUI "
        "it finds the decision to pay without an account and at the kiosk.")
    date = fields.Date("Issue Date", required=True, readonly=True)
    decision = fields.Many2One(
        'local_tax.council_decision', "Council Decision", required=True,
        readonly=True, ondelete='RESTRICT')
    kind = fields.Selection([
            ('initial', "Initial"),
            ('corrective', "Corrective"),
            ], "Kind", required=True, readonly=True)
    corrects = fields.Many2One(
        'local_tax.assessment', "Corrects", readonly=True,
        ondelete='RESTRICT')
    reason = fields.Text("Reason", readonly=True)
    batch = fields.Many2One(
        'local_tax.assessment.batch', "Batch", readonly=True,
        ondelete='RESTRICT')
    total = fields.Numeric(
        "Annual Tax", digits=(16, 2), required=True, readonly=True)
    bonification = fields.Numeric(
        "Bonification (%)", digits=(5, 2), required=True, readonly=True)
    bonification_deadline = fields.Date(
        "Bonification Until", required=True, readonly=True)
    lines = fields.One2Many(
        'local_tax.assessment.line', 'assessment', "Lines", readonly=True)
    obligations = fields.One2Many(
        'local_tax.obligation', 'assessment', "Obligations", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Range()),
                    (t.fiscal_year, Index.Range()),
                    (t.taxpayer, Index.Range())),
                })
        cls._sql_constraints += [
            ('payment_reference_unique', Unique(t, t.payment_reference),
                'local_tax.msg_assessment_payment_reference_unique'),
            ]
        cls._order = [
            ('fiscal_year', 'DESC'), ('sequence', 'DESC'), ('id', 'DESC')]

    @classmethod
    def __register__(cls, module):
        table = cls.__table_handler__(module)
        fill = (table.table_exist(cls._table)
            and not table.column_exist('payment_reference'))
        if fill:
            table.add_column('payment_reference', 'VARCHAR')
            cls._fill_payment_references()
        super().__register__(module)

    @classmethod
    def _fill_payment_references(cls):
        "The decisions issued before the references existed get one"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.id,
                where=table.payment_reference == Null))
        ids = [i for i, in cursor]
        for id_, reference in zip(
                ids, new_payment_references(len(ids), table)):
            cursor.execute(*table.update([table.payment_reference],
                    [reference], where=table.id == id_))

    @classmethod
    def default_payment_reference(cls):
        return new_payment_references(1)[0]

    @classmethod
    def check_modification(cls, mode, assessments, values=None,
            external=False):
        super().check_modification(
            mode, assessments, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise IssuedDecisionError(gettext(
                    'local_tax.msg_assessment_issued',
                    assessment=assessments[0].rec_name))

    @classmethod
    def search_rec_name(cls, name, clause):
        from trytond.modules.municipality.common import search_any
        return search_any(
            clause, ['number', 'payment_reference', 'taxpayer.rec_name'])

    # The computation

    @classmethod
    def assess(cls, company, year, date, taxpayers=None, batch=None,
            reason=None, skipped=None):
        """Issue the decisions of the year on the date.

        Without taxpayers: every owner of a taxable object of the
        municipality not yet assessed for the year (the annual batch; a
        re-run assesses only the missing ones).  With taxpayers: assess
        each one alone, issuing a corrective decision when one was already
        issued and the taxes changed.  Returns the decisions issued."""
        if taxpayers is None:
            return cls.browse(
                cls._assess_all(company, year, date, batch, skipped))
        # the lock first: taking it restarts the transaction (the numbering
        # is locked by _numbers, only when a decision is issued)
        Pool().get('party.party').lock(taxpayers)
        result = []
        previous = cls._latest(company, year, taxpayers)
        computation = Computation(company, year, date)
        computation.load(taxpayers)
        for taxpayer in taxpayers:
            lines = computation.lines_of(taxpayer)
            last = previous.get(taxpayer.id)
            if last is None:
                if lines:
                    result.extend(cls.browse(computation.issue(
                                [(taxpayer, lines)], batch=batch)))
            else:
                corrective = computation.correct(last, lines, reason)
                if corrective:
                    result.append(corrective)
        return result

    @classmethod
    def _latest(cls, company, year, taxpayers):
        assessments = cls.search([
                ('company', '=', company.id),
                ('fiscal_year', '=', year),
                ('taxpayer', 'in', [t.id for t in taxpayers]),
                ], order=[('sequence', 'ASC')])
        return {a.taxpayer.id: a for a in assessments}

    @classmethod
    def _assess_all(cls, company, year, date, batch, skipped=None):
        """Assess every owner not yet assessed for the year; returns the ids
        of the decisions issued (a browse of a hundred thousand records
        costs minutes: Model.__init__ checks its id list, O(n²)).  With a
        `skipped` list, a taxpayer whose tax cannot be computed is added to
        it instead of stopping the batch."""
        # the locks first: taking them restarts the transaction
        cls.lock()
        Pool().get('municipality.year_sequence').lock_numbering(
            company, year, sequence_type=assessment_sequence_type())
        computation = Computation(company, year, date)
        assessed = set(cls._assessed(company, year))
        computation.load()
        owners = [o for o in computation.owners() if o not in assessed]
        issued = []
        for start in range(0, len(owners), PROGRESS_EVERY):
            chunk = computation.taxpayers(owners[start:start + PROGRESS_EVERY])
            pairs = []
            for taxpayer in chunk:
                try:
                    lines = computation.lines_of(taxpayer)
                except (TaxObjectError, MissingParameterError) as exception:
                    if skipped is None:
                        raise
                    skipped.append((taxpayer, exception.message))
                    continue
                if lines:
                    pairs.append((taxpayer, lines))
            issued.extend(computation.issue(pairs, batch=batch, bulk_=True))
            if batch:
                batch.report_progress(
                    min(start + PROGRESS_EVERY, len(owners)), len(owners))
        return issued

    @classmethod
    def _assessed(cls, company, year):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.taxpayer,
                where=(table.company == company.id)
                & (table.fiscal_year == year)))
        return [r[0] for r in cursor]

    @classmethod
    def last_lines(cls, company, taxpayer, date):
        """The line of each asset in the last decision issued by the date
        for the latest fiscal year that taxed it (a corrective decision
        replaces the lines of the one it corrects)"""
        assessments = cls.search([
                ('company', '=', company.id),
                ('taxpayer', '=', taxpayer.id),
                ('fiscal_year', '<=', date.year),
                ('date', '<=', date),
                ], order=[('fiscal_year', 'DESC'), ('sequence', 'DESC')])
        latest = {}
        for assessment in assessments:
            latest.setdefault(assessment.fiscal_year, assessment)
        result = {}
        for year in sorted(latest, reverse=True):
            for line in latest[year].lines:
                asset = line.building or line.parcel or line.vehicle
                if asset is not None:
                    result.setdefault(asset, line)
        return result


class AssessmentLine(ModelSQL, ModelView):
    __name__ = 'local_tax.assessment.line'
    __string__ = "Tax Decision Line"

    assessment = fields.Many2One(
        'local_tax.assessment', "Tax Decision", required=True,
        ondelete='CASCADE')
    tax = fields.Selection(ASSESSED_TAX_TYPES, "Tax", required=True)
    tax_string = tax.translated('tax')
    building = fields.Many2One(
        'property.building', "Building", ondelete='RESTRICT')
    parcel = fields.Many2One(
        'property.parcel', "Parcel", ondelete='RESTRICT')
    vehicle = fields.Many2One(
        'vehicle.vehicle', "Vehicle", ondelete='RESTRICT')
    share = fields.Char("Share")
    object_tax = fields.Numeric(
        "Tax of the Object", digits=(16, 4),
        help="The annual tax of the whole object, at full precision.")
    relief = fields.Numeric(
        "Exempted", digits=(16, 4),
        help="The part remitted by exemptions and reductions.")
    amount = fields.Numeric("Tax", digits=(16, 2), required=True)
    articles = fields.Char("Articles")
    unverified = fields.Boolean(
        "Unverified Data",
        help="The tax uses a value of the Code table tagged R (recalled, "
        "not verified against the Monitorul Oficial).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('assessment', 'ASC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        asset = self.building or self.parcel or self.vehicle
        return f'{self.tax_string}: {asset.rec_name if asset else ""}'

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise IssuedDecisionError(gettext(
                    'local_tax.msg_assessment_issued',
                    assessment=lines[0].assessment.rec_name))


Line = SimpleNamespace
Taxpayer = namedtuple('Taxpayer', ['id', 'person_type'])


class Computation:
    """The taxes of one municipality and fiscal year computed on a date, for
    any number of taxpayers: the ownerships, the objects and the tax of each
    object are read once"""

    def __init__(self, company, year, date):
        pool = Pool()
        Decision = pool.get('local_tax.council_decision')
        Exemption = pool.get('local_tax.exemption')
        self.company = company
        self.year = year
        self.date = date
        self.decision = Decision.get_applicable(company, year, date)
        self.params = TaxParameters(self.decision)
        self.liability = liability_date(year)
        self.exemptions = Exemption.of_year(company, year)
        # read once, used for every line and decision
        self._rounding = self.decision.rounding
        self._bonification = self.decision.bonification
        self._object_taxes = {}
        self._shares = None
        self._objects = {}
        self._descriptions = {}
        self._due_dates = None
        self._working_days = WorkingDays()
        self._threshold = None
        self._late = {}

    # Reading

    def load(self, taxpayers=None):
        """Read the shares at 31 December before of the taxpayers (all the
        owners when None) and the objects they own"""
        Ownership = Pool().get('ownership.ownership')
        table = Ownership.__table__()
        date = self.liability
        where = ((table.company == self.company.id)
            & (table.start_date <= date)
            & ((table.end_date == Null) | (table.end_date > date)))
        if taxpayers is not None:
            where &= table.owner.in_([t.id for t in taxpayers] or [None])
        rows = fetch(table.select(
                table.owner, table.building, table.parcel, table.vehicle,
                table.share_numerator, table.share_denominator,
                where=where, order_by=[table.id.asc]), [int] * 6)
        shares = defaultdict(dict)
        ids = defaultdict(set)
        for owner, building, parcel, vehicle, num, den in rows:
            if building:
                key = ('property.building', building)
            elif parcel:
                key = ('property.parcel', parcel)
            else:
                key = ('vehicle.vehicle', vehicle)
            ids[key[0]].add(key[1])
            # an owner may hold several shares of one object (bought at
            # different times): they are added, the tax rounded once
            shares[owner][key] = shares[owner].get(key, Fraction(0)) + (
                Fraction(num, den))
        self._shares = shares
        # the buildings first: their parcels are read with them
        for model in ['property.building', 'property.parcel',
                'vehicle.vehicle']:
            read_tax_objects(model, ids[model], self._objects)

    def owners(self):
        if self._shares is None:
            self.load()
        return sorted(self._shares)

    def taxpayers(self, ids):
        "The taxpayers of the ids with what the computation needs of them"
        Party = Pool().get('party.party')
        table = Party.__table__()
        cursor = Transaction().connection.cursor()
        person_types = {}
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.select(table.id, table.person_type,
                    where=SQL_OPERATORS['in'](table.id, list(sub_ids))))
            person_types.update(cursor)
        return [Taxpayer(i, person_types[i]) for i in ids]

    def _asset(self, model, id_):
        key = (model, id_)
        if key not in self._objects:
            read_tax_objects(model, [id_], self._objects)
        return self._objects[key]

    def _object_tax(self, asset, legal):
        key = (asset.__name__, asset.id, legal)
        if key not in self._object_taxes:
            params = self.params
            params.reset()
            owner = SimpleNamespace(
                person_type='legal' if legal else 'natural')
            tax, whole = object_tax(asset, params, self.date, owner=owner)
            self._object_taxes[key] = (
                tax, whole, ', '.join(sorted(params.articles)),
                params.unverified)
        return self._object_taxes[key]

    def lines_of_owner(self, owner):
        """The lines the owner's decision would have, read for that owner
        alone (the Compute wizard, a corrective decision)"""
        self.load([owner])
        return self.lines_of(owner)

    def lines_of(self, taxpayer):
        "The lines of the taxpayer's decision, in a stable order"
        if self._shares is None:
            self.load()
        legal = taxpayer.person_type == 'legal'
        exemptions = self.exemptions.get(taxpayer.id, [])
        lines = []
        for (model, id_), share in sorted(
                self._shares.get(taxpayer.id, {}).items()):
            asset = self._asset(model, id_)
            if not existed_on(asset, self.liability):
                continue
            tax, whole, articles, unverified = self._object_tax(asset, legal)
            exact = whole * share.numerator / share.denominator
            remitted = exact * relief(exemptions, tax, asset, self.year)
            amount = money(round_tax(exact - remitted, self._rounding))
            lines.append(Line(
                    tax=tax, asset=asset, field=ASSET_FIELDS[model],
                    share=(f'{share.numerator}/{share.denominator}'
                        if share != 1 else '1'),
                    object_tax=whole.quantize(Decimal('0.0001')),
                    exact=exact.quantize(Decimal('0.0001')),
                    relief=remitted.quantize(Decimal('0.0001')),
                    amount=amount, articles=articles,
                    unverified=unverified))
        return lines

    # The schedule

    def due_dates(self):
        """The deadlines of the instalments, art. 462(1), 467(1), 472(1),
        moved off a non-working day (CPF art. 75, Codul de procedură civilă
        art. 181(2): a term ending on a non-working day ends on the next
        working day)"""
        if self._due_dates is None:
            params, date = self.params, self.date
            self._due_dates = [
                self._working_days.next_working_day(month_end(
                        self.year, int(params.value(
                                'instalment', date, category=str(i)))))
                for i in (1, 2)]
        return list(self._due_dates)

    def difference_due_date(self, date):
        """CPF art. 156(1): an amount set by a decision communicated in the
        first half of a month is due on the 5th of the next month, in the
        second half on the 20th; moved off a non-working day as the
        instalments are"""
        if date not in self._late:
            half = 'first_half' if date.day <= 15 else 'second_half'
            day = int(self.params.value('difference_due_day', self.date,
                    category=half))
            month = month_end(date.year, date.month) + dt.timedelta(days=1)
            self._late[date] = self._working_days.next_working_day(
                month.replace(day=day))
        return self._late[date]

    def schedule(self, total, date):
        """The instalments of a tax (instalment, due date, amount): two
        equal ones adding up to the annual amount; the whole tax by the
        first when it is at most the threshold (50 lei, cumulated per tax,
        art. 462(3)); a deadline already past when the decision is issued
        is replaced by the term of CPF art. 156(1)"""
        if total <= 0:
            return []
        first, second = self.due_dates()
        if self._threshold is None:
            self._threshold = self.params.value(
                'small_tax_threshold', self.date)
        if total <= self._threshold:
            parts = [(1, first, total)]
        else:
            half = money(total / 2)
            parts = [(1, first, half), (2, second, total - half)]
        late = self.difference_due_date(date)
        return [(i, due if due >= date else max(due, late), amount)
            for i, due, amount in parts]

    # Writing

    def _numbers(self, count):
        """The next `count` numbers of the municipality's decisions of the
        year, as (sequence, number): a strict sequence per municipality and
        year (lock_numbering first); a year numbered before it existed goes
        on from its last decision"""
        YearSequence = Pool().get('municipality.year_sequence')

        def after_last():
            Assessment = Pool().get('local_tax.assessment')
            table = Assessment.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.select(Max(table.sequence),
                    where=(table.company == self.company.id)
                    & (table.fiscal_year == self.year)))
            return (cursor.fetchone()[0] or 0) + 1
        numbers = YearSequence.take_numbers(self.company, self.year, count,
            start=after_last, sequence_type=assessment_sequence_type())
        return [(int(n.split('/')[-1]), n) for n in numbers]

    def issue(self, pairs, batch=None, bulk_=False):
        """Issue the initial decisions of (taxpayer, lines) with their
        obligations; returns their ids.  In bulk (the annual batch) the
        credits are not offset: nobody paid a tax not yet assessed."""
        pool = Pool()
        Assessment = pool.get('local_tax.assessment')
        Line_ = pool.get('local_tax.assessment.line')
        Obligation = pool.get('local_tax.obligation')
        if not pairs:
            return []
        numbers = self._numbers(len(pairs))
        references = new_payment_references(len(pairs))
        ids = bulk.allocate_ids(Assessment, len(pairs))
        first, _ = self.due_dates()
        decision_rows, line_rows, obligation_rows = [], [], []
        company_id, decision_id = self.company.id, self.decision.id
        batch_id = batch.id if batch else None
        for id_, (sequence, number), reference, (taxpayer, lines) in zip(
                ids, numbers, references, pairs):
            total = sum((l.amount for l in lines), ZERO)
            decision_rows.append((
                    id_, company_id, taxpayer.id, self.year, number,
                    sequence, reference, self.date, decision_id, 'initial',
                    batch_id, total, self._bonification, first))
            for line in lines:
                line_rows.append((
                        id_, line.tax, line.asset.id
                        if line.field == 'building' else None,
                        line.asset.id if line.field == 'parcel' else None,
                        line.asset.id if line.field == 'vehicle' else None,
                        line.share, line.object_tax, line.relief,
                        line.amount, line.articles, line.unverified))
            for tax, amount in tax_totals(lines).items():
                for instalment, due, part in self.schedule(amount, self.date):
                    obligation_rows.append((
                            company_id, taxpayer.id, self.year, tax,
                            False, self.description(tax, instalment), part,
                            self.date, due, instalment, id_, 'posted'))
        bulk.insert(Assessment, [
                'id', 'company', 'taxpayer', 'fiscal_year', 'number',
                'sequence', 'payment_reference', 'date', 'decision', 'kind',
                'batch', 'total', 'bonification', 'bonification_deadline'],
            decision_rows)
        line_ids = bulk.allocate_ids(Line_, len(line_rows))
        bulk.insert(Line_, [
                'id', 'assessment', 'tax', 'building', 'parcel', 'vehicle',
                'share', 'object_tax', 'relief', 'amount', 'articles',
                'unverified'], [(i,) + r for i, r in zip(line_ids, line_rows)])
        obligation_ids = bulk.allocate_ids(Obligation, len(obligation_rows))
        bulk.insert(Obligation, [
                'id', 'company', 'taxpayer', 'fiscal_year', 'tax_type',
                'enforceable', 'description', 'amount', 'date', 'due_date',
                'instalment', 'assessment', 'state'],
            [(i,) + r for i, r in zip(obligation_ids, obligation_rows)])
        if not bulk_:
            # art. 167: an existing credit is offset against the new debts
            Payment = pool.get('local_tax.payment')
            Payment.offset_credits(
                [t for t, _ in pairs], [self.company], self.date)
        return ids

    def description(self, tax, instalment):
        key = (tax, instalment)
        if key not in self._descriptions:
            Line_ = Pool().get('local_tax.assessment.line')
            name = dict(Line_.fields_get(['tax'])['tax']['selection'])[tax]
            self._descriptions[key] = gettext(
                'local_tax.msg_obligation_description',
                tax=name, year=self.year, instalment=instalment)
        return self._descriptions[key]

    def correct(self, previous, lines, reason):
        """Issue a corrective decision when the taxes differ from those
        booked for the year; None when nothing changed"""
        pool = Pool()
        Assessment = pool.get('local_tax.assessment')
        Line_ = pool.get('local_tax.assessment.line')
        Obligation = pool.get('local_tax.obligation')
        taxpayer = previous.taxpayer
        booked = booked_totals(self.company, taxpayer, self.year)
        new = tax_totals(lines)
        differences = {tax: new.get(tax, ZERO) - booked.get(tax, ZERO)
            for tax in ASSESSED_TAXES}
        if not any(differences.values()):
            return None
        (sequence, number), = self._numbers(1)
        first, _ = self.due_dates()
        assessment = Assessment(
            company=self.company, taxpayer=taxpayer, fiscal_year=self.year,
            number=number, sequence=sequence, date=self.date,
            decision=self.decision, kind='corrective', corrects=previous,
            reason=reason, total=sum(new.values(), ZERO),
            bonification=self.decision.bonification,
            bonification_deadline=first)
        assessment.lines = [Line_(
                tax=l.tax, **{l.field: l.asset.id}, share=l.share,
                object_tax=l.object_tax, relief=l.relief, amount=l.amount,
                articles=l.articles, unverified=l.unverified)
            for l in lines]
        assessment.save()
        obligations = []
        for tax, difference in differences.items():
            if difference > 0:
                for instalment, due, part in self.schedule(
                        difference, self.date):
                    obligations.append(Obligation(
                            company=self.company, taxpayer=taxpayer,
                            fiscal_year=self.year, tax_type=tax,
                            description=self.description(tax, instalment),
                            amount=part, date=self.date, due_date=due,
                            instalment=instalment, assessment=assessment,
                            state='posted'))
            elif difference < 0:
                reduce_tax(self.company, taxpayer, self.year, tax,
                    -difference, assessment, self.date)
        Obligation.save(obligations)
        Payment = pool.get('local_tax.payment')
        Payment.offset_credits([taxpayer], [self.company], self.date)
        return assessment


def tax_totals(lines):
    totals = defaultdict(lambda: ZERO)
    for line in lines:
        totals[line.tax] += line.amount
    return {t: a for t, a in totals.items() if a}


def booked_totals(company, taxpayer, year):
    """The tax of each kind booked for the year by the decisions, net of
    the corrections"""
    Obligation = Pool().get('local_tax.obligation')
    totals = defaultdict(lambda: ZERO)
    for obligation in Obligation.search([
                ('company', '=', company.id),
                ('taxpayer', '=', taxpayer.id),
                ('fiscal_year', '=', year),
                ('assessment', '!=', None),
                ]):
        totals[obligation.tax_type] += obligation.amount - sum(
            (r.amount for r in obligation.reductions
                if r.reason == 'correction'), ZERO)
    return totals


def reduce_tax(company, taxpayer, year, tax, amount, assessment, date):
    """Lower the year's tax of a kind by the amount: first what is still
    unpaid (the latest instalment first), then what was paid, which
    becomes a credit of the taxpayer (its allocations are reversed)"""
    pool = Pool()
    Reduction = pool.get('local_tax.obligation.reduction')
    Allocation = pool.get('local_tax.payment.allocation')
    FiscalFile = pool.get('local_tax.fiscal_file')
    obligations = [(o, b) for o, b in FiscalFile.balances(company, taxpayer)
        if o.assessment and o.fiscal_year == year and o.tax_type == tax]
    obligations.sort(key=lambda ob: (ob[0].due_date, ob[0].id), reverse=True)
    reductions, allocations = [], []
    left = amount
    for obligation, balance in obligations:
        part = min(max(balance, ZERO), left)
        if part > 0:
            reductions.append(Reduction(
                    obligation=obligation, date=date, amount=part,
                    reason='correction', assessment=assessment))
            left -= part
    for obligation, balance in obligations:
        if left <= 0:
            break
        paid = sorted(obligation.allocations,
            key=lambda a: (a.date, a.id), reverse=True)
        net = obligation.amount - sum(
            (r.amount for r in obligation.reductions), ZERO) - sum(
            (r.amount for r in reductions if r.obligation == obligation),
            ZERO)
        part = min(net, left)
        if part <= 0:
            continue
        reductions.append(Reduction(
                obligation=obligation, date=date, amount=part,
                reason='correction', assessment=assessment))
        left -= part
        to_release = part
        for allocation in paid:
            if to_release <= 0:
                break
            release = min(allocation.amount, to_release)
            if release <= 0:
                continue
            allocations.append(Allocation(
                    payment=allocation.payment, obligation=obligation,
                    amount=-release, date=date))
            to_release -= release
    Reduction.save(reductions)
    Allocation.save(allocations)


@contextmanager
def atomic(name='local_tax_batch'):
    """All or nothing inside the current transaction: a failed batch leaves
    no decision behind"""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    created = {k: list(v) for k, v in transaction.create_records.items()}
    cursor.execute(f'SAVEPOINT {name}')
    try:
        yield
    except Exception:
        cursor.execute(f'ROLLBACK TO SAVEPOINT {name}')
        transaction.counter += 1
        transaction.create_records.clear()
        transaction.create_records.update(created)
        raise
    else:
        cursor.execute(f'RELEASE SAVEPOINT {name}')


class AssessmentBatch(Workflow, ModelSQL, ModelView):
    __name__ = 'local_tax.assessment.batch'
    __string__ = "Annual Assessment"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT', states={'readonly': Eval('state') != 'draft'})
    fiscal_year = fields.Integer(
        "Fiscal Year", required=True,
        states={'readonly': Eval('state') != 'draft'})
    date = fields.Date(
        "Issue Date", required=True,
        states={'readonly': Eval('state') != 'draft'},
        help="The date of the decisions; the council decision in force on "
        "it applies.  It may precede the fiscal year: next year's taxes "
        "can be assessed in December.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('running', "Running"),
            ('done', "Done"),
            ('failed', "Failed"),
            ], "State", required=True, readonly=True, sort=False)
    on_error = fields.Selection([
            ('stop', "Stop: Issue Nothing"),
            ('skip', "Skip the Taxpayer and List It"),
            ], "On Error", required=True,
        states={'readonly': Eval('state') == 'running'},
        help="What to do when the tax of an object cannot be computed "
        "(missing data): stop the whole batch, issuing nothing, or assess "
        "the other taxpayers and list those skipped, to assess them alone "
        "once their data is complete.")
    message = fields.Text("Message", readonly=True)
    issued = fields.Integer("Decisions Issued", readonly=True)
    progress = fields.Function(
        fields.Char("Progress"), 'get_progress')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'running'),
            ('running', 'done'),
            ('running', 'failed'),
            ('failed', 'running'),
            ('done', 'running'),
            }
        cls._buttons.update({
                'run': {
                    'invisible': Eval('state') == 'running',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_fiscal_year(cls):
        return Pool().get('ir.date').today().year

    def get_rec_name(self, name):
        return f'{self.company.rec_name} {self.fiscal_year}'

    @classmethod
    def get_progress(cls, batches, name):
        Progress = Pool().get('local_tax.assessment.batch.progress')
        result = {}
        for batch in batches:
            progress = Progress.search(
                [('batch', '=', batch.id)], order=[('id', 'DESC')], limit=1)
            result[batch.id] = (f'{progress[0].done} / {progress[0].total}'
                if progress else '')
        return result

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def run(cls, batches):
        "Run in the background (a queue task after this request's commit)"
        cls.__queue__.process(batches)

    @classmethod
    def default_on_error(cls):
        return 'stop'

    @classmethod
    def process(cls, batches):
        Assessment = Pool().get('local_tax.assessment')
        for batch in batches:
            if batch.state != 'running':
                continue
            skipped = [] if batch.on_error == 'skip' else None
            try:
                with atomic():
                    issued = Assessment._assess_all(
                        batch.company, batch.fiscal_year, batch.date, batch,
                        skipped)
            except UserError as exception:
                cls.write([batch], {
                        'state': 'failed',
                        'message': exception.message,
                        })
            else:
                cls.write([batch], {
                        'state': 'done',
                        'issued': (batch.issued or 0) + len(issued),
                        'message': skipped_message(skipped),
                        })

    def report_progress(self, done, total):
        """Record the progress in its own committed transaction, so the
        clerk sees it while the batch runs (not with an in-memory
        database, which has a single connection)"""
        Progress = Pool().get('local_tax.assessment.batch.progress')
        transaction = Transaction()
        if (transaction.database.name == ':memory:'
                or self.id in transaction.create_records[self.__name__]):
            return
        with transaction.new_transaction() as new:
            Progress.create([{'batch': self.id, 'done': done, 'total': total}])
            new.commit()


def skipped_message(skipped, limit=100):
    if not skipped:
        return None
    Party = Pool().get('party.party')
    shown = skipped[:limit]
    parties = Party.browse([t.id for t, _ in shown])
    lines = [gettext('local_tax.msg_batch_skipped', count=len(skipped))]
    lines += [f'{p.rec_name}: {m}' for p, (_, m) in zip(parties, shown)]
    return '\n'.join(lines)


class AssessmentBatchProgress(ModelSQL):
    __name__ = 'local_tax.assessment.batch.progress'
    __string__ = "Annual Assessment Progress"
    batch = fields.Many2One(
        'local_tax.assessment.batch', "Batch", required=True,
        ondelete='CASCADE')
    done = fields.Integer("Done")
    total = fields.Integer("Total")


class AssessStart(ModelView):
    __name__ = 'local_tax.assess.start'
    __string__ = "Assess Taxpayer"

    company = fields.Many2One('company.company', "Municipality", required=True)
    fiscal_year = fields.Integer("Fiscal Year", required=True)
    date = fields.Date("Issue Date", required=True)
    reason = fields.Text(
        "Reason", help="Why a corrective decision is issued: a declaration, "
        "a change of law …")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_fiscal_year(cls):
        return Pool().get('ir.date').today().year

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()


class Assess(Wizard):
    "Assess Taxpayer"
    __name__ = 'local_tax.assess'
    start = StateView('local_tax.assess.start',
        'local_tax.assess_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Assess", 'assess', 'tryton-ok', default=True),
            ])
    assess = StateAction('local_tax.act_assessment_form')

    def do_assess(self, action):
        pool = Pool()
        Assessment = pool.get('local_tax.assessment')
        User = pool.get('res.user')
        company = self.start.company
        # the assessment runs without the record rules: the clerk's
        # municipality is checked here
        if Transaction().user and company.id not in User.get_companies():
            raise AccessError(gettext('local_tax.msg_assess_company',
                    company=company.rec_name))
        with without_check_access():
            assessments = Assessment.assess(
                self.start.company, self.start.fiscal_year, self.start.date,
                taxpayers=list(self.records), reason=self.start.reason)
        action['domain'] = PYSONEncoder().encode(
            [('id', 'in', [a.id for a in assessments])])
        return action, {}
