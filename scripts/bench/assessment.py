"""The annual-assessment benchmark (issue 3), run by scripts/bench/assessment.

  prepare  on a database filled by scripts/generate: load the 2026 Code
           table, give the buildings of legal persons a taxable value
           (art. 460 needs one; the generator belongs to the municipality
           module, which knows no tax value) and approve the 2026 council
           decision of the municipality;
  run      create a local_tax.assessment.batch and process it in ONE
           transaction (Assessment.assess → decisions, lines, obligations),
           then, in another transaction, the raw-SQL baseline: the same
           number of local_tax_assessment_line rows written with plain
           multi-row INSERTs of the same columns, in chunks of the same size
           as local_tax.bulk.  The last line is
           RESULT assessment taxpayers=<n> seconds=<s> baseline_seconds=<b>
           ratio=<s/b>

Usage: python scripts/bench/assessment.py {prepare,run} -c CONFIG -d DB
       [--date 2026-03-02] [--profile FILE]
"""
import argparse
import datetime as dt
import hashlib
import os
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))

YEAR = 2026
# The council decision of the benchmark: the rates of the tests' decision
# (addons/local_tax/tests/tools.py), the rates of legal persons, a 10 %
# bonification, and for every range of the Code table left to the council
# (built land by zone and rank, extravilan land by category) its minimum.
DECISION = {
    'number': '1',
    'date': dt.date(YEAR - 1, 12, 18),
    'building_rate_residential': Decimal('0.1'),
    'building_rate_non_residential': Decimal('0.5'),
    'pj_building_rate_residential': Decimal('0.2'),
    'pj_building_rate_non_residential': Decimal('1.0'),
    'bonification': Decimal('10'),
    'hybrid_reduction': Decimal('30'),
    }
LINE_COLUMNS = [
    'assessment', 'tax', 'building', 'parcel', 'vehicle', 'share',
    'object_tax', 'relief', 'amount', 'articles', 'unverified']


def log(message):
    print(f'==> {message}', flush=True)


def run_locked(database, func, context=None):
    "Run func in a committed transaction, restarted for the locks it asks"
    from trytond_db import run_committed
    return run_committed(database, func, context)


def municipality():
    from trytond.pool import Pool
    Company = Pool().get('company.company')
    companies = Company.search([('siruta', '!=', None)])
    if len(companies) != 1:
        sys.exit(f"expected one generated municipality, found "
            f"{len(companies)}: run scripts/generate first")
    return companies[0]


