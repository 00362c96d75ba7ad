"""What the browser tests share: a PostgreSQL database with every OpenPrimărie module, servers
started as subprocesses on free loopback ports, Debian's Chromium through Playwright.

tests/browser has no __init__.py: scripts/test runs `unittest discover -s tests/browser -t
tests/browser`, so this directory is on sys.path and the tests import this module directly."""
import atexit
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


def create_database(uri, name, template='template0'):
    log(f"creating PostgreSQL database {name} from {template}")
    with connect(uri, 'postgres') as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" ENCODING \'UTF8\'')
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
    configuration wizard done; dropped when the test class is done.  The modules are activated
    once per run, in a template database that every class copies (PostgreSQL's CREATE DATABASE
    … TEMPLATE): the classes share that set-up, each fills its own copy"""
    uri = os.environ['TRYTOND_DATABASE_URI']
    database = f'{prefix}_{int(time.time())}_{os.getpid()}'
    create_database(uri, database, template=_template_database(uri, configs, env))
    test_case.addClassCleanup(drop_database, uri, database)
    return database


_template = {}


def _template_database(uri, configs, env):
    "The activated template of this run, built on the first call, dropped at exit"
    if 'name' not in _template:
        name = f'template_{int(time.time())}_{os.getpid()}'
        create_database(uri, name)
        atexit.register(drop_database, uri, name)
        admin = [VENV_BIN / 'trytond-admin', '-c', *configs, '-d', name]
        # no --email: trytond checks deliverability over DNS (fails offline); the empty line
        # answers its "admin email" prompt with "none"
        run([*admin, '--all', '-l', LANGUAGE, *PORTAL_LANGUAGES], env, input='\n')
        modules = our_modules()
        if modules:
            run([*admin, '-u', *modules, '--activate-dependencies'], env)
        run([sys.executable, FINISH_DB, '-c', *configs, '-d', name, '--language', LANGUAGE],
            env)
        _template['name'] = name
    return _template['name']


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


def sao_login(page, url, database, password, login='admin'):
    "Log in to sao (as admin unless login), as a clerk does: the login dialog, then the password"
    page.goto(f'{url}/#{database}')
    page.wait_for_selector('input#login', timeout=TIMEOUT)
    # sao is still starting (its first calls): a click now can be lost
    page.wait_for_load_state('networkidle', timeout=TIMEOUT)
    # the dialog is there before sao's list of databases: a click before it has filled the
    # database field does nothing
    page.wait_for_function("""() => [...document.querySelectorAll('.login-dialog #database')]
        .some(e => e.offsetParent !== null && e.value)""", timeout=TIMEOUT)
    page.fill('input#login', login)
    page.click('.login-dialog button[type=submit]')
    try:
        page.wait_for_selector('input[type=password]', timeout=TIMEOUT)
    except Exception as exception:
        raise AssertionError(f"sao asked no password after the login {login!r}: "
            + screen_state(page)) from exception
    page.fill('input[type=password]', password)
    page.keyboard.press('Enter')


# the admin password of this run's template database, so of every copy of it
ADMIN_PASSWORD = secrets.token_urlsafe(15)


def screen_state(page):
    "What the page shows, for a failure's message: its address, the dialogs, the start of the body"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f'failure-{int(time.time() * 1000)}.png'
    try:
        page.screenshot(path=str(shot))
        dialogs = page.locator('.modal.in').all_inner_texts()
        body = page.locator('body').inner_text()[:500]
    except Exception as exception:          # the page itself may be gone
        return f"(the page cannot be read: {exception})"
    servers = ''.join(f"\n--- the end of {server.name}'s log:\n{server.output()[-1500:]}"
        for server in RUNNING if server.process.poll() is None)
    return f"url={page.url} dialogs={dialogs!r} body={body!r} screenshot={shot}{servers}"


def admin_env(tmp):
    "The environment of trytond-admin with this run's admin password; returns (env, password)"
    password = ADMIN_PASSWORD
    passfile = Path(tmp) / 'admin-password'
    passfile.write_text(password + '\n')
    passfile.chmod(0o600)
    return dict(os.environ, TRYTONPASSFILE=str(passfile)), password


RUNNING = []                                    # the servers started, for failure messages


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
        RUNNING.append(self)
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
        if self in RUNNING:
            RUNNING.remove(self)
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


# ---- driving sao as a clerk does (shared by the clerks' workflow tests) ------------------------
SAO_IDLE_MS = 400               # no JSON-RPC call pending for this long: the screen is done
SAO_REQUEST_TIMEOUT = 60        # s: a call still pending then is a spinner that never stops
# errors a server answers to a user's mistake; anything else is a bug
SAO_USER_ERRORS = {'UserError', 'UserWarning', 'LoginException', 'ConcurrencyException'}


class Sao:
    """A clerk's sao in a Playwright page: opens menu entries, types in fields, picks records,
    clicks buttons and runs wizards as he does, and collects what must not happen — a JavaScript
    error, a server error (HTTP 5xx or a JSON-RPC error other than a user's error) or a call that
    never finishes. check() fails on any of them; the test calls it after each step."""

    def __init__(self, page):
        self.page = page
        self.problems = []
        self.pending = {}
        self.last_change = time.monotonic()
        page.set_default_timeout(TIMEOUT)
        page.on('pageerror', lambda error: self.problems.append(f"JavaScript: {error}"))
        page.on('request', self._sent)
        page.on('requestfinished', self._finished)
        page.on('requestfailed', self._failed)

    # ---- what sao asks the server ------------------------------------------------------------
    @staticmethod
    def _is_rpc(request):
        return request.method == 'POST' and not request.url.endswith('.js')

    def _sent(self, request):
        if self._is_rpc(request):
            self.pending[request] = time.monotonic()
            self.last_change = time.monotonic()

    def _finished(self, request):
        if request not in self.pending:
            return
        del self.pending[request]
        self.last_change = time.monotonic()
        method = self._method(request)
        try:
            response = request.response()
            body = response.json() if response else None
        except Exception:
            response, body = None, None
        if response is not None and response.status >= 500:
            self.problems.append(f"HTTP {response.status} on {method}")
        error = body.get('error') if isinstance(body, dict) else None
        if error:
            kind = error[0] if isinstance(error, list) and error else str(error)
            if kind not in SAO_USER_ERRORS:
                detail = error[1] if isinstance(error, list) and len(error) > 1 else ''
                self.problems.append(f"server error {kind} on {method}: {str(detail)[:500]}")

    def _failed(self, request):
        if self.pending.pop(request, None) is not None:
            self.problems.append(f"request failed: {self._method(request)}")
        self.last_change = time.monotonic()

    @staticmethod
    def _method(request):
        import json
        try:
            return json.loads(request.post_data or '{}').get('method', '?')
        except ValueError:
            return '?'

    def wait(self):
        """Until sao has had no call pending for SAO_IDLE_MS (a stuck call is a problem). Each
        look runs in the page, so it also waits for the script sao runs between its calls"""
        deadline = time.monotonic() + SAO_REQUEST_TIMEOUT
        quiet_since = None
        while time.monotonic() < deadline:
            busy = self.pending or self.page.evaluate(
                "() => (window.jQuery && window.jQuery.active) || 0")
            now = time.monotonic()
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif min(now - quiet_since, now - self.last_change) >= SAO_IDLE_MS / 1000:
                return
            self.page.wait_for_timeout(100)
        if self.pending:
            self.problems.append("a request did not finish (the spinner never stops): "
                + ', '.join(self._method(r) for r in self.pending))

    def check(self, step=''):
        "Fail (AssertionError) on any problem seen so far, or on an error dialog left open"
        self.wait()
        for kind in ['error-dialog', 'warning-dialog', 'user-warning-dialog']:
            dialog = self.page.locator(f'.modal.in.{kind}')
            if dialog.count():
                self.problems.append(f"{kind}: {dialog.last.inner_text()[:500]}")
        if self.problems:
            raise AssertionError(f"{step}: " + ' | '.join(self.problems))

    # ---- screens ---------------------------------------------------------------------------------
    def login(self, url, database, password, login='admin'):
        "The login dialogs, then the menu"
        sao_login(self.page, url, database, password, login=login)
        self.page.locator('#menu tbody tr').first.wait_for()
        self.wait()

    def open_menu(self, *path):
        """Click each entry of the menu path in sao's menu tree (parents expand, the last one
        opens its tab); the new tab"""
        tabs = self.page.locator('#tablist > li').count()
        for name in path:
            item = self.page.locator('#menu').get_by_text(name, exact=True).first
            item.wait_for()
            item.click()
            self.wait()
        self.page.wait_for_function(
            f"document.querySelectorAll('#tablist > li').length > {tabs}")
        self.wait()
        return self.tab()

    def tab(self):
        "The current tab"
        return self.page.locator('#tabcontent > .tab-pane.active')

    def dialog(self):
        "The dialog on top (a wizard, a record of a one2many, a search window)"
        return self.page.locator('.modal.in').last

    def scope(self, scope=None):
        "Where the fields are: the dialog on top if there is one, else the current tab"
        if scope is not None:
            return scope
        return self.dialog() if self.page.locator('.modal.in').count() else self.tab()

    def widget(self, name, scope=None):
        "The visible input of the field name (sao names its inputs after their field)"
        return self.scope(scope).locator(
            f'input[name="{name}"]:visible, textarea[name="{name}"]:visible, '
            f'select[name="{name}"]:visible').first

    def fill(self, name, value, scope=None):
        "Type the value in the field, then leave it (sao reads a field when it loses focus)"
        widget = self.widget(name, scope)
        widget.click()
        widget.fill(str(value))
        widget.press('Tab')
        self.wait()

    def select(self, name, label, scope=None):
        "Choose the option shown as label of a selection field"
        self.widget(name, scope).select_option(label=label)
        self.wait()

    def pick(self, name, text, choice=None, scope=None):
        """Fill a many2one as a clerk does: type text, choose choice (default: text) among the
        completions sao offers"""
        widget = self.widget(name, scope)
        widget.click()
        widget.fill('')
        widget.press_sequentially(text, delay=30)
        self.wait()
        option = self.page.locator('.dropdown-completion:visible li a, '
            '.dropdown-completion:visible li').filter(has_text=choice or text).first
        option.click()
        self.wait()
        widget.press('Tab')
        self.wait()

    def value(self, name, scope=None):
        "What the field shows"
        widget = self.widget(name, scope)
        if widget.evaluate("e => e.tagName") == 'SELECT':
            return widget.evaluate("e => e.options[e.selectedIndex]?.text || ''").strip()
        return widget.input_value().strip()

    def expect_value(self, name, expected, scope=None):
        """The field's value once it shows expected (a string, or a compiled regular expression
        it must match): sao fills a form after its calls return; AssertionError with what it
        shows if it never does"""
        deadline = time.monotonic() + TIMEOUT / 1000
        while True:
            value = self.value(name, scope)
            if (expected.search(value) if hasattr(expected, 'search')
                    else value == expected):
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"field {name} shows {value!r}, not {expected!r}")
            self.page.wait_for_timeout(100)

    def click(self, text, scope=None):
        "Click the visible button labelled text (its whole label, as sao writes it)"
        import re
        self.scope(scope).get_by_role('button', name=re.compile(
                r'^\s*' + re.escape(text) + r'\s*$', re.IGNORECASE)).filter(
            visible=True).first.click()
        self.wait()

    def messages(self):
        "The messages the current tab shows above its toolbar (\"Înregistrare salvată.\"…)"
        return [text.strip('×\n ') for text in
            self.page.locator('.infobar .alert:visible').all_inner_texts()]

    def dismiss_messages(self):
        "Close those messages, as a clerk does: they lie over the toolbar"
        for close in self.page.locator('.infobar .alert:visible button.close').all():
            close.click()
        self.wait()

    def toolbar(self, button_id):
        "Click a button of the current tab's toolbar: new_, save, switch_, reload, action…"
        self.dismiss_messages()
        self.tab().locator(f'button#{button_id}').click()
        self.wait()

    def save(self):
        "Save the current record (the toolbar's button); fails on an error dialog"
        self.toolbar('save')
        self.check("save")

    def attach(self, one2many, path, scope=None):
        """Add a record with the file at path to the one2many labelled one2many (its dialog's
        binary field, as a clerk picks the file), then the dialog's Add button"""
        box = self.scope(scope).locator('.form-one2many').filter(
            has=self.page.locator('.form-one2many-string', has_text=one2many)).first
        box.locator('.form-one2many-toolbar button[aria-label="Nou"]').click()
        dialog = self.dialog()
        dialog.locator('input[type=file]').wait_for(state='attached')
        self.wait()
        dialog.locator('input[type=file]').set_input_files(str(path))
        self.wait()
        self.expect_value('name', Path(path).name, scope=dialog)
        return dialog

    def page_tab(self, title, scope=None):
        "Open the notebook page of the form titled title"
        self.scope(scope).locator('.nav-tabs a', has_text=title).first.click()
        self.wait()

    def list_rows(self, scope=None):
        "The rows a list shows"
        return self.scope(scope).locator('.treeview tbody tr:has(td[headers]:visible)')

    def row(self, text, scope=None):
        "The first row of the list that shows text"
        return self.list_rows(scope).filter(has_text=text).first

    def select_row(self, text, scope=None):
        "Tick the row that shows text (its selection box), as a clerk selects it in a list"
        self.row(text, scope).locator('td.selection-state input').check()
        self.wait()

    def list_button(self, text, scope=None):
        "Click a button of the list's footer (the buttons for the selected rows)"
        self.click(text, scope=self.scope(scope).locator('.tree-footer'))

    def screenshot(self, path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))
        log(f"screenshot: {path}")


class SaoTestCase(unittest.TestCase):
    """A clerk's test in sao: each test on a page of its own at 1366 × 900, a screenshot in
    SHOTS when it fails; serve_back_office in setUpClass gives the database, url and browser"""
    SHOTS = ARTIFACTS

    def setUp(self):
        self.page = self.browser.new_page(viewport={'width': 1366, 'height': 900})
        self.addCleanup(self.page.close)
        self.sao = Sao(self.page)
        self.addCleanup(self._screenshot_on_failure)

    def _screenshot_on_failure(self):
        # a cleanup runs as a test part of its own: outcome.success is True again here
        result = getattr(getattr(self, '_outcome', None), 'result', None)
        if result is not None and any(test is self for test, _ in
                result.failures + result.errors):
            self.shot(f'{self._testMethodName}-failure')

    def shot(self, name):
        self.sao.screenshot(self.SHOTS / f'{name}.png')

    def sql(self, query, *args):
        "The rows of a query on the test's database (to check what the clicks wrote)"
        with connect(os.environ['TRYTOND_DATABASE_URI'], self.database) as conn:
            return conn.execute(query, args).fetchall()
