# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Helper of scripts/bench/export: fill the database, or measure one export.

    export_memory.py -c CONF -d DB setup --rows N
    export_memory.py -c CONF -d DB measure roll|baseline

`measure` prints one line "<mode> <rows> <seconds> <peak MiB growth>"."""
import datetime as dt
import resource
import sys
import tempfile
import time
from decimal import Decimal

from lib.trytond_db import open_pool, parse_args, run_committed

CHUNK = 5000
YEAR = 2026


def peak_mib():
    "The peak resident set size of this process so far (Linux: KiB)"
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_locked(database, func):
    "Run func in a committed transaction, restarted for the locks it asks"
    return run_committed(database, func)


def setup(database, rows):
    from sql import Table

    from trytond.modules.local_tax.tests.test_module import set_rank
    from trytond.modules.local_tax.tests.tools import (
        create_decision, load_code_tables)
    from trytond.modules.municipality.tests.tools import create_municipality
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    def fill():
        pool = Pool()
        Assessment = pool.get('local_tax.assessment')
        load_code_tables(YEAR)
        company = create_municipality()
        set_rank(company, '0')
        create_decision(company, YEAR)
        cursor = Transaction().connection.cursor()
        party = Table('party_party')
        vehicle = Table('vehicle_vehicle')
        ownership = Table('ownership_ownership')
        now = dt.datetime.now()
        for start in range(0, rows, CHUNK):
            numbers = range(start, min(start + CHUNK, rows))
            cursor.execute(*party.insert(
                    [party.code, party.name, party.last_name,
                        party.first_name, party.person_type, party.active,
                        party.create_uid, party.create_date],
                    [[f'B{n}', f'Contribuabil{n:06d} Ion',
                            f'Contribuabil{n:06d}', 'Ion', 'natural', True,
                            0, now] for n in numbers]))
            cursor.execute(*vehicle.insert(
                    [vehicle.company, vehicle.registration_number,
                        vehicle.category, vehicle.fuel,
                        vehicle.cylinder_capacity, vehicle.euro_norm,
                        vehicle.registration_date, vehicle.active,
                        vehicle.create_uid, vehicle.create_date],
                    [[company.id, f'B{n:06d}XYZ', 'car', 'petrol',
                            1200 + n % 1800, 'euro5', dt.date(2020, 1, 1),
                            True, 0, now] for n in numbers]))
        # the n-th party owns the n-th car
        cursor.execute(*party.select(party.id,
                where=party.code.like('B%'), order_by=[party.id.asc]))
        parties = [r[0] for r in cursor]
        cursor.execute(*vehicle.select(vehicle.id,
                where=vehicle.registration_number.like('B%'),
                order_by=[vehicle.id.asc]))
        vehicles = [r[0] for r in cursor]
        pairs = list(zip(parties, vehicles))
        for start in range(0, len(pairs), CHUNK):
            cursor.execute(*ownership.insert(
                    [ownership.company, ownership.owner, ownership.vehicle,
                        ownership.share_numerator,
                        ownership.share_denominator, ownership.start_date,
                        ownership.create_uid, ownership.create_date],
                    [[company.id, p, v, 1, 1, dt.date(2020, 1, 1), 0, now]
                        for p, v in pairs[start:start + CHUNK]]))
        Transaction().counter += 1
        started = time.monotonic()
        decisions = Assessment.assess(company, YEAR, dt.date(2026, 3, 2))
        print(f'==> {len(decisions)} decisions issued in '
            f'{time.monotonic() - started:.1f} s', flush=True)

    run_locked(database, fill)


def measure(database, mode):
    import xlsxwriter

    from trytond.modules.local_tax.export import export_roll
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    with Transaction().start(database, 0, readonly=True):
        pool = Pool()
        Company = pool.get('company.company')
        company, = Company.search([])
        # warm up what every export needs (pool, caches), then measure
        with tempfile.TemporaryFile() as fileobj:
            export_roll(company, YEAR - 1, fileobj)
        before = peak_mib()
        started = time.monotonic()
        with tempfile.TemporaryFile() as fileobj:
            if mode == 'roll':
                count = export_roll(company, YEAR, fileobj)
            else:
                count = baseline(company, fileobj, xlsxwriter)
        seconds = time.monotonic() - started
        growth = peak_mib() - before
    print(f'{mode} {count} {seconds:.1f} {growth:.0f}')


def baseline(company, fileobj, xlsxwriter):
    """The same roll without streaming: one query read at once, the
    workbook built in memory (xlsxwriter's default mode)"""
    from trytond.transaction import Transaction
    cursor = Transaction().connection.cursor()
    cursor.execute(
        'SELECT a.number, a.date, a.kind, p.name, l.tax, '
        'v.registration_number, l.share, l.amount '
        'FROM local_tax_assessment_line l '
        'JOIN local_tax_assessment a ON a.id = l.assessment '
        'JOIN party_party p ON p.id = a.taxpayer '
        'LEFT JOIN vehicle_vehicle v ON v.id = l.vehicle '
        'WHERE a.company = ? AND a.fiscal_year = ? ORDER BY a.sequence, l.id',
        (company.id, YEAR))
    rows = cursor.fetchall()
    workbook = xlsxwriter.Workbook(fileobj, {'strings_to_formulas': False})
    worksheet = workbook.add_worksheet()
    money = workbook.add_format({'num_format': '#,##0.00'})
    for index, row in enumerate(rows, 1):
        for column, value in enumerate(row[:7]):
            worksheet.write_string(index, column, str(value))
        worksheet.write_number(index, 7, float(Decimal(str(row[7]))), money)
    workbook.close()
    return len(rows)


def main():
    def extra(parser):
        commands = parser.add_subparsers(dest='command', required=True)
        setup_ = commands.add_parser('setup')
        setup_.add_argument('--rows', type=int, default=100000)
        measure_ = commands.add_parser('measure')
        measure_.add_argument('mode', choices=['roll', 'baseline'])
    args = parse_args(__doc__.splitlines()[0], extra)
    open_pool(args.config, args.database)
    if args.command == 'setup':
        setup(args.database, args.rows)
    else:
        measure(args.database, args.mode)


if __name__ == '__main__':
    sys.exit(main())