def prepare(args):
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    def code_table():
        CodeTable = Pool().get('local_tax.code_table')
        if not CodeTable.search([('year', '=', YEAR)]):
            CodeTable.import_shipped([YEAR])
        return municipality().id
    company_id = run_locked(args.database, code_table)

    def tax_values():
        "Art. 460: the value of each building a legal person owns"
        cursor = Transaction().connection.cursor()
        liability = dt.date(YEAR - 1, 12, 31)
        # one in four valued more than 5 years ago: the 5 % rate applies
        cursor.execute("""
            UPDATE property_building AS b SET
                tax_value = ROUND(COALESCE(b.built_area, b.useful_area * 1.4)
                    * (1500 + b.id %% 7 * 100), 2),
                tax_value_source = 'valuation',
                tax_value_date = CASE WHEN b.id %% 4 = 0
                    THEN DATE '2019-06-30' ELSE DATE '2023-06-30' END
            WHERE b.tax_value IS NULL AND b.id IN (
                SELECT o.building FROM ownership_ownership AS o
                JOIN party_party AS p ON p.id = o.owner
                WHERE p.person_type = 'legal' AND o.building IS NOT NULL
                    AND o.start_date <= %s
                    AND (o.end_date IS NULL OR o.end_date > %s))""",
            (liability, liability))
        return cursor.rowcount
    valued = run_locked(args.database, tax_values)
    if valued:
        log(f"taxable value given to {valued} buildings of legal persons")

    def untaxable_vehicles():
        """The module has no table yet for goods vehicles and road trains of
        12 t or more (art. 470(5), (6): amounts not in the Code table, see
        the Code table has no amounts for them): the batch would stop on the first one.  They
        are deregistered on 31 December of the previous year, so that they
        are not tax objects of the year."""
        from trytond.modules.local_tax.rules import TAXED_VEHICLE_CATEGORIES
        cursor = Transaction().connection.cursor()
        liability = dt.date(YEAR - 1, 12, 31)
        cursor.execute("""
            UPDATE vehicle_vehicle SET deregistration_date = %s
            WHERE category <> ALL(%s) AND registration_date <= %s
                AND (deregistration_date IS NULL
                    OR deregistration_date > %s)""",
            (liability, sorted(TAXED_VEHICLE_CATEGORIES), liability,
                liability))
        return cursor.rowcount
    deregistered = run_locked(args.database, untaxable_vehicles)
    if deregistered:
        log(f"{deregistered} vehicles of categories the module cannot tax "
            f"yet (art. 470(5), (6)) deregistered on {YEAR - 1}-12-31")

    def decision():
        pool = Pool()
        Decision = pool.get('local_tax.council_decision')
        CodeTable = pool.get('local_tax.code_table')
        from trytond.modules.local_tax.decision import PERCENT_PARAMETERS
        company = pool.get('company.company')(company_id)
        if Decision.search([
                    ('company', '=', company.id),
                    ('fiscal_year', '=', YEAR),
                    ('state', '=', 'approved')]):
            return None
        table, = CodeTable.search([('year', '=', YEAR)])
        amounts = [{'code_line': l.id, 'amount': l.minimum}
            for l in table.lines
            if l.is_range and l.kind not in PERCENT_PARAMETERS]
        record = Decision(
            company=company, fiscal_year=YEAR, code_table=table,
            amounts=amounts, **DECISION)
        record.save()
        Decision.approve([record])
        return record.rec_name
    name = run_locked(args.database, decision, {'company': company_id})
    log(f"council decision {name or '(already there)'} approved for {YEAR}")


def count(cursor, table):
    cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
    return cursor.fetchone()[0]


def digest(cursor):
    """A digest of everything the assessment wrote, to check that a tuning
    changes no result (same database, same ids)"""
    md5 = hashlib.md5()
    cursor.execute("""
        SELECT a.taxpayer, a.number, a.total, a.bonification_deadline,
            l.tax, l.building, l.parcel, l.vehicle, l.share, l.object_tax,
            l.relief, l.amount, l.articles, l.unverified
        FROM local_tax_assessment_line AS l
        JOIN local_tax_assessment AS a ON a.id = l.assessment
        ORDER BY a.taxpayer, l.id""")
    for row in cursor:
        md5.update(repr(row).encode())
    cursor.execute("""
        SELECT o.taxpayer, o.tax_type, o.description, o.amount, o.date,
            o.due_date, o.instalment, a.number
        FROM local_tax_obligation AS o
        JOIN local_tax_assessment AS a ON a.id = o.assessment
        ORDER BY o.taxpayer, o.id""")
    for row in cursor:
        md5.update(repr(row).encode())
    return md5.hexdigest()


