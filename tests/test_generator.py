"""scripts/generate: counts, valid and unique CNPs, consistent shares, sales of
the year, determinism.

Creates its own databases with trytond-admin, on the PostgreSQL server of
TRYTOND_DATABASE_URI or, when it is unset, on SQLite files in a temporary
directory; the generator and the checks run in subprocesses / plain SQL so
that nothing is shared with other tests in this process.
"""
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from urllib.parse import urlparse

from stdnum.ro import cnp as stdnum_cnp

ROOT = Path(__file__).resolve().parents[1]
GENERATE = ROOT / 'scripts' / 'generate'
BIN = Path(sys.executable).parent
PERSONS, SEED = 200, 7
ASSETS = ['parcel', 'building', 'vehicle']
TABLES = {
    'parcel': 'property_parcel',
    'building': 'property_building',
    'vehicle': 'vehicle_vehicle',
    }


class Backend:
    "Create, copy, drop and query test databases on SQLite or PostgreSQL"

    def __init__(self, directory):
        self.directory = directory
        self.uri = os.environ.get('TRYTOND_DATABASE_URI') or 'sqlite://'
        self.postgresql = self.uri.startswith('postgresql')
        self.config = os.path.join(directory, 'trytond.conf')
        with open(self.config, 'w') as f:
            f.write(f"[database]\nuri = {self.uri}\npath = {directory}\n")

    def env(self):
        env = dict(os.environ)
        env['TRYTOND_DATABASE_URI'] = self.uri
        env['TRYTOND_DATABASE__PATH'] = self.directory
        return env

    def _admin_connection(self):
        import psycopg
        url = urlparse(self.uri)
        return psycopg.connect(
            host=url.hostname, port=url.port or 5432,
            user=url.username, password=url.password, dbname='postgres',
            autocommit=True)

    def create(self, name):
        if self.postgresql:
            with self._admin_connection() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
        else:
            Path(self.directory, f'{name}.sqlite').touch()

    def copy(self, source, name):
        if self.postgresql:
            with self._admin_connection() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        else:
            shutil.copy(os.path.join(self.directory, f'{source}.sqlite'),
                os.path.join(self.directory, f'{name}.sqlite'))

    def drop(self, name):
        if self.postgresql:
            with self._admin_connection() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    def query(self, name, sql):
        if self.postgresql:
            import psycopg
            url = urlparse(self.uri)
            with psycopg.connect(host=url.hostname, port=url.port or 5432,
                    user=url.username, password=url.password,
                    dbname=name) as conn:
                return conn.execute(sql).fetchall()
        conn = sqlite3.connect(os.path.join(self.directory, f'{name}.sqlite'))
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()


