"""End-to-end walks through the citizen portal in Debian's Chromium, driven by Playwright.

Run by scripts/test (suite "browser"). Everything is real and on loopback: a PostgreSQL database
with every module (harness.build_database), trytond (back office and the Ghișeul.ro endpoint), the
Ghișeul.ro emulator as its own process with its card page, the portal as its own process, and a
mail catcher in this process. The walks of issue 5:

- register → confirm the e-mail (caught locally) → log in → my taxes → pay through the emulator
  → receipt;
- send a request → its registry number → the registry clerk validates the account and answers in
  sao (served by the same trytond, clicked as she does: harness.Sao) → the citizen sees the answer;
- pay at the kiosk with the on-screen keypad; pay without an account;
- last, a password reset and a verification, then no log of any process (trytond, the emulator,
  the portal) holds a token, a verification code, a payment reference, a CNP or a card number.
"""
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

from harness import (
    ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, SAO_DIR, TEST_CONFIG, TIMEOUT, VENV_BIN, Sao,
    Server, admin_env, build_database, connect, free_port, log, require_browser, run)

SEED = Path(__file__).resolve().parent / 'seed_portal.py'
PASSWORD = 'Parola-Browser-2026'
# back from the card page while the notification is booking: "waiting", then the page's refresh
PAID_TIMEOUT = 30_000
CARD = {'#card_number': '4111111111111111', '#expiry': '12/30', '#cvv': '123',
    '#holder': 'TEST CARD'}
# axe-core from npm (scripts/lib/bootstrap.sh, op_install_axe), audited at WCAG 2.1 AA
AXE_SCRIPT = ROOT / 'var' / 'axe-core' / 'axe.min.js'
AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
AXE_PAGES = ['/', '/login', '/register', '/reset', '/services', '/services/petition', '/track',
    '/verify', '/pay/lookup']
AXE_ACCOUNT_PAGES = ['/', '/taxes', '/requests', '/services/petition', '/account/validation']


def axe_violations(page):
    """axe-core's WCAG 2.1 AA violations of the page as it is now: ["rule (impact): help —
    selectors"], one line each (the portal's CSP refuses inline scripts: the audit's context
    bypasses it)"""
    if not page.evaluate('() => typeof window.axe === "object"'):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        'tags => axe.run(document, {runOnly: {type: "tag", values: tags}})', AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
        + '; '.join(', '.join(n['target']) for n in v['nodes'][:5])
        for v in result['violations']]


