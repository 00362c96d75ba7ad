# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The row readers of the spreadsheet exports (export.py): generators
reading the database in chunks with keyset pagination (each chunk starts
after the last row of the previous one) and yielding the rows as they go,
for the constant-memory writer of municipality.spreadsheet."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from itertools import groupby, islice

from sql import Literal, Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce
from sql.operators import Exists

from trytond.pool import Pool
from trytond.transaction import Transaction

from .fiscal_file import ACCESSORY_TYPES, TAX_TYPES, ZERO, money, surcharge

CHUNK = 2000
CENT = Decimal('0.01')
# Days past the due date: the debtors' ageing buckets (upper bound included)
AGEING = [(1, 30), (31, 90), (91, 365), (366, None)]
ASSETS = ['property.building', 'property.parcel', 'vehicle.vehicle']


def decimal(value):
    "A database sum as a Decimal (SQLite returns floats or strings)"
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def as_date(value):
    "A database date (SQLite returns strings)"
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def selection(model, field):
    "The translated labels of a selection field"
    Model = Pool().get(model)
    return dict(Model.fields_get([field])[field]['selection'])


def fiscal_codes(taxpayers):
    "taxpayer id → CNP or CUI"
    Identifier = Pool().get('party.identifier')
    identifier = Identifier.__table__()
    cursor = Transaction().connection.cursor()
    result = {}
    if not taxpayers:
        return result
    cursor.execute(*identifier.select(
            identifier.party, identifier.code_compact,
            where=identifier.party.in_(sorted(taxpayers))
            & identifier.type.in_(['ro_cnp', 'ro_cui']),
            order_by=[identifier.id.asc]))
    for party, code in cursor:
        result.setdefault(party, code)
    return result


def rec_names(model, ids):
    "id → rec_name of the records (read for one chunk)"
    if not ids:
        return {}
    Model = Pool().get(model)
    return {r['id']: r['rec_name']
        for r in Model.read(sorted(ids), ['rec_name'])}


def split(amounts, parts):
    """Split each part (an instalment) over the amounts in proportion, so
    that the shares add up to the part: each share is the rounded
    cumulative share less the previous one"""
    total = sum(amounts, ZERO)
    result = [[ZERO] * len(parts) for _ in amounts]
    if not total:
        return result
    for j, part in enumerate(parts):
        cumulated, previous = ZERO, ZERO
        for i, amount in enumerate(amounts):
            cumulated += amount
            current = (cumulated * part / total).quantize(CENT)
            result[i][j] = current - previous
            previous = current
    return result


def chunks(iterable, size=CHUNK):
    "Lists of up to size items of the iterable"
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


# The assessment roll ---------------------------------------------------------

def roll_rows(company, year):
    """One row per object of each taxpayer's decision in force in the
    fiscal year (the last one: a corrective decision replaces the decision
    it corrects), with the annual tax and its share of the two instalments
    (art. 462, 467, 472) as booked, net of the corrections"""
    taxes = selection('local_tax.assessment.line', 'tax')
    kinds = selection('local_tax.assessment', 'kind')
    for decisions in _decisions_in_force(company, year):
        lines, names = _lines_and_names([d[0] for d in decisions])
        taxpayers = {d[5] for d in decisions}
        codes = fiscal_codes(taxpayers)
        instalments = _instalments_booked(company, year, taxpayers)
        for id_, _, number, date, kind, taxpayer, name in decisions:
            by_tax = defaultdict(list)
            for row in lines[id_]:
                by_tax[row[1]].append(row)
            for tax, rows in by_tax.items():
                amounts = [decimal(r[6]) for r in rows]
                shares = split(amounts, instalments[(taxpayer, tax)])
                for row, amount, share in zip(rows, amounts, shares):
                    model, asset = next(
                        (m, a) for m, a in zip(ASSETS, row[2:5]) if a)
                    yield [
                        number, date, kinds.get(kind, kind), name,
                        codes.get(taxpayer), taxes.get(tax, tax),
                        names[model].get(asset), row[5], amount,
                        share[0], share[1]]