def as_date(value):
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class GeneratorTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='test-generator-')
        cls.backend = backend = Backend(cls.tmp)
        suffix = os.getpid()
        cls.db_a = f'test_generator_{suffix}_a'
        cls.db_b = f'test_generator_{suffix}_b'
        cls.databases = [cls.db_a, cls.db_b]
        password = os.path.join(cls.tmp, 'password')
        with open(password, 'w') as f:
            f.write('generator-test-password\n')
        env = backend.env()
        env['TRYTONPASSFILE'] = password
        admin = [str(BIN / 'trytond-admin'), '-c', backend.config,
            '-d', cls.db_a]
        backend.create(cls.db_a)
        cls.run_command(admin + ['--all'], env, input='\n')
        cls.run_command(
            admin + ['-u', 'municipality', '--activate-dependencies'], env)
        backend.copy(cls.db_a, cls.db_b)
        cls.outputs = {}
        # the second run uses two worker processes (PostgreSQL only; one
        # writer on SQLite): the data must not depend on it
        for name, jobs in [(cls.db_a, '1'), (cls.db_b, '2')]:
            cls.outputs[name] = cls.run_command([
                    str(GENERATE), '--config', backend.config,
                    '--database', name, '--persons', str(PERSONS),
                    '--seed', str(SEED), '--jobs', jobs, '--no-progress'],
                backend.env())

    @classmethod
    def tearDownClass(cls):
        for name in cls.databases:
            try:
                cls.backend.drop(name)
            except Exception:
                pass
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def run_command(cls, args, env, input=None):
        result = subprocess.run(args, env=env, cwd=ROOT, input=input,
            capture_output=True, text=True, timeout=600)
        if result.returncode:
            raise AssertionError(
                f"{' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result.stdout

    def query(self, sql, name=None):
        return self.backend.query(name or self.db_a, sql)

    def cnps(self, name):
        return sorted(code for code, in self.backend.query(name,
                "SELECT i.code_compact FROM party_identifier i "
                "JOIN party_party p ON p.id = i.party "
                "WHERE i.type = 'ro_cnp' AND p.person_type = 'natural' "
                "ORDER BY i.code_compact"))

    def test_summary_line(self):
        line = self.outputs[self.db_a].strip().splitlines()[-1]
        self.assertRegex(line,
            r'^generated persons=\d+ companies=\d+ parcels=\d+ '
            r'buildings=\d+ vehicles=\d+ ownerships=\d+ seconds=[\d.]+$')

    def test_counts(self):
        counts = {
            'natural': "SELECT COUNT(*) FROM party_party "
            "WHERE person_type = 'natural'",
            'legal': "SELECT COUNT(*) FROM party_party "
            "WHERE person_type = 'legal'",
            'street': "SELECT COUNT(*) FROM municipality_street",
            'locality': "SELECT COUNT(*) FROM municipality_locality",
            'municipality': "SELECT COUNT(*) FROM company_company "
            "WHERE siruta IS NOT NULL",
            'parcel': "SELECT COUNT(*) FROM property_parcel",
            'building': "SELECT COUNT(*) FROM property_building",
            'apartment': "SELECT COUNT(*) FROM property_building "
            "WHERE apartment_in_block",
            'vehicle': "SELECT COUNT(*) FROM vehicle_vehicle",
            'ownership': "SELECT COUNT(*) FROM ownership_ownership",
            'treasury': "SELECT COUNT(*) FROM municipality_treasury_account",
            }
        for kind, sql in counts.items():
            with self.subTest(kind=kind):
                (count,), = self.query(sql)
                self.assertGreater(count, 0)
        (natural,), = self.query(counts['natural'])
        # the generated persons, plus no other natural person
        self.assertEqual(natural, PERSONS)

    def test_cnps_valid_and_unique(self):
        rows = self.query(
            "SELECT p.id, i.code_compact FROM party_party p "
            "LEFT JOIN party_identifier i ON i.party = p.id "
            "AND i.type = 'ro_cnp' WHERE p.person_type = 'natural'")
        self.assertEqual(len(rows), PERSONS)
        for party, code in rows:
            self.assertTrue(code and stdnum_cnp.is_valid(code),
                f"party {party}: invalid CNP {code!r}")
        duplicates = self.query(
            "SELECT code_compact, COUNT(DISTINCT party) FROM party_identifier "
            "WHERE type = 'ro_cnp' GROUP BY code_compact "
            "HAVING COUNT(DISTINCT party) > 1")
        self.assertEqual(duplicates, [])

    def ownerships(self):
        by_asset = defaultdict(list)
        for row in self.query(
                "SELECT parcel, building, vehicle, share_numerator, "
                "share_denominator, start_date, end_date "
                "FROM ownership_ownership"):
            parcel, building, vehicle, num, den, start, end = row
            assets = [(f, i) for f, i in zip(ASSETS, row[:3]) if i]
            self.assertEqual(len(assets), 1, row)
            by_asset[assets[0]].append(
                (Fraction(num, den), as_date(start), as_date(end)))
        return by_asset

    def test_shares_sum_to_one(self):
        by_asset = self.ownerships()
        today = dt.date.today()
        last_year_end = dt.date(today.year - 1, 12, 31)
        for field in ASSETS:
            (count,), = self.query(
                f"SELECT COUNT(*) FROM {TABLES[field]}")
            owned = sum(1 for f, _ in by_asset if f == field)
            self.assertEqual(owned, count, f"{field}s without owners")
        for date in [last_year_end, today]:
            held = 0
            for asset, shares in by_asset.items():
                total = sum((s for s, start, end in shares
                        if start <= date and (end is None or end > date)),
                    Fraction(0))
                if min(start for _, start, _ in shares) <= date:
                    self.assertEqual(total, 1, f"{asset} on {date}")
                    held += 1
                else:
                    self.assertEqual(total, 0, f"{asset} on {date}")
            self.assertGreater(held, 0)

    def test_changes_of_owner_in_the_year(self):
        year_start = dt.date(dt.date.today().year, 1, 1)
        by_asset = self.ownerships()
        sold = 0
        for asset, shares in by_asset.items():
            ends = {end for _, _, end in shares
                if end and end >= year_start}
            starts = {start for _, start, _ in shares}
            if ends & starts:
                sold += 1
        self.assertGreater(sold, 0)

    def test_same_seed_same_data(self):
        self.assertEqual(self.cnps(self.db_a), self.cnps(self.db_b))
        self.assertEqual(len(self.cnps(self.db_a)), PERSONS)
        for sql in [
                "SELECT code, name FROM party_party ORDER BY code",
                "SELECT cadastral_number, area, street_number "
                "FROM property_parcel ORDER BY cadastral_number",
                "SELECT cadastral_number, year_built, built_area "
                "FROM property_building ORDER BY cadastral_number, name",
                "SELECT registration_number, vin FROM vehicle_vehicle "
                "ORDER BY registration_number",
                "SELECT COUNT(*), COUNT(end_date) FROM ownership_ownership",
                ]:
            self.assertEqual(self.query(sql, self.db_a),
                self.query(sql, self.db_b))


if __name__ == '__main__':
    unittest.main()
