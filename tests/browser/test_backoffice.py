"""End-to-end test of the back office: sao in Debian's Chromium, driven by Playwright.

Run by scripts/test (suite "browser"), which provides a PostgreSQL server in
TRYTOND_DATABASE_URI. The test creates its own database on it with all our modules in Romanian,
seeds a little data (tests/browser/seed.py), serves sao with trytond on a free loopback port,
logs in as admin and checks Romanian menus and labels. Screenshots go to var/test-artifacts/.

tests/browser has no __init__.py on purpose: the cross-module suite (unittest discover in tests/)
must not collect this slow test.
"""
import re
import sys
import unittest

from harness import (
    ARTIFACTS, SEED, TIMEOUT, log, require_browser, run, sao_login, serve_back_office)
from seed import BUILDING_NAME      # tests/browser/seed.py (this directory is on sys.path)

# ---- strings the test looks for (adjust here when menus or labels change) ---------------------
MENU_ROOT = "Primărie"
MENU_PERSONS = "Persoane și firme"
MENU_ASSETS = "Bunuri"
MENU_BUILDINGS = "Clădiri"
PERSONS_LIST_LABELS = ["Nume"]
BUILDING_FORM_LABELS = ["Tip construcție", "An construire"]


class BackOfficeTestCase(unittest.TestCase):
    "sao back office in Romanian"

    @classmethod
    def setUpClass(cls):
        require_browser()
        serve_back_office(cls, 'browser', lambda configs, env, tmp: run(
                [sys.executable, SEED, '-c', *configs, '-d', cls.database], env))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

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
        sao_login(self.page, self.url, self.database, self.password)
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
