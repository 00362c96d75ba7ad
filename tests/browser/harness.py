"""What the browser tests share: a PostgreSQL database with every OpenPrimărie module, servers
started as subprocesses on free loopback ports, Debian's Chromium through Playwright.

tests/browser has no __init__.py: scripts/test runs `unittest discover -s tests/browser -t
tests/browser`, so this directory is on sys.path and the tests import this module directly."""
import os
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
LANGUAGE = 'ro'
# the other languages of the citizen portal: their translations loaded with the modules
PORTAL_LANGUAGES = ['hu']
TIMEOUT = 30_000                                  # ms, for anything a page has to load


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




def require_browser():
    "The PostgreSQL URI, after checking that Chromium and Playwright are there"
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if not uri.startswith('postgresql'):
        unavailable("TRYTOND_DATABASE_URI is not a PostgreSQL URI: run scripts/test")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("playwright is not installed in this venv")
    return uri


def connect(uri, dbname):
    import psycopg
    parts = urllib.parse.urlsplit(uri)
    return psycopg.connect(parts._replace(path='/' + dbname).geturl(), autocommit=True)


def create_database(uri, name):
    log(f"creating PostgreSQL database {name}")
    with connect(uri, 'postgres') as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
    with connect(uri, name) as conn:
        # trigram and unaccent indexes, as in production
        for extension in ['pg_trgm', 'unaccent', 'btree_gin']:
            conn.execute(f'CREATE EXTENSION IF NOT EXISTS {extension}')


def drop_database(uri, name):
    try:
        with connect(uri, 'postgres') as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception as exception:          # the cluster may already be gone
        log(f"could not drop {name}: {exception}")


def build_database(test_case, prefix, configs, env):
    """A new database with every module of addons/ in Romanian, admin's language set and the
    configuration wizard done; dropped when the test class is done"""
    uri = os.environ['TRYTOND_DATABASE_URI']
    database = f'{prefix}_{int(time.time())}_{os.getpid()}'
    create_database(uri, database)
    test_case.addClassCleanup(drop_database, uri, database)
    admin = [VENV_BIN / 'trytond-admin', '-c', *configs, '-d', database]
    # no --email: trytond checks deliverability over DNS (fails offline); the empty line
    # answers its "admin email" prompt with "none"
    run([*admin, '--all', '-l', LANGUAGE, *PORTAL_LANGUAGES], env, input='\n')
    modules = our_modules()
    if modules:
        run([*admin, '-u', *modules, '--activate-dependencies'], env)
    run([sys.executable, FINISH_DB, '-c', *configs, '-d', database, '--language', LANGUAGE],
        env)
    return database


def serve_back_office(test_case, prefix, fill):
    """For a test class: a database with every module (prefix_…), filled by fill(configs, env,
    tmp), served with sao by trytond on a free port, and Chromium launched; sets url, database,
    password and browser on the class, cleaned up with it"""
    from playwright.sync_api import sync_playwright
    if not (SAO_DIR / 'index.html').exists():
        raise RuntimeError(f"{SAO_DIR} has no sao: run scripts/lib/bootstrap.sh (op_bootstrap)")
    tmp = Path(tempfile.mkdtemp(prefix=f'openprimarie-{prefix}-'))
    test_case.addClassCleanup(shutil.rmtree, tmp, ignore_errors=True)
    env, test_case.password = admin_env(tmp)
    port = free_port()
    test_case.url = f'http://127.0.0.1:{port}'
    web_config = tmp / 'web.conf'
    web_config.write_text(f"[web]\nlisten = 127.0.0.1:{port}\nroot = {SAO_DIR}\n")
    configs = [TEST_CONFIG, web_config]
    test_case.database = build_database(test_case, prefix, configs, env)
    fill(configs, env, tmp)
    Server(test_case, 'trytond', [VENV_BIN / 'trytond', '-c', *configs,
            '-d', test_case.database], test_case.url, env=env, tmp=tmp)
    test_case.playwright = sync_playwright().start()
    test_case.addClassCleanup(test_case.playwright.stop)
    test_case.browser = test_case.playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    test_case.addClassCleanup(test_case.browser.close)


def sao_login(page, url, database, password):
    "Log in to sao as admin, as a clerk does: the login dialog, then the password dialog"
    page.goto(f'{url}/#{database}')
    page.wait_for_selector('input#login', timeout=TIMEOUT)
    page.fill('input#login', 'admin')
    page.click('.login-dialog button[type=submit]')
    page.wait_for_selector('input[type=password]', timeout=TIMEOUT)
    page.fill('input[type=password]', password)
    page.keyboard.press('Enter')


def admin_env(tmp):
    "The environment of trytond-admin, with a fresh admin password; returns (env, password)"
    password = secrets.token_urlsafe(15)
    passfile = Path(tmp) / 'admin-password'
    passfile.write_text(password + '\n')
    passfile.chmod(0o600)
    return dict(os.environ, TRYTONPASSFILE=str(passfile)), password


class Server:
    "A server started as a subprocess, its output in a log file, stopped at class cleanup"

    def __init__(self, test_case, name, cmd, url, env=None, tmp=None, ready_path='/'):
        self.name, self.url = name, url
        self.tag = Path(tmp).name if tmp else f'{os.getpid()}'
        self.log_file = open(Path(tmp or tempfile.gettempdir()) / f'{name}.log', 'w+')
        test_case.addClassCleanup(self.log_file.close)
        log(f"starting {name} on {url}")
        self.process = subprocess.Popen([str(c) for c in cmd], cwd=ROOT, env=env,
            stdout=self.log_file, stderr=subprocess.STDOUT)
        test_case.addClassCleanup(self.stop)
        self.wait(ready_path)

    def wait(self, path, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as response:
                    if response.status < 500:
                        log(f"{self.name} is up")
                        return
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    log(f"{self.name} is up")
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not start:\n" + self.output())

    def output(self):
        self.log_file.flush()
        self.log_file.seek(0)
        return self.log_file.read()[-4000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.keep_log()

    def keep_log(self):
        "The server's whole output beside the screenshots, for a failure to be read after the run"
        logs = ARTIFACTS / 'logs'
        logs.mkdir(parents=True, exist_ok=True)
        self.log_file.flush()
        shutil.copyfile(self.log_file.name, logs / f'{self.tag}-{self.name}.log')
