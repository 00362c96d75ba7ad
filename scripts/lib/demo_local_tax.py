"""Load the local-tax demo into a database made by scripts/demo.

The Code tables 2025 and 2026, the demo council decisions (data/local_tax/
demo-hcl-*.csv) imported and approved, the 2026 annual assessment issued on
15 January 2026, the corrective decisions after the OUG of 27 February 2026,
and a year of payments at the counter, by bank and through Ghișeul.ro, some
early (bonification), some late (surcharges), one cancelled.

Usage: python scripts/lib/demo_local_tax.py -c CONFIG [CONFIG ...] -d DATABASE [--seed 42]
"""
import datetime as dt
import random
from decimal import Decimal

from trytond_db import open_pool, parse_args, run_committed

YEAR = 2026
BATCH_DATE = dt.date(YEAR, 1, 15)
CORRECTION_DATE = dt.date(YEAR, 3, 2)


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        lambda parser: parser.add_argument('--seed', type=int, default=42))
    pool = open_pool(args.config, args.database)

    print(run_committed(
            args.database, lambda: load(pool, random.Random(args.seed))))


def load(pool, rng):
    from trytond.modules.local_tax.code_table import SHIPPED_DIR
    from trytond.modules.local_tax.decision_import import import_decision
    from trytond.transaction import Transaction

    CodeTable = pool.get('local_tax.code_table')
    Decision = pool.get('local_tax.council_decision')
    Company = pool.get('company.company')
    User = pool.get('res.user')

    company, = Company.search([], limit=1, order=[('id', 'ASC')])
    admin, = User.search([('login', '=', 'admin')])
    with Transaction().set_user(admin.id), Transaction().set_context(
            company=company.id, companies=[company.id], language='ro'):
        CodeTable.import_shipped()
        decisions = [import_decision(
                company, (SHIPPED_DIR / f'demo-hcl-{year}.csv').read_bytes())
            for year in (2025, YEAR)]
        Decision.approve(decisions)
        complete_legal_person_values(pool, company)
        batch = assess_year(pool, company)
        corrected = correct_after_ordinance(pool, company)
        desks = create_desks(pool, company, admin)
        payments = pay_year(pool, company, rng, desks)
        closings = close_days(pool, desks)
        certificates = issue_certificates(pool, company, rng)
    Receipt = pool.get('local_tax.receipt')
    return (f"local taxes: council decisions {', '.join(d.rec_name for d in decisions)}; "
        f"{batch.issued} tax decisions issued for {YEAR}, "
        f"{corrected} corrective decisions after the OUG of 27.02.{YEAR}, "
        f"{payments} payments, {Receipt.search_count([])} receipts, "
        f"{closings} daily cash closings, {certificates} fiscal certificates")


def issue_certificates(pool, company, rng):
    "Fiscal certificates for notarial sales, with and without debts"
    Certificate = pool.get('local_tax.fiscal_certificate')
    Assessment = pool.get('local_tax.assessment')
    taxpayers = sorted({a.taxpayer for a in Assessment.search([
                    ('company', '=', company.id),
                    ('fiscal_year', '=', YEAR),
                    ])}, key=lambda p: p.id)
    chosen = rng.sample(taxpayers, min(12, len(taxpayers)))
    for number, taxpayer in enumerate(chosen):
        Certificate.issue_for(company, taxpayer,
            dt.date(YEAR, 10, 1 + number),
            'transfer' if number % 3 else 'acquisition')
    return len(chosen)


def create_desks(pool, company, cashier):
    CashDesk = pool.get('local_tax.cash_desk')
    desks = CashDesk.create([{
                'company': company.id, 'code': code, 'name': name,
                'cashiers': [('add', [cashier.id])],
                } for code, name in [
                ('C1', "Casieria 1 – Primărie"),
                ('C2', "Casieria 2 – Centrul civic"),
                ]])
    return desks


def close_days(pool, desks):
    "Every day with receipts at the desks is closed, except the last one"
    Closing = pool.get('local_tax.cash_closing')
    Receipt = pool.get('local_tax.receipt')
    closings = []
    for desk in desks:
        days = sorted({r.date for r in Receipt.search(
                        [('cash_desk', '=', desk.id)])})
        closings += [Closing(company=desk.company, cash_desk=desk, date=day)
            for day in days[:-1]]
    Closing.save(closings)
    Closing.close(closings)
    return len(closings)