def run(args):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from trytond.modules.local_tax import bulk

    def create_batch():
        pool = Pool()
        Batch = pool.get('local_tax.assessment.batch')
        company = municipality()
        cursor = Transaction().connection.cursor()
        if count(cursor, 'local_tax_assessment'):
            sys.exit("the database already has tax decisions: "
                "run the benchmark on a fresh copy")
        batch, = Batch.create([{
                    'company': company.id, 'fiscal_year': YEAR,
                    'date': args.date, 'state': 'running'}])
        cursor.execute("SELECT COUNT(*) FROM party_party")
        parties, = cursor.fetchone()
        return batch.id, company.id, parties
    batch_id, company_id, parties = run_locked(args.database, create_batch)
    log(f"batch {batch_id}: assessing {YEAR} on {args.date} "
        f"({parties} parties in the database), one transaction")

    def assess():
        Batch = Pool().get('local_tax.assessment.batch')
        Batch.process(Batch.browse([batch_id]))

    profiler = None
    if args.profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    run_locked(args.database, assess, {'company': company_id})
    seconds = time.perf_counter() - start
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
        log(f"profile written to {args.profile}")

    def results():
        Batch = Pool().get('local_tax.assessment.batch')
        batch = Batch(batch_id)
        if batch.state != 'done':
            sys.exit(f"the batch failed: {batch.message}")
        cursor = Transaction().connection.cursor()
        return (batch.issued, count(cursor, 'local_tax_assessment_line'),
            count(cursor, 'local_tax_obligation'), digest(cursor))
    issued, lines, obligations, checksum = run_locked(
        args.database, results)
    log(f"assessment: {issued} decisions, {lines} lines, {obligations} "
        f"obligations in {seconds:.2f} s (digest {checksum})")

    # The baseline: the lines just written, read back (not timed) and
    # inserted again as plain multi-row INSERTs, chunk by chunk
    def read_lines():
        cursor = Transaction().connection.cursor()
        cursor.execute(
            'SELECT ' + ', '.join(f'"{c}"' for c in LINE_COLUMNS)
            + ' FROM local_tax_assessment_line ORDER BY id')
        return cursor.fetchall()
    rows = run_locked(args.database, read_lines)

    def baseline():
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        # the ids as the assessment takes them
        ids = bulk.allocate_ids(
            Pool().get('local_tax.assessment.line'), len(rows))
        now = dt.datetime.now()
        columns = ', '.join(
            f'"{c}"' for c in ['id'] + LINE_COLUMNS
            + ['create_uid', 'create_date'])
        placeholder = '(' + ', '.join(
            ['%s'] * (len(LINE_COLUMNS) + 3)) + ')'
        statements = {}
        for start in range(0, len(rows), bulk.CHUNK):
            chunk = rows[start:start + bulk.CHUNK]
            sql = statements.get(len(chunk))
            if sql is None:
                sql = statements[len(chunk)] = (
                    f'INSERT INTO local_tax_assessment_line ({columns}) '
                    'VALUES ' + ', '.join([placeholder] * len(chunk)))
            params = []
            for id_, row in zip(ids[start:start + bulk.CHUNK], chunk):
                params.extend((id_,) + tuple(row) + (0, now))
            cursor.execute(sql, params)
    start = time.perf_counter()
    run_locked(args.database, baseline)
    baseline_seconds = time.perf_counter() - start
    log(f"baseline: {len(rows)} lines in {baseline_seconds:.2f} s "
        f"(plain multi-row INSERT, {bulk.CHUNK} rows per statement)")

    # For comparison only: the same rows with COPY, as local_tax.bulk writes
    # them on PostgreSQL (bulk.copy_rows; not the baseline of the RESULT
    # line, which the issue defines as plain INSERTs)
    def copy_baseline():
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        # the ids as the assessment takes them
        ids = bulk.allocate_ids(
            Pool().get('local_tax.assessment.line'), len(rows))
        now = dt.datetime.now()
        columns = ['id'] + LINE_COLUMNS + ['create_uid', 'create_date']
        for start in range(0, len(rows), bulk.CHUNK):
            bulk.copy_rows(cursor, 'local_tax_assessment_line', columns, [
                    (id_,) + tuple(row) + (0, now) for id_, row in zip(
                        ids[start:start + bulk.CHUNK],
                        rows[start:start + bulk.CHUNK])])
    start = time.perf_counter()
    run_locked(args.database, copy_baseline)
    copy_seconds = time.perf_counter() - start
    log(f"the same lines with COPY ({bulk.CHUNK} rows per COPY): "
        f"{copy_seconds:.2f} s, ratio {seconds / copy_seconds:.2f}")
    print(f"RESULT assessment taxpayers={issued} seconds={seconds:.2f} "
        f"baseline_seconds={baseline_seconds:.2f} "
        f"ratio={seconds / baseline_seconds:.2f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('command', choices=['prepare', 'run'])
    parser.add_argument('-c', '--config', nargs='+', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--date', type=dt.date.fromisoformat,
        default=dt.date(YEAR, 3, 2),
        help="issue date of the decisions (default %(default)s)")
    parser.add_argument('--profile', metavar='FILE',
        help="write a cProfile of the assessment to FILE")
    args = parser.parse_args()
    from trytond_db import open_pool
    open_pool(args.config, args.database)
    {'prepare': prepare, 'run': run}[args.command](args)


if __name__ == '__main__':
    main()