def _decisions_in_force(company, year):
    """Chunks of (id, sequence, number, date, kind, taxpayer, name) of the
    decisions of the year not superseded by a later one, by sequence"""
    pool = Pool()
    Assessment = pool.get('local_tax.assessment')
    Party = pool.get('party.party')
    assessment = Assessment.__table__()
    later = Assessment.__table__()
    party = Party.__table__()
    cursor = Transaction().connection.cursor()
    superseded = later.select(Literal(1),
        where=(later.company == assessment.company)
        & (later.fiscal_year == assessment.fiscal_year)
        & (later.taxpayer == assessment.taxpayer)
        & (later.sequence > assessment.sequence))
    last = -1
    while True:
        cursor.execute(*assessment.join(party,
                condition=party.id == assessment.taxpayer
                ).select(
                assessment.id, assessment.sequence, assessment.number,
                assessment.date, assessment.kind, assessment.taxpayer,
                party.name,
                where=(assessment.company == company.id)
                & (assessment.fiscal_year == year)
                & (assessment.sequence > last)
                & ~Exists(superseded),
                order_by=[assessment.sequence.asc],
                limit=CHUNK))
        decisions = cursor.fetchall()
        if not decisions:
            return
        last = decisions[-1][1]
        yield decisions


def _lines_and_names(assessments):
    """assessment id → its lines (assessment, tax, building, parcel,
    vehicle, share, amount), and model → id → rec_name of their objects"""
    Line = Pool().get('local_tax.assessment.line')
    line = Line.__table__()
    cursor = Transaction().connection.cursor()
    lines = defaultdict(list)
    assets = defaultdict(set)
    cursor.execute(*line.select(
            line.assessment, line.tax, line.building, line.parcel,
            line.vehicle, line.share, line.amount,
            where=line.assessment.in_(assessments),
            order_by=[line.assessment.asc, line.id.asc]))
    for row in cursor:
        lines[row[0]].append(row)
        for model, id_ in zip(ASSETS, row[2:5]):
            if id_:
                assets[model].add(id_)
    names = {model: rec_names(model, ids)
        for model, ids in assets.items()}
    return lines, names


def _instalments_booked(company, year, taxpayers):
    """(taxpayer, tax) → [instalment 1, instalment 2] booked by the
    decisions of the year, less the corrections"""
    pool = Pool()
    Obligation = pool.get('local_tax.obligation')
    Reduction = pool.get('local_tax.obligation.reduction')
    obligation = Obligation.__table__()
    reduction = Reduction.__table__()
    cursor = Transaction().connection.cursor()
    instalments = defaultdict(lambda: [ZERO, ZERO])
    cursor.execute(*obligation.select(
            obligation.id, obligation.taxpayer, obligation.tax_type,
            obligation.instalment, obligation.amount,
            where=(obligation.company == company.id)
            & (obligation.fiscal_year == year)
            & (obligation.assessment != Null)
            & obligation.taxpayer.in_(sorted(taxpayers))))
    by_id = {}
    for id_, taxpayer, tax, instalment, amount in cursor:
        by_id[id_] = (taxpayer, tax, min(max(instalment or 1, 1), 2))
        instalments[by_id[id_][:2]][by_id[id_][2] - 1] += decimal(amount)
    if by_id:
        cursor.execute(*reduction.select(
                reduction.obligation, Sum(reduction.amount),
                where=reduction.obligation.in_(sorted(by_id))
                & (reduction.reason == 'correction'),
                group_by=[reduction.obligation]))
        for id_, amount in cursor:
            taxpayer, tax, instalment = by_id[id_]
            instalments[(taxpayer, tax)][instalment - 1] -= decimal(amount)
    return instalments


# The debtors -----------------------------------------------------------------

def ageing_bucket(due_date, date):
    "The index of the ageing bucket of a debt due on due_date, on the date"
    days = (date - due_date).days
    for index, (_, upper) in enumerate(AGEING):
        if upper is None or days <= upper:
            return index


def debtor_rows(company, date):
    """One row per taxpayer with obligations overdue on the date, by name:
    name, fiscal code, the unpaid principal by days past due, the
    principal, the surcharges (CPF art. 183) booked and unpaid or borne to
    the date, the total"""
    debts = groupby(_overdue_balances(company, date), key=lambda d: d[:2])
    debtors = ((taxpayer, name, _debtor_amounts(company, date, balances))
        for (taxpayer, name), balances in debts)
    for chunk in chunks(d for d in debtors if any(d[2])):
        codes = fiscal_codes({d[0] for d in chunk})
        for taxpayer, name, amounts in chunk:
            yield [name, codes.get(taxpayer)] + [money(a) for a in amounts]


