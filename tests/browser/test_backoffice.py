"""End-to-end test of the back office: sao in Debian's Chromium, driven by Playwright.

Run by scripts/test (suite "browser"), which provides a PostgreSQL server in
TRYTOND_DATABASE_URI. The test creates its own database on it with all our modules in Romanian,
seeds a little data (tests/browser/seed.py), serves sao with trytond on a free loopback port,
logs in as admin and checks Romanian menus and labels. Screenshots go to var/test-artifacts/.

tests/browser has no __init__.py on purpose: the cross-module suite (unittest discover in tests/)
must not collect this slow test.
"""
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from seed import BUILDING_NAME      # tests/browser/seed.py (this directory is on sys.path)

# ---- strings the test looks for (adjust here when menus or labels change) ---------------------
MENU_ROOT = "Primărie"
MENU_PERSONS = "Persoane și firme"
MENU_ASSETS = "Bunuri"
MENU_BUILDINGS = "Clădiri"
PERSONS_LIST_LABELS = ["Nume"]
BUILDING_FORM_LABELS = ["Tip construcție", "An construire"]
LANGUAGE = 'ro'

ROOT = Path(__file__).resolve().parents[2]
SAO_DIR = ROOT / 'var' / 'sao'
ARTIFACTS = ROOT / 'var' / 'test-artifacts'
TEST_CONFIG = ROOT / 'config' / 'trytond-test.conf'
FINISH_DB = ROOT / 'scripts' / 'lib' / 'finish_db.py'
SEED = Path(__file__).resolve().parent / 'seed.py'
VENV_BIN = Path(sys.executable).parent          # trytond, trytond-admin of the same venv
CHROMIUM = os.environ.get('OP_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking', '--disable-component-update',
    '--disable-sync']
IN_CI = os.environ.get('CI', '').lower() not in ('', '0', 'false', 'no')
TIMEOUT = 30_000                                  # ms, for anything sao has to load


def our_modules():
    return sorted(p.parent.name for p in ROOT.glob('addons/*/pyproject.toml'))


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def log(message):
    print(f"[browser] {message}", file=sys.stderr, flush=True)


