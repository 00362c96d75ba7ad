"""A tax clerk's day in sao, by clicking, at 1366×768: open a person, his fiscal file, take a
counter payment seeing its allocation before "Încasează", print the receipt (one A5 page, its
content checked in the PDF), issue a fiscal certificate; print a tax decision from its form.

The data (a person with a tax decision of 2026, overdue, and a fine; two cash desks whose cashier
is admin) is seeded through trytond by this file itself, run as a script in a subprocess:

    python tests/browser/test_clerk_tax.py seed -c CONFIG [CONFIG ...] -d DATABASE

Screenshots go to var/test-artifacts/clerk-tax/.
"""
import io
import re
import shutil
import sys
import unittest
from decimal import Decimal
from pathlib import Path

from harness import (
    ARTIFACTS, ROOT, TIMEOUT, log, require_browser, run, sao_login, serve_back_office)

SHOTS = ARTIFACTS / 'clerk-tax'
VIEWPORT = {'width': 1366, 'height': 768}
PERSON = ("Pușcaș", "Ioana")
PERSON_NAME = "Pușcaș Ioana"
CNP = '2800101221007'
FINE = "Amendă PV 77/2026"
DESK = "Casieria 1 – Primărie"


# ---- the data, seeded through trytond -----------------------------------------------------------
def seed(pool):
    "A municipality with its 2026 decision; the person, her decision and fine; two desks"
    import datetime as dt

    from trytond.modules.local_tax.tests.test_fiscal import assess, fine, setup_2026
    from trytond.modules.local_tax.tests.test_module import create_apartment, create_vehicle
    from trytond.modules.municipality.tests.tools import create_person, own

    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    CashDesk = pool.get('local_tax.cash_desk')
    Address = pool.get('party.address')
    company = setup_2026()
    admin, = User.search([('login', '=', 'admin')])
    groups = [ModelData.get_id('local_tax', f'group_local_tax_{g}')
        for g in ['clerk', 'head', 'cashier']]
    User.write([admin], {
            'companies': [('add', [company.id])],
            'company': company.id,
            'groups': [('add', groups)],
            })
    address, = (Address.search([('party', '=', company.party.id)])
        or [Address(party=company.party)])
    address.locality = company.seat
    address.street_name = "Avram Iancu"
    address.building_number = '22'
    address.save()
    person = create_person(*PERSON, cnp=CNP)
    own(create_apartment(company), person)
    own(create_vehicle(company, 'CJ07PUS', euro_norm='euro4'), person)
    assess(company)
    fine(company, person, '100', dt.date(2026, 6, 10), description=FINE)
    CashDesk.create([{
                'company': company.id, 'code': code, 'name': name,
                'cashiers': [('add', [admin.id])],
                } for code, name in [('C1', DESK), ('C2', "Casieria 2 – Centrul civic")]])
    print(f"seeded {person.rec_name} in {company.rec_name}")


def seed_main():
    sys.path.insert(0, str(ROOT / 'scripts' / 'lib'))
    from trytond_db import open_pool, run_committed
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument('-c', '--config', nargs='+', required=True)
    parser.add_argument('-d', '--database', required=True)
    args = parser.parse_args(sys.argv[2:])
    pool = open_pool(args.config, args.database)
    run_committed(args.database, lambda: seed(pool))


