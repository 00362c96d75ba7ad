# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Helpers to load the Code tables and adopt council decisions in tests"
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool


def load_code_tables(*years):
    "Import the shipped Code tables of the years (all when none given)"
    CodeTable = Pool().get('local_tax.code_table')
    return CodeTable.import_shipped(years or None)


def code_line(year, kind, date=None, **keys):
    "The one line of the year's Code table for the kind and keys"
    CodeTable = Pool().get('local_tax.code_table')
    table, = CodeTable.search([('year', '=', year)])
    lines = [l for l in table.lines
        if l.kind == kind and l.matches(date, **keys)]
    assert len(lines) == 1, (kind, keys, lines)
    return lines[0]


def create_decision(
        company, year, amounts=None, approve=True, number='1',
        date=None, residential='0.1', non_residential='0.5', **values):
    """Adopt the council decision of the fiscal year, with the amounts
    given as (kind, {keys of the Code line}, amount)"""
    pool = Pool()
    Decision = pool.get('local_tax.council_decision')
    CodeTable = pool.get('local_tax.code_table')
    table, = CodeTable.search([('year', '=', year)])
    lines = []
    for kind, keys, amount in amounts or []:
        lines.append({
                'code_line': code_line(year, kind, **keys).id,
                'amount': Decimal(amount),
                })
    decision = Decision(
        company=company, fiscal_year=year, code_table=table, number=number,
        date=date or dt.date(year - 1, 12, 18),
        building_rate_residential=Decimal(residential),
        building_rate_non_residential=Decimal(non_residential),
        **values)
    decision.amounts = lines
    decision.save()
    if approve:
        Decision.approve([decision])
    return decision


def owner_taxes(owner, company, year, date):
    """The council decision applied and the lines of the owner's tax
    decision of the year on the date, as the assessment computes them"""
    from ..assessment import Computation
    computation = Computation(company, year, date)
    return computation.decision, computation.lines_of_owner(owner)
