"""Fill an initialised OpenPrimărie database with deterministic demo data.

  scripts/generate --config CONFIG --database DB [--persons N] [--seed S]
                   [--municipality-name NAME] [--year Y]

The database must exist with the municipality module activated
(trytond-admin -u municipality --activate-dependencies).  Without --config,
TRYTOND_CONFIG is read; TRYTOND_DATABASE_URI and the other TRYTOND_*
variables apply as for trytond itself.  The same seed and size give the same
data (only the dates of this year's deeds follow the day of the run, so that
none is in the future).  With --jobs > 1, the default on PostgreSQL from
20 000 persons, batches are written by parallel worker processes: the data
is the same, only the database ids are interleaved differently.
"""
import argparse
import datetime as dt
import os
import sys
import time
import unicodedata


def _key(name):
    name = unicodedata.normalize('NFKD', name.casefold())
    name = ''.join(c for c in name if not unicodedata.combining(c))
    for prefix in ('municipiul ', 'comuna ', 'orasul '):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return name.strip()


def parse_args(argv=None):
    from .plan import DEFAULT_UAT, UATS
    parser = argparse.ArgumentParser(
        prog='scripts/generate',
        description=__doc__,
        usage=argparse.SUPPRESS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Municipalities of the SIRUTA fixture: " + ', '.join(
            u['party_name'] for u in UATS.values()))
    parser.add_argument('-c', '--config',
        default=os.environ.get('TRYTOND_CONFIG'),
        help="trytond configuration file (default: $TRYTOND_CONFIG)")
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--persons', type=int, default=600,
        help="number of natural persons (default 600)")
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--municipality-name',
        default=UATS[DEFAULT_UAT]['name'],
        help="the UAT to create: %(default)s by default")
    parser.add_argument('--year', type=int,
        help="the current tax year: sales and new assets fall in it "
        "(default: this year)")
    parser.add_argument('--batch-size', type=int, default=1000,
        help="records per ORM call and per transaction (default 1000)")
    parser.add_argument('--jobs', type=int,
        help="worker processes writing batches in parallel (PostgreSQL "
        "only; default: 1 below 20000 persons, else up to 2 per the CPUs)")
    parser.add_argument('--no-progress', action='store_true',
        help="no progress bars on stderr")
    parser.add_argument('--dry-run', action='store_true',
        help="only compute the data and print its statistics")
    args = parser.parse_args(argv)
    if args.persons < 10:
        parser.error("--persons must be at least 10")
    by_name = {_key(u['name']): code for code, u in UATS.items()}
    by_name.update({_key(u['party_name']): code for code, u in UATS.items()})
    args.uat = by_name.get(_key(args.municipality_name))
    if args.uat is None:
        parser.error(f"unknown municipality {args.municipality_name!r}; "
            "choose one of " + ', '.join(u['name'] for u in UATS.values()))
    today = dt.date.today()
    if args.year is None:
        args.year = today.year
    elif not (1990 < args.year <= today.year + 1):
        parser.error("--year must be between 1991 and next year")
    return args


def main(argv=None):
    args = parse_args(argv)
    start = time.monotonic()

    from .plan import Plan

    if args.dry_run:
        plan = Plan(args.persons, seed=args.seed, uat=args.uat,
            year=args.year)
        for key, value in plan.stats().items():
            print(f'{key:>20}: {value}')
        return

    from trytond.config import update_etc
    if args.config:
        update_etc(args.config)

    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from .load import AlreadyGenerated, Loader, existing_identifiers

    Pool.start()
    pool = Pool(args.database)
    with Transaction().start(args.database, 0, readonly=True):
        pool.init()
        try:
            pool.get('ownership.ownership')
        except KeyError:
            sys.exit(f"generate: the module 'municipality' is not activated "
                f"in database {args.database!r}")

    from trytond import backend
    jobs = args.jobs
    if backend.name == 'sqlite':
        jobs = 1            # one writer at a time
    elif jobs is None:
        jobs = 1 if args.persons < 20000 else max(1, min(
                2, len(os.sched_getaffinity(0))))
    taken = existing_identifiers(args.database)
    plan = Plan(args.persons, seed=args.seed, uat=args.uat, year=args.year,
        taken=taken)
    loader = Loader(args.database, plan, batch_size=args.batch_size,
        progress=not args.no_progress, jobs=jobs, config=args.config)
    try:
        loader.setup()
    except AlreadyGenerated as exception:
        sys.exit(f"generate: {exception}")
    loader.start_workers()
    try:
        loader.persons()
        loader.companies()
        loader.parcels()
        loader.buildings()
        loader.vehicles()
        loader.sales()
    finally:
        loader.stop_workers()

    seconds = time.monotonic() - start
    timings = ' '.join(f'{k}={v:.1f}s' for k, v in loader.timings.items())
    print(f"phases: {timings} (jobs={jobs})", file=sys.stderr)
    counts = loader.counts
    print(f"generated persons={counts['persons']} "
        f"companies={counts['companies']} parcels={counts['parcels']} "
        f"buildings={counts['buildings']} vehicles={counts['vehicles']} "
        f"ownerships={counts['ownerships']} seconds={seconds:.1f}")