# ---- the test ---------------------------------------------------------------------------------
class ClerkTaxTestCase(unittest.TestCase):
    "The tax clerk's screens in sao"

    @classmethod
    def setUpClass(cls):
        require_browser()
        serve_back_office(cls, 'clerktax', lambda configs, env, tmp: run(
                [sys.executable, Path(__file__).resolve(), 'seed', '-c', *configs,
                    '-d', cls.database], env))
        shutil.rmtree(SHOTS, ignore_errors=True)
        SHOTS.mkdir(parents=True, exist_ok=True)

    def setUp(self):
        self.page = self.browser.new_page(viewport=VIEWPORT, accept_downloads=True)
        self.addCleanup(self.page.close)
        self.page_errors = []
        self.page.on('pageerror', lambda error: self.page_errors.append(str(error)))
        self.server_errors = []
        self.page.on('response', self._watch_response)
        self.addCleanup(self._screenshot_on_failure)

    def _watch_response(self, response):
        "JSON-RPC answers carrying a server error (a user's error is shown, not a bug)"
        if response.request.method != 'POST' or response.url.endswith('.js'):
            return
        try:
            body = response.json()
        except Exception:
            return
        error = body.get('error') if isinstance(body, dict) else None
        if error:
            kind = error[0] if isinstance(error, list) and error else str(error)
            if kind not in {'UserError', 'UserWarning', 'ConcurrencyException', 'LoginException'}:
                self.server_errors.append(str(error)[:400])

    def _screenshot_on_failure(self):
        outcome = getattr(self, '_outcome', None)
        result = getattr(outcome, 'result', None)
        failed = outcome is not None and (not outcome.success or any(
                test is self for test, _ in getattr(result, 'errors', [])
                + getattr(result, 'failures', [])))
        if failed:
            self.shot('failure')
            log("page errors: " + ' | '.join(self.page_errors[:5]))
            log("server errors: " + ' | '.join(self.server_errors[:5]))

    # ---- sao ---------------------------------------------------------------------------------
    def shot(self, name):
        path = SHOTS / f'{name}.png'
        self.page.screenshot(path=str(path))
        log(f"screenshot: {path}")

    def idle(self):
        "sao has no request pending and no spinner"
        self.page.wait_for_load_state('networkidle')
        self.page.locator('#processing').wait_for(state='hidden', timeout=TIMEOUT)

    def tab(self):
        return self.page.locator('#tabcontent > .tab-pane.active')

    def dialog(self):
        return self.page.locator('.modal.in .modal-content').last

    def open_menu(self, *path):
        for name in path:
            item = self.page.locator('#menu').get_by_text(name, exact=True).first
            item.wait_for(timeout=TIMEOUT)
            item.click()
            self.idle()

    def click_button(self, scope, text):
        "A button by its Romanian text (sao puts '_' accelerators in some)"
        button = scope.locator('button:visible', has_text=re.compile(
                r'^\s*' + re.escape(text) + r'\s*$')).first
        button.wait_for(timeout=TIMEOUT)
        button.click()
        self.idle()

    def form_action(self, name):
        "An action of the form's toolbar menu (the gear: Acțiuni)"
        self.tab().locator('button#action:visible').first.click()
        item = self.page.locator('.dropdown-menu:visible li a', has_text=name).first
        item.wait_for(timeout=TIMEOUT)
        item.click()
        self.idle()

    def x2many(self, scope, title):
        "A one2many or many2many list of a form, by its title"
        heading = self.page.locator('.form-many2many-string, .form-one2many-string',
            has_text=re.compile(r'^\s*' + re.escape(title) + r'\s*$'))
        return scope.locator('.form-many2many, .form-one2many').filter(has=heading).first

    def entry(self, scope, label):
        "The input of a form field, by its label"
        return scope.get_by_label(re.compile(r'^\s*' + re.escape(label) + r'\s*:?\s*$')).first

    def open_person(self):
        "Primărie › Persoane și firme, search the CNP, open the form"
        sao_login(self.page, self.url, self.database, self.password)
        self.page.locator('#menu tbody tr').first.wait_for(timeout=TIMEOUT)
        self.open_menu("Primărie", "Persoane și firme")
        search = self.tab().locator('.filter-box input').first
        search.fill(CNP)
        search.press('Enter')
        self.idle()
        row = self.tab().locator('.treeview tbody tr', has_text=PERSON_NAME).first
        row.wait_for(timeout=TIMEOUT)
        # a double-click on the row opens its form; sao may still be drawing the searched
        # list: then the double-click is lost, or the form opens empty (no record): back to
        # the list and again, on a loaded machine too
        from playwright.sync_api import Error as PlaywrightError
        for attempt in range(4):
            row = self.tab().locator('.treeview tbody tr', has_text=PERSON_NAME).first
            if row.is_visible():
                row.locator('td', has_text=PERSON_NAME).first.dblclick()
                self.idle()
            try:
                self.page.wait_for_function(
                    "name => [...document.querySelectorAll("
                    "'#tabcontent .tab-pane.active input')].some(i => i.value === name)",
                    arg=PERSON[0], timeout=TIMEOUT // 2)
                break
            except PlaywrightError:
                if not row.is_visible():        # the form, empty: back to the list
                    self.tab().locator('button#switch_').first.click()
                    self.idle()
        else:
            self.fail("the person's form did not open")
        form = self.tab().locator('div.form').first
        form.wait_for(timeout=TIMEOUT)
        return form

    def open_fiscal_file(self):
        self.tab().locator('.nav-tabs a', has_text="Fișa fiscală").first.click()
        self.idle()
        return self.tab().locator('.tab-pane.active', has=self.page.locator(
                '.form-many2many-string', has_text="Obligații")).first

    def money(self, text):
        return Decimal(text.strip().replace('.', '').replace(',', '.'))

    # ---- the clerk's day -------------------------------------------------------------------
    def test_counter_payment_and_certificate(self):
        from playwright.sync_api import expect
        from pypdf import PdfReader
        page = self.page
        self.open_person()
        fiscal = self.open_fiscal_file()
        obligations = self.x2many(fiscal, "Obligații")
        expect(obligations.locator('tbody tr', has_text=FINE)).to_be_visible(timeout=TIMEOUT)
        # the person's own file has no taxpayer column; the amounts fit at 1366 px
        headers = obligations.locator('thead th:visible').all_inner_texts()
        self.assertNotIn("Contribuabil", [h.strip() for h in headers])
        balance_cell = obligations.locator('tbody tr').first.locator('td:visible').last
        box = balance_cell.bounding_box()
        self.assertLessEqual(box['x'] + box['width'], VIEWPORT['width'])
        # the sums under the list say which is which (scripts/lib/sao_fix.py)
        sums = obligations.locator('tfoot').first
        expect(sums).to_contain_text("Selectate:", timeout=TIMEOUT)
        expect(sums).to_contain_text("Total:", timeout=TIMEOUT)
        payments = self.x2many(fiscal, "Plăți")
        self.assertEqual(payments.locator('tbody tr:has(td[headers])').count(), 0)
        self.shot('1-fiscal-file')

        # the counter, from the person's form: the person and the desk are there
        self.form_action("Încasare la ghișeu")
        dialog = self.dialog()
        expect(self.entry(dialog, "Contribuabil")).to_have_value(
            re.compile(re.escape(PERSON_NAME)), timeout=TIMEOUT)
        expect(self.entry(dialog, "Casierie")).to_have_value(
            re.compile(re.escape(DESK)), timeout=TIMEOUT)
        due = self.x2many(dialog, "Obligații neachitate").locator(
            'tbody tr td[headers]:visible')
        expect(due.first).to_be_visible(timeout=TIMEOUT)
        self.shot('2-counter-start')
        amount = self.entry(dialog, "Sumă")
        amount.click()
        amount.press('Control+a')
        amount.press_sequentially('150')
        amount.press('Tab')
        self.idle()
        expect(amount).to_have_value('150,00', timeout=TIMEOUT)
        self.click_button(dialog, "Arată repartizarea")

        # the allocation, in the order of the law, before anything is booked
        dialog = self.dialog()
        lines = self.x2many(dialog, "Repartizarea plății").locator('tbody tr:has(td[headers])')
        expect(lines.first).to_be_visible(timeout=TIMEOUT)
        texts = [t for t in lines.all_inner_texts() if t.strip()]
        log("allocation: " + ' / '.join(' '.join(t.split()) for t in texts))
        # the enforceable fine first (CPF art. 165(2)), then the oldest tax with its surcharge
        self.assertIn(FINE, texts[0])
        self.assertIn("Impozit", texts[1])
        self.shot('3-counter-allocation')
        with page.expect_download(timeout=120_000) as download:
            self.click_button(dialog, "Încasează")
        pdf = Path(download.value.path()).read_bytes()
        (SHOTS / 'receipt.pdf').write_bytes(pdf)
        reader = PdfReader(io.BytesIO(pdf))
        self.assertEqual(len(reader.pages), 1, "the receipt must fit on one A5 page")
        text = ' '.join(reader.pages[0].extract_text().split())
        for expected in [PERSON_NAME, CNP, FINE, "o sută cincizeci de lei", DESK,
                "Avram Iancu", "L.S.", "CHITANȚĂ"]:
            self.assertIn(expected, text)
        self.close_download_dialog()

        # the fiscal file shows the payment without a reload
        fiscal = self.open_fiscal_file()
        payments = self.x2many(fiscal, "Plăți")
        payments.scroll_into_view_if_needed()
        expect(payments.locator('tbody tr:has(td[headers])', has_text='150,00')).to_have_count(
            1, timeout=TIMEOUT)
        self.shot('4-fiscal-file-paid')

        # the fiscal certificate, from the person's form
        self.form_action("Eliberează certificat de atestare fiscală")
        dialog = self.dialog()
        expect(self.entry(dialog, "Contribuabil")).to_have_value(
            re.compile(re.escape(PERSON_NAME)), timeout=TIMEOUT)
        self.shot('5-certificate-start')
        with page.expect_download(timeout=120_000) as download:
            self.click_button(dialog, "Eliberează")
        pdf = Path(download.value.path()).read_bytes()
        (SHOTS / 'certificate.pdf').write_bytes(pdf)
        text = ' '.join(' '.join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages
                ).split())
        for expected in [PERSON_NAME, CNP, f"{self.today_year()}/1"]:
            self.assertIn(expected, text)
        self.close_download_dialog()
        self.shot('6-after-certificate')
        self.assertEqual(self.page_errors, [])
        self.assertEqual(self.server_errors, [])

    def test_print_tax_decision(self):
        "Primărie › Taxe locale › Decizii de impunere: the decision, its print menu, the PDF"
        from playwright.sync_api import expect
        from pypdf import PdfReader
        page = self.page
        sao_login(page, self.url, self.database, self.password)
        page.locator('#menu tbody tr').first.wait_for(timeout=TIMEOUT)
        self.open_menu("Primărie", "Taxe locale", "Decizii de impunere")
        row = self.tab().locator('.treeview tbody tr', has_text=PERSON_NAME).first
        expect(row).to_be_visible(timeout=TIMEOUT)
        number = re.search(r'2026/\d+', row.inner_text()).group(0)
        row.locator('td', has_text=PERSON_NAME).first.dblclick()
        self.idle()
        form = self.tab().locator('div.form').first
        expect(self.entry(form, "Număr")).to_have_value(number, timeout=TIMEOUT)
        self.shot('7-tax-decision')
        self.tab().locator('button#print:visible').first.click()
        item = page.locator('.dropdown-menu:visible li a', has_text="Decizie de impunere").first
        item.wait_for(timeout=TIMEOUT)
        with page.expect_download(timeout=120_000) as download:
            item.click()
        pdf = Path(download.value.path()).read_bytes()
        (SHOTS / 'tax-decision.pdf').write_bytes(pdf)
        text = ' '.join(' '.join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages
                ).split())
        for expected in ["DECIZIE DE IMPUNERE", number, PERSON_NAME, CNP, "CJ07PUS",
                "Termen de plată", "177,50", "45 de zile"]:
            self.assertIn(expected, text)
        self.close_download_dialog()
        self.assertEqual(self.page_errors, [])
        self.assertEqual(self.server_errors, [])

    def today_year(self):
        import datetime as dt
        return dt.date.today().year

    def close_download_dialog(self):
        "sao's 'Descarcă' dialog that carries the file"
        dialog = self.page.locator('.modal.in').last
        if dialog.count():
            dialog.locator('.modal-footer button').last.click()
        self.idle()


if __name__ == '__main__':
    if sys.argv[1:2] == ['seed']:
        seed_main()
    else:
        unittest.main()
