"""The whole back office, clicked through in sao as a new clerk would: every menu entry of
every module, its list, an existing record's form and a new record's form.

As administrator, on a database filled like the demo (scripts/generate, the local-tax year, the
registry, the portal's accounts), the test clicks each menu entry in sao's menu tree and fails on
any JavaScript error, any server error (a JSON-RPC error other than a user's error), an error
dialog, or a request that does not finish (the spinner that never stops). Every broken screen is
listed in one failure, with a screenshot of each in var/test-artifacts/menu-walk/.

The entries come from the database (tests/browser/menus.py): a new module's menus are walked
without touching this file.
"""
import json
import re
import shutil
import sys
import time
import unittest
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

from harness import (
    ARTIFACTS, ROOT, TEST_CONFIG, TIMEOUT, log, require_browser, run, sao_login,
    serve_back_office)

HERE = Path(__file__).resolve().parent
SHOTS = ARTIFACTS / 'menu-walk'
PERSONS = 120                   # enough for every list to have rows, quick to generate
IDLE_MS = 400                   # no JSON-RPC call pending for this long: the screen is done
REQUEST_TIMEOUT = 60            # s: a call still pending then is a spinner that never stops
# errors a server answers to a user's mistake; anything else is a bug
USER_ERRORS = {'UserError', 'UserWarning', 'LoginException', 'ConcurrencyException'}


def demo_data(database, env, tmp):
    "The demo's own loaders, on the test's PostgreSQL database"
    python = [sys.executable]
    config = tmp / 'demo-data.conf'     # the generator reads one file
    config.write_text(TEST_CONFIG.read_text()
        + "\n[citizen_portal]\n# the demo's addresses have no DNS\n"
        "check_email_deliverability = False\n")
    configs = [config]
    run([ROOT / 'scripts' / 'generate', '--config', *configs, '--database', database,
        '--persons', PERSONS, '--seed', 7], env)
    lib = ROOT / 'scripts' / 'lib'
    run([*python, lib / 'demo_local_tax.py', '-c', *configs, '-d', database], env)
    run([*python, lib / 'demo_registry.py', '-c', *configs, '-d', database, '--seed', 7], env)
    demo_dir = tmp / 'demo'
    demo_dir.mkdir()
    run([*python, lib / 'demo_portal.py', '-c', *configs, '-d', database,
        '--demo-dir', demo_dir], env)


class RPCWatch:
    "The JSON-RPC calls sao makes: those pending, and the server errors answered"

    def __init__(self, page):
        self.pending = {}
        self.errors = []
        self.last_change = time.monotonic()
        page.on('request', self._sent)
        page.on('requestfinished', self._finished)
        page.on('requestfailed', self._failed)

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
        try:
            response = request.response()
            body = response.json() if response else None
        except Exception:
            body = None
        if response is not None and response.status >= 500:
            self.errors.append(f"HTTP {response.status} on {self._method(request)}")
        error = body.get('error') if isinstance(body, dict) else None
        if error:
            kind = error[0] if isinstance(error, list) and error else str(error)
            if kind not in USER_ERRORS:
                detail = error[1] if isinstance(error, list) and len(error) > 1 else ''
                self.errors.append(
                    f"server error {kind} on {self._method(request)}: {str(detail)[:300]}")

    def _failed(self, request):
        self.pending.pop(request, None)
        self.last_change = time.monotonic()

    @staticmethod
    def _method(request):
        try:
            return json.loads(request.post_data or '{}').get('method', '?')
        except ValueError:
            return '?'

    def wait_idle(self, page):
        "Until no call has been pending for IDLE_MS; False if one is still pending at the end"
        deadline = time.monotonic() + REQUEST_TIMEOUT
        while time.monotonic() < deadline:
            page.wait_for_timeout(100)
            if not self.pending and time.monotonic() - self.last_change > IDLE_MS / 1000:
                return True
        return not self.pending