def run(cmd, env=None, input=''):
    "Run a setup command; on failure, fail with the end of its output"
    log(' '.join(str(c) for c in cmd))
    start = time.monotonic()
    result = subprocess.run([str(c) for c in cmd], env=env, cwd=ROOT, input=input,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode:
        raise RuntimeError(f"{cmd[0]} failed (rc={result.returncode}):\n"
            + result.stdout[-4000:])
    log(f"  ok in {time.monotonic() - start:.1f} s")
    return result.stdout


def unavailable(reason):
    "Skip outside CI; in CI every prerequisite must be there, so fail"
    if IN_CI:
        raise RuntimeError(f"browser test cannot run in CI: {reason}")
    raise unittest.SkipTest(reason)


class BackOfficeTestCase(unittest.TestCase):
    "sao back office in Romanian"

    @classmethod
    def setUpClass(cls):
        uri = os.environ.get('TRYTOND_DATABASE_URI', '')
        if not uri.startswith('postgresql'):
            unavailable("TRYTOND_DATABASE_URI is not a PostgreSQL URI: run scripts/test")
        if not os.access(CHROMIUM, os.X_OK):
            unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            unavailable("playwright is not installed in this venv")
        if not (SAO_DIR / 'index.html').exists():
            raise RuntimeError(f"{SAO_DIR} has no sao: run scripts/lib/bootstrap.sh (op_bootstrap)")

        tmp = Path(tempfile.mkdtemp(prefix='openprimarie-browser-'))
        cls.addClassCleanup(shutil.rmtree, tmp, ignore_errors=True)
        cls.database = f'browser_{int(time.time())}_{os.getpid()}'
        cls.password = secrets.token_urlsafe(15)
        passfile = tmp / 'admin-password'
        passfile.write_text(cls.password + '\n')
        passfile.chmod(0o600)
        port = free_port()
        cls.url = f'http://127.0.0.1:{port}'
        web_config = tmp / 'web.conf'
        web_config.write_text(
            f"[web]\nlisten = 127.0.0.1:{port}\nroot = {SAO_DIR}\n")
        configs = [TEST_CONFIG, web_config]
        env = dict(os.environ, TRYTONPASSFILE=str(passfile))

        cls._create_database(uri, cls.database)
        cls.addClassCleanup(cls._drop_database, uri, cls.database)
        admin = [VENV_BIN / 'trytond-admin', '-c', *configs, '-d', cls.database]
        # no --email: trytond checks deliverability over DNS (fails offline); the empty line
        # answers its "admin email" prompt with "none"
        run([*admin, '--all', '-l', LANGUAGE], env, input='\n')
        modules = our_modules()
        if modules:
            run([*admin, '-u', *modules, '--activate-dependencies'], env)
        run([sys.executable, FINISH_DB, '-c', *configs, '-d', cls.database,
                '--language', LANGUAGE], env)
        run([sys.executable, SEED, '-c', *configs, '-d', cls.database], env)

        server_log = open(tmp / 'trytond.log', 'w+')
        cls.addClassCleanup(server_log.close)
        log(f"starting trytond on {cls.url}")
        cls.server = subprocess.Popen(
            [str(VENV_BIN / 'trytond'), '-c', *map(str, configs), '-d', cls.database],
            cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT)
        cls.addClassCleanup(cls._stop_server)
        cls._wait_for_server(server_log)

        cls.playwright = sync_playwright().start()
        cls.addClassCleanup(cls.playwright.stop)
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cls.addClassCleanup(cls.browser.close)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # ---- fixtures --------------------------------------------------------------------------
    @staticmethod
    def _connect(uri, dbname):
        import psycopg
        parts = urllib.parse.urlsplit(uri)
        return psycopg.connect(parts._replace(path='/' + dbname).geturl(), autocommit=True)

    @classmethod
    def _create_database(cls, uri, name):
        log(f"creating PostgreSQL database {name}")
        with cls._connect(uri, 'postgres') as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
        with cls._connect(uri, name) as conn:
            # trigram and unaccent indexes, as in production (guide §3.2)
            for extension in ['pg_trgm', 'unaccent', 'btree_gin']:
                conn.execute(f'CREATE EXTENSION IF NOT EXISTS {extension}')

    @classmethod
    def _drop_database(cls, uri, name):
        try:
            with cls._connect(uri, 'postgres') as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exception:          # the cluster may already be gone
            log(f"could not drop {name}: {exception}")

    @classmethod
    def _wait_for_server(cls, server_log, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cls.server.poll() is not None:
                break
            try:
                with urllib.request.urlopen(cls.url + '/', timeout=2) as response:
                    if response.status == 200:
                        log("trytond is serving sao")
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        server_log.seek(0)
        raise RuntimeError("trytond did not start:\n" + server_log.read()[-4000:])

    @classmethod
    def _stop_server(cls):
        cls.server.terminate()
        try:
            cls.server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            cls.server.kill()
            cls.server.wait()

    def setUp(self):
        self.page = self.browser.new_page(viewport={'width': 1366, 'height': 900})
        self.page_errors = []
        self.page.on('pageerror', lambda error: self.page_errors.append(str(error)))
        self.addCleanup(self.page.close)
        self.addCleanup(self._screenshot_on_failure)

    def _screenshot_on_failure(self):
        outcome = getattr(self, '_outcome', None)
        if outcome is not None and not outcome.success:
            self.screenshot(f'{self._testMethodName}-failure')
            if self.page_errors:
                log("page errors: " + ' | '.join(self.page_errors[:5]))

    # ---- helpers -------------------------------------------------------------------------------
    def screenshot(self, name):
        path = ARTIFACTS / f'backoffice-{name}.png'
        self.page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}", file=sys.stderr, flush=True)
        return path

    def login(self):
        page = self.page
        page.goto(f'{self.url}/#{self.database}')
        page.wait_for_selector('input#login', timeout=TIMEOUT)
        page.fill('input#login', 'admin')
        page.click('.login-dialog button[type=submit]')
        page.wait_for_selector('input[type=password]', timeout=TIMEOUT)
        page.fill('input[type=password]', self.password)
        page.keyboard.press('Enter')
        self.menu_item(MENU_ROOT).wait_for(timeout=TIMEOUT)

    def menu_item(self, name):
        return self.page.locator('#menu').get_by_text(name, exact=True).first

    def open_menu(self, *path):
        "Click each menu entry in turn: parents expand, the last one opens its tab"
        for name in path:
            item = self.menu_item(name)
            item.wait_for(timeout=TIMEOUT)
            item.click()

    def current_tab(self):
        return self.page.locator('#tabcontent > .tab-pane.active')

    @staticmethod
    def exactly(text):
        "Regex for a label's whole text, allowing sao's trailing colon"
        return re.compile(r'^\s*' + re.escape(text) + r'\s*:?\s*$')

    # ---- tests -----------------------------------------------------------------------------
    def test_persons_list(self):
        "Primărie › Persoane și firme opens a list with Romanian column headers"
        from playwright.sync_api import expect
        self.login()
        self.open_menu(MENU_ROOT, MENU_PERSONS)
        tab = self.current_tab()
        for label in PERSONS_LIST_LABELS:
            expect(tab.locator('thead th', has_text=self.exactly(label)).first
                ).to_be_visible(timeout=TIMEOUT)
        # the seeded persons are listed
        expect(tab.locator('.treeview tbody tr td[headers]:visible').first
            ).to_be_visible(timeout=TIMEOUT)
        self.screenshot('persons-list')

    def test_building_form(self):
        "Primărie › Bunuri › Clădiri: the first building's form has Romanian labels"
        from playwright.sync_api import expect
        self.login()
        self.open_menu(MENU_ROOT, MENU_ASSETS, MENU_BUILDINGS)
        tab = self.current_tab()
        first_cell = tab.locator('.treeview tbody tr td[headers]:visible').first
        expect(first_cell).to_be_visible(timeout=TIMEOUT)
        first_cell.dblclick()
        # the list's column headers are <label>s too: look only inside the form view
        form = tab.locator('div.form').first
        expect(form).to_be_visible(timeout=TIMEOUT)
        # the record is loaded: its description is in one of the inputs
        self.page.wait_for_function(
            "([form, value]) => [...form.querySelectorAll('input')]"
            ".some(input => input.value === value)",
            arg=[form.element_handle(), BUILDING_NAME], timeout=TIMEOUT)
        for label in BUILDING_FORM_LABELS:
            expect(form.locator('label.form-label', has_text=self.exactly(label)).first
                ).to_be_visible(timeout=TIMEOUT)
        self.screenshot('building-form')


if __name__ == '__main__':
    unittest.main()