def _debtor_amounts(company, date, balances):
    "The amounts of the debtor's row from its unpaid balances"
    FiscalFile = Pool().get('local_tax.fiscal_file')
    amounts = [ZERO] * (len(AGEING) + 3)
    rate = None
    for _, _, tax_type, balance, due_date in balances:
        if tax_type in ACCESSORY_TYPES:
            amounts[-2] += balance
            continue
        amounts[ageing_bucket(due_date, date)] += balance
        amounts[-3] += balance
        if FiscalFile.bears_surcharge(tax_type, due_date, date):
            if rate is None:
                rate = FiscalFile.surcharge_rate(company, date)
            amounts[-2] += surcharge(balance, due_date, date, rate)
    amounts[-1] = amounts[-3] + amounts[-2]
    return amounts


def _overdue_balances(company, date):
    """(taxpayer, name, tax type, unpaid balance, due date) of each posted
    obligation overdue on the date with something left to pay, by name,
    taxpayer and id"""
    pool = Pool()
    Obligation = pool.get('local_tax.obligation')
    Party = pool.get('party.party')
    obligation = Obligation.__table__()
    party = Party.__table__()
    cursor = Transaction().connection.cursor()
    name_ = Coalesce(party.name, '')
    last = None
    while True:
        where = ((obligation.company == company.id)
            & (obligation.state == 'posted')
            & (obligation.date <= date)
            & (obligation.due_date < date))
        if last is not None:
            last_name, last_taxpayer, last_id = last
            where &= ((name_ > last_name)
                | ((name_ == last_name)
                    & (obligation.taxpayer > last_taxpayer))
                | ((name_ == last_name)
                    & (obligation.taxpayer == last_taxpayer)
                    & (obligation.id > last_id)))
        cursor.execute(*obligation.join(party,
                condition=party.id == obligation.taxpayer
                ).select(
                obligation.id, obligation.taxpayer, name_,
                obligation.tax_type, obligation.amount, obligation.due_date,
                where=where,
                order_by=[name_.asc, obligation.taxpayer.asc,
                    obligation.id.asc],
                limit=CHUNK))
        rows = cursor.fetchall()
        if not rows:
            return
        last = (rows[-1][2], rows[-1][1], rows[-1][0])
        paid = Obligation._amounts([r[0] for r in rows], date)
        for id_, taxpayer, name, tax_type, amount, due_date in rows:
            balance = decimal(amount) - sum(paid[id_])
            if balance > 0:
                yield taxpayer, name, tax_type, balance, as_date(due_date)


# The collections -------------------------------------------------------------

def collection_rows(company, from_date, to_date):
    """One row per day of the period with payments: what they extinguished
    by revenue (tax type, in the order of TAX_TYPES), from their
    allocations (reversals count negative), and the day's total"""
    types = [t for t, _ in TAX_TYPES]
    for days, by_day in _collected_days(company, from_date, to_date):
        for day in days:
            values = [by_day[day].get(t, ZERO) for t in types]
            yield [as_date(day)] + values + [sum(values, ZERO)]


def _collected_days(company, from_date, to_date):
    """Chunks of (the days with allocations, day → tax type → amount):
    whole days per chunk, the days read first"""
    pool = Pool()
    Allocation = pool.get('local_tax.payment.allocation')
    Obligation = pool.get('local_tax.obligation')
    allocation = Allocation.__table__()
    obligation = Obligation.__table__()
    cursor = Transaction().connection.cursor()
    join = allocation.join(obligation,
        condition=obligation.id == allocation.obligation)
    last = None
    while True:
        where = ((obligation.company == company.id)
            & (allocation.date >= from_date)
            & (allocation.date <= to_date))
        if last is not None:
            where &= allocation.date > last
        cursor.execute(*join.select(allocation.date,
                where=where, group_by=[allocation.date],
                order_by=[allocation.date.asc], limit=CHUNK))
        days = [r[0] for r in cursor]
        if not days:
            return
        last = days[-1]
        cursor.execute(*join.select(
                allocation.date, obligation.tax_type, Sum(allocation.amount),
                where=where & (allocation.date <= last),
                group_by=[allocation.date, obligation.tax_type],
                order_by=[allocation.date.asc]))
        by_day = defaultdict(dict)
        for day, tax_type, amount in cursor:
            by_day[day][tax_type] = decimal(amount)
        yield days, by_day
