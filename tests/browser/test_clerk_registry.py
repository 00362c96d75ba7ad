"""A registry clerk's day in sao, clicked and typed as he does (issue 11): register an incoming
petition with its file, assign it, answer it.

The clerk is a back-office user of the Registry Clerk group (tests/browser/seed_registry.py
creates him with the municipality, its register, its departments and the person who writes);
everything he does is done in sao in Chromium — no RPC for the steps tested. The test reads
what the screen shows (number, date, deadline, state, the file's name) and then checks the
database. It fails on any JavaScript error, server error, error dialog or request that never
finishes (harness.Sao). Screenshots of the key screens go to var/test-artifacts/clerk-registry/.
"""
import datetime as dt
import hashlib
import json
import re
import shutil
import sys
import unittest
from pathlib import Path

from harness import ARTIFACTS, ROOT, SaoTestCase, require_browser, run, serve_back_office

HERE = Path(__file__).resolve().parent
SHOTS = ARTIFACTS / 'clerk-registry'
SUMMARY = "Iluminatul public nu funcționează pe strada Avram Iancu."
ANSWER = "Echipa de intervenție a înlocuit lămpile de pe strada Avram Iancu."
NOTE = "Rețeaua de iluminat ține de Serviciul impozite și taxe."
DATE_FORMAT = '%d.%m.%Y'              # Romanian dates in sao


def holidays(year):
    "The shipped non-working days of the year (data/municipality, Codul muncii art. 139)"
    path = ROOT / 'data' / 'municipality' / f'holidays-{year}.csv'
    lines = path.read_text(encoding='utf-8').splitlines()[1:]
    return {dt.date.fromisoformat(line.split(',')[0]) for line in lines if line.strip()}


def petition_deadline(date):
    """30 days after registration, moved to the next working day (OG 27/2002 art. 8(1), CPC
    art. 181(2))"""
    end = date + dt.timedelta(days=30)
    while end.weekday() >= 5 or end in holidays(end.year):
        end += dt.timedelta(days=1)
    return end


def pdf(text):
    from trytond.modules.document_registry.tests.tools import make_pdf
    return make_pdf(text)


