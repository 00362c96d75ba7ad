#!/usr/bin/env python3
# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of the citizen portal's "my taxes" page (issue 5), driven by
scripts/bench/portal.

    portal_bench.py setup -c CONF -d DB --citizens N   assessed taxpayers get
        validated accounts with open sessions; writes the cookies file
    portal_bench.py load --url URL --path PATH --cookies FILE --clients 20
        --seconds S   the same load on PATH and on /bench/bare, then RESULT

The load: `clients` concurrent clients (asyncio + aiohttp, keep-alive), each
request for a random validated citizen (its own session cookie)."""
import argparse
import asyncio
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assessment import YEAR, log, municipality, run_locked  # noqa: E402


def setup(args):
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    def assess():
        pool = Pool()
        Assessment = pool.get('local_tax.assessment')
        Batch = pool.get('local_tax.assessment.batch')
        company = municipality()
        if not Assessment.search([('fiscal_year', '=', YEAR)], limit=1):
            batch, = Batch.create([{
                        'company': company.id, 'fiscal_year': YEAR,
                        'date': dt.date(YEAR, 1, 15), 'state': 'running'}])
            Batch.process([batch])
        return company.id
    company_id = run_locked(args.database, assess)

    def accounts():
        pool = Pool()
        WebUser = pool.get('web.user')
        cursor = Transaction().connection.cursor()
        cursor.execute(
            "SELECT DISTINCT taxpayer FROM local_tax_obligation "
            "ORDER BY taxpayer")
        taxpayers = [r[0] for r in cursor]
        random.seed(args.seed)
        chosen = random.sample(taxpayers, min(args.citizens, len(taxpayers)))
        existing = {u.party.id: u for u in WebUser.search(
                [('email', 'like', 'bench.%@example.ro')])}
        password_hash = WebUser.hash_password('Parola-Bench-2026')
        to_create = [{
                'email': f'bench.{party}@example.ro',
                'party': party, 'company': company_id,
                'email_valid': True, 'password_hash': password_hash,
                } for party in chosen if party not in existing]
        users = list(existing.values())
        if to_create:
            users += WebUser.create(to_create)
        with Transaction().set_context(_portal_validation=True):
            WebUser.write(users, {
                    'trust_level': 'validated',
                    'validation_method': 'counter',
                    'validation_reference': 'bench',
                    })
        return [u.new_session() for u in users], len(taxpayers)
    keys, taxpayers = run_locked(args.database, accounts)
    log(f"{len(keys)} validated citizens with open sessions, "
        f"among {taxpayers} taxpayers with obligations")

    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface
    app = Flask('bench')
    app.secret_key = Path(args.secret_key_file).read_text().strip()
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    cookies = [serializer.dumps({'web_session': key}) for key in keys]
    Path(args.cookies).write_text(json.dumps(cookies))


async def run_load(url, cookies, clients, seconds, name):
    import aiohttp
    latencies = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(session):
        nonlocal errors
        while time.perf_counter() < deadline:
            headers = {'Cookie': f'op_portal={random.choice(cookies)}'}
            start = time.perf_counter()
            async with session.get(url, headers=headers,
                    allow_redirects=False) as response:
                await response.read()
                if response.status != 200:
                    errors += 1
            latencies.append(time.perf_counter() - start)

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        began = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(clients)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
    rps = len(latencies) / elapsed
    log(f"{name}: {len(latencies)} requests in {elapsed:.1f} s, "
        f"{rps:.1f}/s, p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {p95:.1f} ms, {errors} not 200")
    if errors:
        sys.exit(f"{name}: {errors} answers were not 200")
    return p95, rps


def load(args):
    cookies = json.loads(Path(args.cookies).read_text())
    base = args.url.rstrip('/')
    # warm every worker up
    asyncio.run(run_load(base + args.path, cookies, args.clients, 3,
            'warm-up'))
    p95, rps = asyncio.run(run_load(base + args.path, cookies, args.clients,
            args.seconds, f'portal {args.path}'))
    _, bare_rps = asyncio.run(run_load(base + '/bench/bare', cookies,
            args.clients, args.seconds, 'bare Flask endpoint'))
    print(f'RESULT portal clients={args.clients} p95_ms={p95:.1f} '
        f'rps={rps:.1f} bare_rps={bare_rps:.1f} '
        f'ratio={rps / bare_rps:.2f}', flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('setup')
    p.add_argument('-c', '--config', nargs='+', required=True)
    p.add_argument('-d', '--database', required=True)
    p.add_argument('--citizens', type=int, default=2000)
    p.add_argument('--seed', type=int, default=42)
    p.add_argument('--secret-key-file', required=True)
    p.add_argument('--cookies', required=True)
    p = sub.add_parser('load')
    p.add_argument('--url', required=True)
    p.add_argument('--path', default='/taxes')
    p.add_argument('--cookies', required=True)
    p.add_argument('--clients', type=int, default=20)
    p.add_argument('--seconds', type=float, default=30)
    args = parser.parse_args()
    if args.command == 'setup':
        from trytond import config
        for path in args.config:
            config.update_etc(path)
        from trytond.pool import Pool
        Pool(args.database).init()
        setup(args)
    else:
        load(args)


if __name__ == '__main__':
    main()