class PortalTestCase(unittest.TestCase):
    "The citizen portal and kiosk, end to end"

    @classmethod
    def setUpClass(cls):
        require_browser()
        from playwright.sync_api import sync_playwright

        from trytond.modules.citizen_portal.tests.mailcatcher import MailCatcher

        tmp = cls.tmp = Path(tempfile.mkdtemp(prefix='openprimarie-portal-'))
        cls.addClassCleanup(shutil.rmtree, tmp, ignore_errors=True)
        env, cls.admin_password = admin_env(tmp)
        cls.mail = MailCatcher().start()
        cls.addClassCleanup(cls.mail.stop)
        ports = {name: free_port() for name in ['trytond', 'emulator', 'portal']}
        cls.url = f"http://127.0.0.1:{ports['portal']}"
        cls.trytond_url = f"http://127.0.0.1:{ports['trytond']}"
        emulator_url = f"http://127.0.0.1:{ports['emulator']}"
        config = tmp / 'trytond.conf'
        config.write_text(TEST_CONFIG.read_text() + f"""
[web]
listen = 127.0.0.1:{ports['trytond']}
root = {SAO_DIR}

[email]
uri = {cls.mail.uri}
from = portal@primarie.test

[citizen_portal]
check_email_deliverability = False
""")
        configs = [config]
        cls.database = build_database(cls, 'portal', configs, env)
        institution = f'TEST:primarie:{secrets.token_urlsafe(8)}'
        notify_user, notify_password = 'ghiseul', secrets.token_urlsafe(8)
        out = tmp / 'seed.json'
        cls.clerk_password = secrets.token_urlsafe(12)
        run([sys.executable, SEED, '-c', *configs, '-d', cls.database, '--out', out,
                '--emulator-url', f'{emulator_url}/soap', '--institution', institution,
                '--notify', f'{notify_user}:{notify_password}', '--pki-dir', tmp / 'pki',
                '--clerk-password', cls.clerk_password],
            env)
        cls.seed = json.loads(out.read_text())

        Server(cls, 'trytond', [VENV_BIN / 'trytond', '-c', *configs, '-d', cls.database],
            cls.trytond_url, env=env, tmp=tmp)
        Server(cls, 'emulator', [sys.executable, '-m', 'trytond.modules.ghiseul.emulator',
                '--port', ports['emulator'], '--state', tmp / 'emulator.sqlite',
                '--notify-url', f'{cls.trytond_url}/{cls.database}/ghiseul/soap',
                '--institution', institution, '--notify-user', notify_user,
                '--notify-password', notify_password, '--retry-base', '0.2',
                '--retry-max', '1'],
            emulator_url, env=env, tmp=tmp, ready_path='/soap?wsdl')
        portal_env = dict(env, OPENPRIMARIE_SECRET_KEY=secrets.token_hex(32),
            OPENPRIMARIE_PORTAL_URL=cls.url,
            OPENPRIMARIE_KIOSK_NETWORKS='127.0.0.0/8,::1/128')
        cls.portal_server = Server(cls, 'portal', [sys.executable, '-m', 'trytond.modules.citizen_portal.portal',
                '-c', config, '-d', cls.database, '--port', ports['portal']],
            cls.url, env=portal_env, tmp=tmp, ready_path='/login')

        cls.playwright = sync_playwright().start()
        cls.addClassCleanup(cls.playwright.stop)
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cls.addClassCleanup(cls.browser.close)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def setUp(self):
        self.context = self.browser.new_context(
            viewport={'width': 390, 'height': 844}, locale='ro-RO')
        self.addCleanup(self.context.close)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT)
        self.page_errors = []
        self.page.on('pageerror', lambda error: self.page_errors.append(str(error)))
        self.addCleanup(self._screenshot_on_failure)

    def _screenshot_on_failure(self):
        outcome = getattr(self, '_outcome', None)
        if outcome is not None and not outcome.success:
            self.screenshot(f'{self._testMethodName}-failure')
            log(f"end of the portal's output:\n{self.portal_server.output()}")

    def screenshot(self, name):
        path = ARTIFACTS / f'portal-{name}.png'
        self.page.screenshot(path=str(path), full_page=True)
        log(f"screenshot: {path}")

    # ---- steps -----------------------------------------------------------------------------
    def register_and_login(self, cnp, last_name, first_name):
        "Register, open the confirmation link caught by the mail catcher, log in"
        from playwright.sync_api import expect
        page = self.page
        email = f'{first_name.lower()}.{secrets.token_hex(3)}@example.ro'
        page.goto(f'{self.url}/register')
        page.fill('#email', email)
        page.fill('#last_name', last_name)
        page.fill('#first_name', first_name)
        page.fill('#code', cnp)
        page.fill('#password', PASSWORD)
        page.fill('#password2', PASSWORD)
        page.check('#consent')
        page.click('form.form button[type=submit]')
        expect(page.locator('main [role=status]')).to_contain_text(email)
        link = self.confirmation_link(email)
        page.goto(link)
        expect(page.locator('main [role=status]')).to_be_visible()
        page.goto(f'{self.url}/login')
        page.fill('#email', email)
        page.fill('#password', PASSWORD)
        page.click('form.form button[type=submit]')
        expect(page.locator('h1')).to_have_text(re.compile('Contul meu'))
        return email

    def confirmation_link(self, email):
        import time
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            messages = self.mail.to(email)
            if messages:
                text = self.mail.text(messages[-1])
                match = re.search(re.escape(self.url) + r'/confirm\?token=[0-9a-f]+', text)
                self.assertTrue(match, text)
                return match.group(0)
            time.sleep(0.2)
        self.fail(f"no confirmation e-mail to {email}")

    def wait_for_mail(self, email, text, timeout=20):
        import time
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in self.mail.text(m) for m in self.mail.to(email)):
                return
            time.sleep(0.2)
        self.fail(f"no e-mail to {email} with {text}")

    def pay_on_card_page(self):
        "Ghișeul.ro's card page (the emulator): a card that is authorised"
        page = self.page
        page.wait_for_selector('#card_number')
        self.screenshot(f'{self._testMethodName}-card-page')
        for selector, value in CARD.items():
            page.fill(selector, value)
        page.click('#pay')

    def fetch(self, href):
        "GET a link of the page with the browser's cookies; the body"
        response = self.page.request.get(href if href.startswith('http') else self.url + href)
        self.assertEqual(response.status, 200, href)
        return response.body()

    def sql(self, query, *args):
        "The rows of a query on the walk's database (to check what the walk wrote)"
        with connect(os.environ['TRYTOND_DATABASE_URI'], self.database) as conn:
            return conn.execute(query, args).fetchall()

    def clerk_answers(self, email, number, subject):
        """The registry clerk in sao, in a browser of her own: Portalul cetățeanului › Conturi de
        cetățeni › the account › Validează identitatea; Registratură › Documente › the request ›
        Răspunde, the reply's file, Înregistrează"""
        context = self.browser.new_context(viewport={'width': 1366, 'height': 900})
        self.addCleanup(context.close)
        sao = Sao(context.new_page())
        try:
            sao.login(self.trytond_url, self.database, self.clerk_password,
                login=self.seed['clerk_login'])
            self.clerk_validates(sao, email)
            self.clerk_replies(sao, number, subject)
        except BaseException:
            sao.screenshot(ARTIFACTS / f'portal-{self._testMethodName}-sao-failure.png')
            raise

    def clerk_validates(self, sao, email):
        "The account's identity checked at the counter, in the account's form"
        sao.open_menu("Portalul cetățeanului", "Conturi de cetățeni")
        sao.row(email).dblclick()
        sao.wait()
        sao.expect_value('trust_level', "Standard")
        sao.click("Validează identitatea", scope=sao.tab())
        dialog = sao.dialog()
        self.assertIn("Validarea contului de cetățean",
            dialog.locator('.modal-header').inner_text())
        sao.fill('identity_document', 'CJ 123456', scope=dialog)
        sao.widget('confirmed', dialog).check()
        sao.wait()
        sao.screenshot(ARTIFACTS / 'portal-sao-validate-account.png')
        sao.click("Validează", scope=dialog.locator('.modal-footer'))
        sao.check("account validated")
        sao.expect_value('trust_level', "Validat")

    def clerk_replies(self, sao, number, subject):
        "The answer to the request, from the list of documents: Răspunde, a file, registered"
        from trytond.modules.document_signature.tests.pki import make_pdf
        answer_file = self.tmp / 'raspuns.pdf'
        answer_file.write_bytes(make_pdf("Raspuns la petitie"))
        tab = sao.open_menu("Registratură", "Documente")
        tab.locator('.tab-domain a', has_text="Toate").click()
        sao.wait()
        row = sao.row(subject)
        self.assertEqual(row.locator('td[headers]').first.inner_text().strip(), number)
        sao.select_row(subject)
        tabs = sao.page.locator('#tablist > li').count()
        sao.list_button("Răspunde")
        dialog = sao.dialog()
        sao.expect_value('kind', "Răspuns", scope=dialog)
        sao.fill('summary', "Echipa de intervenție a reparat iluminatul.", scope=dialog)
        sao.click("Creează", scope=dialog.locator('.modal-footer'))
        sao.check("reply created")
        sao.page.wait_for_function(
            f"document.querySelectorAll('#tablist > li').length > {tabs}")
        sao.wait()
        sao.expect_value('direction', "Ieșire")
        sao.page_tab("Fișiere atașate")
        sao.attach("Fișiere atașate", answer_file)
        sao.click("Adăugare")
        sao.save()
        sao.click("Înregistrează")
        sao.check("reply registered")
        sao.expect_value('number', number)
        sao.expect_value('state', "Înregistrat")
        sao.screenshot(ARTIFACTS / 'portal-sao-reply-registered.png')

    # ---- walks -----------------------------------------------------------------------------
    def test_register_taxes_pay_receipt(self):
        "register → confirm → login → my taxes → pay through the emulator → receipt"
        from playwright.sync_api import expect
        page = self.page
        person = self.seed['registered']
        self.register_and_login(person['cnp'], "Munteanu", "Elena")
        page.goto(f'{self.url}/taxes')
        expect(page.locator('main')).to_contain_text('Total')
        self.screenshot('my-taxes')
        page.goto(f'{self.url}/pay')
        pay = page.locator('form[method=post] button.primary')
        expect(pay).to_contain_text('lei')
        pay.click()
        self.pay_on_card_page()
        expect(page.locator('.status.good')).to_be_visible(timeout=PAID_TIMEOUT)
        self.screenshot('paid')
        receipt = page.locator('a.button.primary[href$=".pdf"]')
        self.assertTrue(self.fetch(receipt.get_attribute('href')).startswith(b'%PDF'))
        # booked once, with its receipt, in the database
        self.assertEqual(self.sql(
                'SELECT p.channel, count(r.id) FROM local_tax_payment p '
                'LEFT JOIN local_tax_receipt r ON r.payment = p.id '
                'WHERE p.taxpayer = %s GROUP BY p.id, p.channel', person['party']),
            [('ghiseul', 1)])

    def test_request_answered_in_back_office(self):
        "request → registry number → the clerk validates and answers → the citizen sees it"
        from playwright.sync_api import expect
        page = self.page
        email = self.register_and_login(self.seed['requester']['cnp'], "Dobre", "Ioana")
        page.goto(f'{self.url}/services/petition')
        page.fill('#f_subject', "Iluminat public")
        page.fill('#f_content', "Pe strada Avram Iancu nu funcționează iluminatul public.")
        page.click('#submit-request')
        number = page.locator('#registration-number')
        expect(number).to_be_visible()
        registered = number.inner_text().strip()
        self.assertRegex(registered, r'\d')
        request_url = page.url.split('?')[0]
        self.screenshot('request-registered')

        self.clerk_answers(email, registered, "Iluminat public")

        page.goto(request_url)
        section = page.locator('section[id^=answer-]')
        expect(section).to_be_visible()
        link = section.locator('a').first
        self.assertTrue(self.fetch(link.get_attribute('href')).startswith(b'%PDF'))
        self.screenshot('request-answered')

    def test_kiosk_payment(self):
        "kiosk: CNP and payment reference on the keypad → what is due → card → receipt"
        from playwright.sync_api import expect
        page = self.page
        person = self.seed['kiosk']
        page.set_viewport_size({'width': 1080, 'height': 1920})
        page.goto(f'{self.url}/kiosk')
        page.click('#code')
        for key in person['cnp']:
            page.click(f'button[data-key="{key}"]')
        page.click('button[data-key="next"]')
        for key in person['reference']:
            page.click(f'button[data-key="{key}"]')
        expect(page.locator('#code')).to_have_value(person['cnp'])
        expect(page.locator('#reference')).to_have_value(person['reference'])
        page.click('form button[type=submit].primary')
        pay = page.locator('form button[type=submit].primary')
        expect(pay).to_contain_text('lei')
        self.screenshot('kiosk-due')
        pay.click()
        self.pay_on_card_page()
        receipt = page.locator('a.button.primary')
        expect(receipt).to_be_visible(timeout=PAID_TIMEOUT)
        receipt.click()
        expect(page.locator('button[data-print]')).to_be_visible()
        pdf = page.locator('a.button[href$=".pdf"]')
        self.assertTrue(self.fetch(pdf.get_attribute('href')).startswith(b'%PDF'))
        self.screenshot('kiosk-receipt')

    def test_phone_menu_button(self):
        "390×844: the menu behind its button, the content near the top; the button opens it"
        from playwright.sync_api import expect
        page = self.page
        page.goto(f'{self.url}/')
        button = page.locator('#menu-button')
        expect(button).to_be_visible()
        expect(button).to_have_attribute('aria-expanded', 'false')
        expect(page.locator('#main-menu')).to_be_hidden()
        top = page.locator('main h1').bounding_box()['y']
        self.assertLess(top, 200, "the content starts below the navigation")
        self.screenshot('phone-menu-closed')
        button.click()
        expect(button).to_have_attribute('aria-expanded', 'true')
        track = page.locator('#main-menu a[href="/track"]')
        expect(track).to_be_visible()
        self.screenshot('phone-menu-open')
        page.keyboard.press('Escape')
        expect(button).to_have_attribute('aria-expanded', 'false')
        expect(page.locator('#main-menu')).to_be_hidden()
        button.click()
        track.click()
        expect(page.locator('main h1')).to_have_text(re.compile('Urmăriți'))
        self.assertEqual(self.page_errors, [])

    def test_form_errors_tied_to_fields(self):
        "register with a 5-digit CNP and no name: all errors at once, the summary's links focus the fields"
        from playwright.sync_api import expect
        page = self.page
        page.goto(f'{self.url}/register')
        page.fill('#email', 'greseala@example.ro')
        page.fill('#first_name', 'Ana')
        page.fill('#code', '12345')
        page.fill('#password', PASSWORD)
        page.fill('#password2', PASSWORD)
        page.click('form.form button[type=submit]')
        summary = page.locator('#error-summary')
        expect(summary).to_be_focused()
        links = summary.locator('a')
        expect(links).to_have_count(3)   # last name, code, consent
        for field in ['last_name', 'code', 'consent']:
            expect(page.locator(f'#{field}')).to_have_attribute('aria-invalid', 'true')
        expect(page.locator('#code-error')).to_contain_text('13')
        expect(page.locator('#code')).to_have_value('12345')
        expect(page.locator('#email')).to_have_value('greseala@example.ro')
        expect(page.locator('#password')).to_have_value('')
        self.screenshot('form-errors')
        summary.locator('a[href="#code"]').click()
        expect(page.locator('#code')).to_be_focused()
        summary.locator('a[href="#consent"]').click()
        expect(page.locator('#consent')).to_be_focused()
        self.assertEqual(self.page_errors, [])

    def test_kiosk_choose_what_to_pay(self):
        "kiosk: one box of two → its total → the card page's keypad → paid"
        from playwright.sync_api import expect
        page = self.page
        person = self.seed['kiosk']
        page.set_viewport_size({'width': 1080, 'height': 1920})
        page.goto(f'{self.url}/kiosk')
        page.fill('#code', person['cnp'])
        page.fill('#reference', person['reference'])
        page.click('form button[type=submit].primary')
        boxes = page.locator('input[name="obligations"]')
        expect(boxes).to_have_count(2)
        # the layout takes the whole screen: "Start again" at the bottom
        end = page.locator('.kiosk-end').bounding_box()
        self.assertGreater(end['y'], 1920 / 2)
        for href in page.eval_on_selector_all('a[href]', 'links => links.map(a => a.getAttribute("href"))'):
            self.assertTrue(href.startswith(('/kiosk', '?', '#')), href)
        pay = page.locator('#kiosk-pay')
        everything = pay.inner_text()
        first = boxes.nth(0).get_attribute('id')
        amount = page.locator(f'label[for="{first}"] strong').inner_text().replace(' lei', '')
        boxes.nth(1).uncheck()
        page.click('#kiosk-update')
        expect(pay).not_to_have_text(everything)
        expect(pay).to_contain_text(amount)
        self.screenshot('kiosk-choice')
        pay.click()
        page.wait_for_selector('#card_number')
        expect(page.locator('.keypad')).to_be_visible()
        page.click('#card_number')
        for key in CARD['#card_number']:
            page.click(f'.keypad button[data-key="{key}"]')
        expect(page.locator('#card_number')).to_have_value(CARD['#card_number'])
        self.screenshot('kiosk-card-keypad')
        for selector in ['#expiry', '#cvv', '#holder']:
            page.fill(selector, CARD[selector])
        page.click('#pay')
        expect(page.locator('.status.good')).to_be_visible(timeout=PAID_TIMEOUT)
        expect(page.locator('main')).to_contain_text(amount)

    def test_pay_without_account(self):
        "payment reference + CNP → only the amount due → card → receipt"
        from playwright.sync_api import expect
        page = self.page
        person = self.seed['anonymous']
        page.goto(f'{self.url}/pay/lookup')
        page.fill('#reference', person['reference'])
        page.fill('#code', person['cnp'])
        page.click('form button[type=submit].primary')
        pay = page.locator('form button[type=submit].primary')
        expect(pay).to_contain_text('lei')
        # nothing personal: not the name
        self.assertNotIn("Rusu", page.locator('main').inner_text())
        pay.click()
        self.pay_on_card_page()
        expect(page.locator('.status.good')).to_be_visible(timeout=PAID_TIMEOUT)
        receipt = page.locator('a.button.primary[href$=".pdf"]')
        self.assertTrue(self.fetch(receipt.get_attribute('href')).startswith(b'%PDF'))

    def test_accessibility_axe(self):
        "axe-core at WCAG 2.1 AA on the portal's pages in ro, hu and en, kiosk included: none"
        self.assertTrue(AXE_SCRIPT.exists(), f"{AXE_SCRIPT}: run scripts/lib/bootstrap.sh")
        context = self.browser.new_context(
            viewport={'width': 1280, 'height': 900}, locale='ro-RO', bypass_csp=True)
        self.addCleanup(context.close)
        self.page = page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        found = []

        def audit(paths, label):
            for lang in ['ro', 'hu', 'en']:
                for path in paths:
                    page.goto(f"{self.url}{path}{'&' if '?' in path else '?'}lang={lang}")
                    page.wait_for_load_state('load')
                    found.extend(f"{label} {lang} {path}: {line}"
                        for line in axe_violations(page))
        audit(AXE_PAGES, 'anonymous')
        audit(['/kiosk'], 'kiosk')
        from stdnum.ro import cnp
        body = '2%02d020212%03d' % (60 + secrets.randbelow(30), 1 + secrets.randbelow(999))
        page.goto(f'{self.url}/login?lang=ro')
        self.register_and_login(body + cnp.calc_check_digit(body), "Kovács", "Anna")
        audit(AXE_ACCOUNT_PAGES, 'account')
        self.screenshot('axe-account-en')
        # the audit finds what it looks for: an image without a text alternative
        page.evaluate('''() => document.querySelector('main').append(
            Object.assign(document.createElement('img'), {src: '/static/none.png'}))''')
        self.assertTrue([v for v in axe_violations(page) if v.startswith('image-alt ')],
            "axe-core did not audit the page")
        self.assertEqual(found, [], "axe-core violations (WCAG 2.1 AA):\n" + '\n'.join(found))

    def test_zz_no_secret_in_logs(self):
        "after every walk (and a password reset, a verification): no secret in any process's log"
        import html
        import os
        from playwright.sync_api import expect

        from harness import connect
        from stdnum.ro import cnp
        page = self.page
        body = '2%02d010112%03d' % (60 + secrets.randbelow(30), 1 + secrets.randbelow(999))
        self.seed['logs'] = {'cnp': body + cnp.calc_check_digit(body)}
        email = self.register_and_login(self.seed['logs']['cnp'], "Pop", "Ana")
        page.click('#menu-button')       # on a phone the menu is behind its button
        page.click('form[action$="/logout"] button')
        page.goto(f'{self.url}/reset')
        page.fill('#email', email)
        page.click('form.form button[type=submit]')
        expect(page.locator('main')).to_be_visible()
        self.wait_for_mail(email, '/reset/confirm?')
        with connect(os.environ['TRYTOND_DATABASE_URI'], self.database) as conn:
            tokens = [t for t, in conn.execute('SELECT token FROM ghiseul_transaction')]
            codes = list(conn.execute(
                'SELECT number, verification_code FROM document_signature_signed_document'))
            references = [r for r, in conn.execute(
                'SELECT payment_reference FROM local_tax_assessment')]
        for number, code in codes[:1]:
            page.goto(f'{self.url}/verify?number={number}&code={code}')
            expect(page.locator('main')).to_be_visible()
        texts = [self.mail.text(m) for m in self.mail.messages]
        links = re.findall(r'(?:token|code)=([A-Za-z0-9_-]{8,})', '\n'.join(texts))
        self.assertTrue(links, "no link with a token in the e-mails")
        for link in re.findall(re.escape(self.url) + r'/reset/confirm\?[^\s"<]+', '\n'.join(texts)):
            page.goto(html.unescape(link))
            expect(page.locator('#password')).to_be_visible()
            self.assertNotIn('token', page.url)
        secrets_ = {
            'card number': ['4111111111111111', '4111 1111 1111 1111'],
            'CNP': [v['cnp'] for v in self.seed.values() if isinstance(v, dict) and 'cnp' in v],
            'payment reference': references,
            'payment token': tokens,
            'link token': links,
            'verification code': [c for _, c in codes],
            'admin password': [self.admin_password],
            'clerk password': [self.clerk_password],
            }
        self.assertTrue(references)
        logs = {path.name: path.read_text(errors='replace') for path in self.tmp.glob('*.log')}
        self.assertTrue({'trytond.log', 'emulator.log', 'portal.log'} <= set(logs), logs.keys())
        self.assertIn('GET /pay/return', logs['portal.log'])
        found = [(kind, name) for kind, values in secrets_.items() for value in values
            for name, text in logs.items() if value and value in text]
        self.assertEqual(found, [])


if __name__ == '__main__':
    unittest.main()