class ClerkRegistryTestCase(SaoTestCase):
    "Registratură: a petition registered, assigned and answered by clicking in sao"
    SHOTS = SHOTS

    @classmethod
    def setUpClass(cls):
        require_browser()
        serve_back_office(cls, 'clerkreg', cls.fill)
        shutil.rmtree(SHOTS, ignore_errors=True)
        SHOTS.mkdir(parents=True, exist_ok=True)
        cls.files = {}
        for name, text in [('petitie-iluminat.pdf', "Petitie iluminat public"),
                ('raspuns-iluminat.pdf', "Raspuns iluminat public")]:
            cls.files[name] = SHOTS / name
            cls.files[name].write_bytes(pdf(text))

    @classmethod
    def fill(cls, configs, env, tmp):
        out = tmp / 'seed.json'
        run([sys.executable, HERE / 'seed_registry.py', '-c', *configs, '-d', cls.database,
                '--out', out, '--password', cls.password], env)
        cls.seed = json.loads(out.read_text())


    # ---- the steps ------------------------------------------------------------------------------
    def register_petition(self):
        "Registratură › Documente › new: type, sender, summary, the file; save; Înregistrează"
        sao, seed = self.sao, self.seed
        tab = sao.open_menu('Registratură', 'Documente')
        self.shot('01-list')
        sao.toolbar('new_')
        sao.expect_value('registry', seed['register'])
        sao.expect_value('direction', "Intrare")
        sao.expect_value('channel', "Ghișeu")
        sao.pick('document_type', "Peti", "Petiție")
        sao.pick('issuer', "Popescu", seed['sender'])
        sao.fill('summary', SUMMARY)
        sao.page_tab("Fișiere atașate")
        sao.attach("Fișiere atașate", self.files['petitie-iluminat.pdf'])
        self.shot('02-attachment')
        sao.click("Adăugare")
        sao.check("the file attached")
        self.shot('03-draft')
        sao.save()
        sao.click("Înregistrează")
        sao.check("registered")
        self.shot('04-registered')
        return tab

    def assign_from_form(self, department, clerk=None, note=None):
        "The form's Repartizează: the wizard's department, clerk and note"
        self.sao.click("Repartizează", scope=self.sao.tab())
        self.run_assign_wizard(department, clerk, note)

    def run_assign_wizard(self, department, clerk, note):
        sao = self.sao
        dialog = sao.dialog()
        self.assertIn("Repartizează", dialog.locator('.modal-header').inner_text())
        sao.pick('department', department.split('] ')[-1][:8], department)
        if clerk:
            sao.pick('clerk', clerk.split()[0], clerk)
        if note:
            sao.fill('note', note)
        self.shot('05-assign-wizard')
        sao.click("Repartizează", scope=dialog.locator('.modal-footer'))
        sao.check("assigned")

    # ---- the test -------------------------------------------------------------------------------
    def test_petition_registered_assigned_answered(self):
        "register with a file → assign (form) → reassign (list) → answer → the petition answered"
        sao, seed = self.sao, self.seed
        sao.login(self.url, self.database, self.password, login=seed['clerk_login'])
        tab = self.register_petition()

        number = sao.expect_value('number', re.compile(r'^\d+$'))
        date = dt.datetime.strptime(
            sao.expect_value('date', re.compile(r'^\d\d\.\d\d\.\d{4}$')), DATE_FORMAT).date()
        sao.expect_value('state', "Înregistrat")
        deadline = petition_deadline(date)
        sao.expect_value('deadline', deadline.strftime(DATE_FORMAT))
        sao.page_tab("Fișiere atașate")
        files = sao.list_rows(tab.locator('.form-one2many').filter(has_text="Fișiere atașate"))
        self.assertEqual(files.count(), 1)
        self.assertIn('petitie-iluminat.pdf', files.first.inner_text())
        self.assertIn('application/pdf', files.first.inner_text())

        # first to urbanism from the form, then to the right service and clerk from the list
        self.assign_from_form("[URB] Urbanism")
        sao.expect_value('state', "Repartizat")
        sao.page_tab("Repartizare")
        sao.expect_value('department', "[URB] Urbanism")
        sao.toolbar('switch_')
        sao.select_row(SUMMARY[:30])
        self.shot('06-list-selected')
        sao.list_button("Repartizează")
        self.run_assign_wizard(seed['department'], seed['assignee'], NOTE)
        row = sao.row(SUMMARY[:30])
        self.assertIn(seed['department'].split('] ')[-1], row.inner_text())
        self.assertIn("Repartizat", row.inner_text())
        self.shot('07-list-reassigned')

        # the answer, from the list: a draft outgoing reply under the petition's number
        sao.select_row(SUMMARY[:30])
        tabs = self.page.locator('#tablist > li').count()
        sao.list_button("Răspunde")
        dialog = sao.dialog()
        sao.expect_value('kind', "Răspuns")
        sao.fill('summary', ANSWER)
        self.shot('08-reply-wizard')
        sao.click("Creează", scope=dialog.locator('.modal-footer'))
        sao.check("reply created")
        self.page.wait_for_function(
            f"document.querySelectorAll('#tablist > li').length > {tabs}")
        sao.wait()
        reply = sao.tab()
        sao.expect_value('direction', "Ieșire")
        sao.expect_value('recipient', seed['sender'])
        sao.expect_value('reply_to', f"{number}/{date.strftime(DATE_FORMAT)}")
        sao.page_tab("Fișiere atașate")
        sao.attach("Fișiere atașate", self.files['raspuns-iluminat.pdf'])
        sao.click("Adăugare")
        sao.save()
        sao.click("Înregistrează")
        sao.check("reply registered")
        self.shot('09-reply-registered')
        sao.expect_value('number', number)
        sao.expect_value('state', "Înregistrat")

        # back on the petition's list: answered
        self.page.locator('#tablist > li').first.click()
        sao.toolbar('reload')
        row = sao.list_rows().filter(has_text=SUMMARY[:30])
        if not row.count():
            tab.locator('.tab-domain a', has_text="Toate").click()
            sao.wait()
        row = sao.list_rows().filter(has_text=SUMMARY[:30]).first
        self.assertIn("Soluționat", row.inner_text())
        row.dblclick()
        sao.wait()
        sao.expect_value('state', "Soluționat")
        sao.expect_value('answered_on', date.strftime(DATE_FORMAT))
        self.shot('10-petition-answered')
        sao.check("the petition answered")

        self.check_database(int(number), date, deadline)

    def check_database(self, number, date, deadline):
        "What the clerk did, as the database holds it"
        seed = self.seed
        (petition_id, state, issuer, department, clerk, petition_deadline_, answered_on,
                registered_by, direction), = self.sql(
            "SELECT d.id, d.state, d.issuer, d.department, d.clerk, d.deadline, d.answered_on,"
            " u.login, d.direction FROM document_registry_document d"
            " JOIN res_user u ON u.id = d.registered_by"
            " WHERE d.number_int = %s AND d.reply_to IS NULL", number)
        self.assertEqual((state, direction), ('answered', 'incoming'))
        self.assertEqual(issuer, seed['sender_id'])
        self.assertEqual((department, clerk), (seed['department_id'], seed['assignee_id']))
        self.assertEqual(petition_deadline_, deadline)
        self.assertEqual(answered_on, date)
        self.assertEqual(registered_by, seed['clerk_login'])
        events = [kind for kind, in self.sql(
                "SELECT kind FROM document_registry_document_event WHERE document = %s"
                " ORDER BY id", petition_id)]
        self.assertEqual(events, ['registered', 'assigned', 'reassigned', 'answered'])
        note, = self.sql("SELECT note FROM document_registry_document_event"
            " WHERE document = %s AND kind = 'reassigned'", petition_id)
        self.assertEqual(note, (NOTE,))
        (reply_number, reply_state, reply_direction, recipient, reply_kind, summary), = self.sql(
            "SELECT number_int, state, direction, recipient, reply_kind, summary"
            " FROM document_registry_document WHERE reply_to = %s", petition_id)
        self.assertEqual((reply_number, reply_state, reply_direction, reply_kind),
            (number, 'registered', 'outgoing', 'answer'))
        self.assertEqual((recipient, summary), (seed['sender_id'], ANSWER))
        files = self.sql("SELECT d.reply_to IS NULL, a.name, a.content_type, a.size, a.sha256"
            " FROM document_registry_attachment a"
            " JOIN document_registry_document d ON d.id = a.document ORDER BY a.id")
        expected = []
        for incoming, name in [(True, 'petitie-iluminat.pdf'),
                (False, 'raspuns-iluminat.pdf')]:
            data = self.files[name].read_bytes()
            expected.append((incoming, name, 'application/pdf', len(data),
                    hashlib.sha256(data).hexdigest()))
        self.assertEqual(files, expected)


if __name__ == '__main__':
    unittest.main()