class MenuWalkTestCase(unittest.TestCase):
    "Every back-office screen opens in sao"

    @classmethod
    def setUpClass(cls):
        require_browser()
        serve_back_office(cls, 'walk', cls.fill)
        shutil.rmtree(SHOTS, ignore_errors=True)
        SHOTS.mkdir(parents=True, exist_ok=True)

    @classmethod
    def fill(cls, configs, env, tmp):
        "The demo's data, then the menu entries the walk clicks"
        demo_data(cls.database, env, tmp)
        menus_file = tmp / 'menus.json'
        run([sys.executable, HERE / 'menus.py', '-c', *configs, '-d', cls.database,
            '--out', menus_file], env)
        cls.entries = json.loads(menus_file.read_text())

    def setUp(self):
        self.page = self.browser.new_page(viewport={'width': 1366, 'height': 900})
        self.addCleanup(self.page.close)
        self.page_errors = []
        self.page.on('pageerror', lambda error: self.page_errors.append(str(error)))
        self.rpc = RPCWatch(self.page)

    # ---- sao ---------------------------------------------------------------------------------
    def login(self):
        page = self.page
        sao_login(page, self.url, self.database, self.password)
        page.locator('#menu tbody tr').first.wait_for(timeout=TIMEOUT)
        self.rpc.wait_idle(page)

    def menu_rows(self):
        "The menu tree's visible rows: (name, depth, has children)"
        return self.page.evaluate("""() => [...document.querySelectorAll('#menu tbody tr')]
            .map(tr => {
                const expander = tr.querySelector('.expander');
                const img = expander && expander.querySelector('img');
                return [
                    (tr.querySelector('.column-char') || {}).textContent || '',
                    img ? parseFloat(img.style.marginLeft || '0') : 0,
                    !!expander && expander.style.visibility !== 'hidden'];
            })""")

    def find_row(self, path):
        "Index of the row of the menu path among the visible rows, expanding the parents"
        start = 0
        for depth, name in enumerate(path):
            rows = self.menu_rows()
            index = next((i for i in range(start, len(rows))
                    if rows[i][0] == name and rows[i][1] == depth), None)
            if index is None:
                return None
            if depth < len(path) - 1:
                expanded = index + 1 < len(rows) and rows[index + 1][1] > depth
                if not expanded:
                    self.page.locator('#menu tbody tr').nth(index).locator(
                        '.expander').click()
                    self.rpc.wait_idle(self.page)
            start = index + 1
        return index

    def active_tab(self):
        return self.page.locator('#tabcontent > .tab-pane.active')

    def tab_count(self):
        return self.page.locator('#tablist > li').count()

    def wait(self):
        if not self.rpc.wait_idle(self.page):
            self.problems.append("a request did not finish (the spinner never stops)")

    def close_dialogs(self):
        """Close whatever dialog is open: an error (a problem), "save the changes?" (no),
        a wizard or a question (its first button, Cancel in Tryton's wizards)"""
        for _ in range(8):
            self.page.wait_for_timeout(300)          # sao's dialogs fade in
            dialogs = self.page.locator('.modal.in')
            if not dialogs.count():
                return
            dialog = dialogs.last
            buttons = dialog.locator('.modal-footer button:visible')
            classes = dialog.get_attribute('class') or ''
            if 'error-dialog' in classes:
                self.problems.append("an error dialog: " + dialog.inner_text()[:300])
            if 'confirmation-dialog' in classes and buttons.count() == 3:
                buttons.nth(1).click()              # Cancel, No, Yes: discard the changes
            elif buttons.count():
                buttons.first.click()
            else:
                self.page.keyboard.press('Escape')
            self.wait()
        self.problems.append("a dialog could not be closed")

    def close_tabs(self):
        for _ in range(10):
            self.close_dialogs()
            if not self.tab_count():
                return
            close = self.page.locator('#tablist > li button.close').last
            try:
                close.click(timeout=5000)
            except PlaywrightError:
                pass                        # re-drawn while closing the previous tab: again
            self.wait()
        self.problems.append("a tab could not be closed")

    # ---- one screen ---------------------------------------------------------------------------
    def check_list_and_forms(self, entry):
        tab = self.active_tab()
        if tab.locator('.treeview').count() and tab.locator('.treeview').first.is_visible():
            rows = tab.locator('.treeview tbody tr td[headers]:visible')
            domains = tab.locator('.tab-domain a')
            if not rows.count() and domains.count() > 1:
                domains.last.click()        # "Toate": the default tab may be empty
                self.wait()
            if rows.count() and 'form' in entry.get('views', ['form']) + [None]:
                rows.first.dblclick()
                self.wait()
                self.shot(entry, 'record')
                switch = tab.locator('button#switch_')
                if switch.count() and switch.first.is_enabled():
                    switch.first.click()
                    self.wait()
        new = tab.locator('button#new_')
        if new.count() and new.first.is_visible() and new.first.is_enabled():
            new.first.click()
            self.wait()
            self.shot(entry, 'new')

    def shot(self, entry, what):
        name = re.sub(r'[^\w-]+', '-', '-'.join(entry['path'])).strip('-').lower()
        self.page.screenshot(path=str(SHOTS / f'{name}-{what}.png'))

    def walk(self, entry):
        "The problems of one menu entry"
        self.problems = []
        errors_before = len(self.page_errors), len(self.rpc.errors)
        index = self.find_row(entry['path'])
        if index is None:
            return ["not in the menu"]
        tabs = self.tab_count()
        row = self.page.locator('#menu tbody tr').nth(index)
        row.locator('.column-char').click()
        self.wait()
        if entry['type'] == 'ir.action.act_window':
            if self.tab_count() <= tabs:
                row.locator('.column-char').dblclick()      # an entry that also has children
                self.wait()
            if self.tab_count() > tabs:
                self.shot(entry, 'list')
                self.check_list_and_forms(entry)
            elif not self.page_errors[errors_before[0]:]:
                self.problems.append("no tab opened")
        else:
            self.shot(entry, 'open')
        self.close_dialogs()
        self.close_tabs()
        self.problems += [f"JavaScript: {e}" for e in self.page_errors[errors_before[0]:]]
        self.problems += self.rpc.errors[errors_before[1]:]
        return self.problems

    def test_every_menu_entry(self):
        "Each menu entry's screens open without a JavaScript or server error"
        self.login()
        broken = {}
        start = time.monotonic()
        for entry in self.entries:
            try:
                problems = self.walk(entry)
            except PlaywrightError as error:
                self.shot(entry, 'stuck')
                problems = self.problems + [
                    "the screen did not respond: " + str(error).splitlines()[0]]
            label = ' › '.join(entry['path'])
            if problems:
                broken[label] = problems
                log(f"BROKEN {label}: {' | '.join(problems)[:500]}")
                # a fresh page: one broken screen must not hide the next ones
                self.page.close()
                self.setUp()
                self.login()
        log(f"walked {len(self.entries)} menu entries in {time.monotonic() - start:.0f} s, "
            f"{len(broken)} broken")
        self.assertGreater(len(self.entries), 50)
        self.assertFalse(broken, "screens that break in sao:\n" + '\n'.join(
                f"- {label}: {' | '.join(problems)}" for label, problems in broken.items()))


if __name__ == '__main__':
    unittest.main()