def complete_legal_person_values(pool, company):
    """A company declares the value of its buildings (art. 460): the
    generator knows nothing of taxable values, so give each building of a
    legal person a value of its accounts, revalued in 2023"""
    Ownership = pool.get('ownership.ownership')
    Building = pool.get('property.building')
    buildings = {o.building for o in Ownership.search([
                ('company', '=', company.id),
                ('building', '!=', None),
                ('owner.person_type', '=', 'legal'),
                ])}
    for building in buildings:
        area = building.built_area or building.useful_area or Decimal(100)
        building.tax_value = (area * 2500).quantize(Decimal(1))
        building.tax_value_source = 'valuation'
        building.tax_value_date = dt.date(2023, 6, 30)
    Building.save(list(buildings))


def assess_year(pool, company):
    """The annual batch; objects the Code tables cannot tax yet (goods
    vehicles of 12 t and more: their amounts are not in the shipped
    tables) are listed, not assessed"""
    Batch = pool.get('local_tax.assessment.batch')
    batch = Batch(company=company, fiscal_year=YEAR, date=BATCH_DATE,
        on_error='skip')
    batch.save()
    Batch.write([batch], {'state': 'running'})
    Batch.process([batch])
    if batch.state != 'done':
        raise SystemExit(f"the {YEAR} assessment failed: {batch.message}")
    return batch


def correct_after_ordinance(pool, company):
    "The OUG of 27.02.2026 restored the reductions by age: correct"
    Assessment = pool.get('local_tax.assessment')
    taxpayers = list({a.taxpayer for a in Assessment.search([
                    ('company', '=', company.id),
                    ('fiscal_year', '=', YEAR),
                    ])})
    taxpayers.sort(key=lambda p: p.id)
    corrected = Assessment.assess(company, YEAR, CORRECTION_DATE,
        taxpayers=taxpayers,
        reason="OUG din 27.02.2026: reducerile în funcție de vechimea "
        "clădirii")
    return len(corrected)


def pay_year(pool, company, rng, desks):
    """Payments of a year, by the behaviour of the taxpayers: the whole year
    by 31 March (bonification), the two instalments on time, late, part,
    or nothing"""
    FiscalFile = pool.get('local_tax.fiscal_file')
    Payment = pool.get('local_tax.payment')
    Receipt = pool.get('local_tax.receipt')
    Assessment = pool.get('local_tax.assessment')
    Decision = pool.get('local_tax.council_decision')
    taxpayers = sorted({a.taxpayer for a in Assessment.search([
                    ('company', '=', company.id),
                    ('fiscal_year', '=', YEAR),
                    ])}, key=lambda p: p.id)
    count = 0
    channels = ['cash', 'cash', 'card', 'bank', 'ghiseul']
    for number, taxpayer in enumerate(taxpayers):
        due = sum((b for o, b in FiscalFile.balances(company, taxpayer)
                if b > 0 and o.fiscal_year == YEAR), Decimal(0))
        if not due:
            continue
        behaviour = rng.choices(
            ['early', 'on_time', 'late', 'part', 'none'],
            weights=[35, 30, 15, 10, 10])[0]
        channel = rng.choice(channels)
        external = (f'{channel.upper()}-{YEAR}-{number:06d}'
            if channel in {'bank', 'ghiseul'} else None)
        desk = rng.choice(desks) if channel in {'cash', 'card'} else None

        def pay(amount, date, suffix=''):
            nonlocal count
            count += 1
            values = {'cash_desk': desk} if desk else {}
            payment = Payment.receive(company, taxpayer, amount, date,
                channel, external_id=external and external + suffix,
                **values)
            if channel == 'ghiseul':
                Receipt.issue_for(payment)
            return payment
        if behaviour == 'early':
            # the whole year less the HCL's bonification (the allocation
            # grants it)
            on = dt.date(YEAR, 3, rng.randint(3, 31))
            rate = Decision.get_applicable(company, YEAR, on).bonification
            pay(due - (due * rate / 100).quantize(Decimal('0.01')), on)
        elif behaviour == 'on_time':
            half = (due / 2).quantize(Decimal('0.01'))
            pay(half, dt.date(YEAR, 3, rng.randint(3, 31)), '-1')
            pay(due - half, dt.date(YEAR, 9, rng.randint(1, 30)), '-2')
        elif behaviour == 'late':
            pay(due, dt.date(YEAR, rng.randint(5, 10), rng.randint(1, 28)))
        elif behaviour == 'part':
            pay((due / 3).quantize(Decimal('0.01')),
                dt.date(YEAR, 4, rng.randint(1, 30)))
    # a payment booked on the wrong taxpayer, cancelled by a reversal
    booked = Payment.search([('channel', '=', 'cash')], limit=1,
        order=[('date', 'DESC'), ('id', 'DESC')])
    if booked:
        Payment.cancel(booked)
    return count


if __name__ == '__main__':
    main()
