"""A clerk finds a taxpayer in sao, typed in the one search box as he knows him (issue 11), and
reads the taxpayer's form in Romanian.

tests/browser/seed_search.py creates the municipality, Pușcaș Ștefan (CNP, an address on Avram
Iancu, a car, an apartment, his 2026 tax decision) and a neighbour who has each of those too. In
Primărie › Persoane și firme the clerk types, in the list's search box, the name without
diacritics, the CNP, the street, the plate, the cadastral number and the decision number: each
time the list shows Pușcaș Ștefan and only him. A double-click on the row opens his form in
the same tab. The form speaks Romanian: one "Nume", the address as a Romanian address (locality,
street of the nomenclature, number, block, staircase, floor, apartment), none of Tryton's
international street fields. Screenshots go to var/test-artifacts/clerk-search/.
"""
import json
import re
import shutil
import sys
import unittest
from pathlib import Path

from harness import (
    ARTIFACTS, TIMEOUT, SaoTestCase, require_browser, run, serve_back_office)

HERE = Path(__file__).resolve().parent
SHOTS = ARTIFACTS / 'clerk-search'
MENU = ("Primărie", "Persoane și firme")
# the Romanian address form (the labels of municipality and of Tryton's address, as corrected
# by municipality's locale/override/ro.po)
ADDRESS_LABELS = ["Localitate", "Județ", "Stradă (din nomenclator)", "Număr", "Bloc", "Scară",
    "Etaj", "Apartament", "Cod poștal"]
# Tryton's international street fields, in English and in Tryton's (wrong) Romanian
NOT_SHOWN = ["Street Name", "Building Name", "Building Number", "Floor Number", "Unit Number",
    "Room Number", "Post Box", "Private Bag", "Post Office", "Numele Cladirii", "Cod Poştal",
    "Căsuță poștală", "Cutie poștală privată", "Oficiu poștal", "Cameră", "Numele clădirii",
    "Slovacia, Număr de Naştere", "Danemarcă, Număr TVA", "Subdiviziune"]


class ClerkSearchTestCase(SaoTestCase):
    "Persoane și firme: a taxpayer found by what the clerk knows of him, his form in Romanian"
    SHOTS = SHOTS

    @classmethod
    def setUpClass(cls):
        require_browser()
        serve_back_office(cls, 'clerksearch', cls.fill)
        shutil.rmtree(SHOTS, ignore_errors=True)
        SHOTS.mkdir(parents=True, exist_ok=True)

    @classmethod
    def fill(cls, configs, env, tmp):
        out = tmp / 'seed.json'
        run([sys.executable, HERE / 'seed_search.py', '-c', *configs, '-d', cls.database,
                '--out', out], env)
        cls.seed = json.loads(out.read_text())

    def setUp(self):
        super().setUp()
        self.sao.login(self.url, self.database, self.password)
        self.tab = self.sao.open_menu(*MENU)
        self.sao.check("the persons' list")

    # ---- what the clerk does ----------------------------------------------------------------
    def search(self, text):
        "Type text in the list's search box, then Enter; the names the list shows"
        entry = self.tab.locator('.filter-box input.form-control').first
        entry.click()
        entry.fill(text)
        entry.press('Enter')
        self.sao.wait()
        self.sao.check(f"searching {text!r}")
        return self.names()

    def names(self):
        "The seeded persons the list shows, a row of anyone else as its text"
        known = [person['name'] for person in self.seed.values() if isinstance(person, dict)]
        found = []
        for text in self.sao.list_rows(scope=self.tab).all_inner_texts():
            found.extend([name for name in known if name in text] or [text.strip()])
        return sorted(found)

    def open_form(self, name):
        "Double-click the row of name: its form, in the same tab"
        tabs = self.page.locator('#tablist > li').count()
        self.sao.row(name, scope=self.tab).dblclick()
        self.sao.wait()
        form = self.tab.locator('div.form').first
        form.wait_for(timeout=TIMEOUT)
        self.sao.check(f"the form of {name}")
        titles = [t.strip() for t in self.page.locator('#tablist > li').all_inner_texts()]
        self.assertEqual(len(titles), tabs, f"the double-click opened another tab: {titles}")
        self.assertEqual([t for t in titles if t in {"Party", "Parte"}], [], titles)
        self.assertEqual(self.sao.list_rows(scope=self.tab).filter(visible=True).count(), 0,
            "the double-click left the list on the screen")
        return form

    @staticmethod
    def labels(form):
        "The labels of the form's fields (not the column headers of its lists)"
        return [text.strip().rstrip(':').strip() for text in
            form.locator('label.form-label:visible').all_inner_texts()]

    # ---- tests ------------------------------------------------------------------------------
    def test_find_taxpayer(self):
        "Name without diacritics, CNP, street, plate, cadastral and decision number find him"
        taxpayer, neighbour = self.seed['taxpayer'], self.seed['neighbour']
        self.assertEqual(self.names(), sorted([taxpayer['name'], neighbour['name']]),
            "the list before any search")
        self.shot('01-list')
        for step, (what, text) in enumerate([
                ("the name without diacritics", "Puscas"),
                ("the CNP", taxpayer['cnp']),
                ("the street", taxpayer['street']),
                ("the street and number", f"{taxpayer['street']} {taxpayer['number']}"),
                ("the plate", taxpayer['plate']),
                ("the cadastral number", taxpayer['cadastral']),
                ("the decision number", taxpayer['decision']),
                ], start=2):
            with self.subTest(what):
                self.assertEqual(self.search(text), [taxpayer['name']],
                    f"{what} ({text!r}) does not find {taxpayer['name']} alone")
                self.shot(f'{step:02d}-{what.replace(" ", "-")}')
        # the neighbour is found as well: the list is not stuck on Pușcaș
        self.assertEqual(self.search(neighbour['cnp']), [neighbour['name']])

        self.search("Puscas")
        self.open_form(taxpayer['name'])
        self.sao.expect_value('last_name', "Pușcaș")
        self.sao.expect_value('first_name', "Ștefan")
        self.sao.expect_value('cnp', taxpayer['cnp'])
        self.shot('09-form')

    def test_form_in_romanian(self):
        "The taxpayer's form: one Nume, the Romanian address, no international street fields"
        taxpayer = self.seed['taxpayer']
        self.search(taxpayer['cnp'])
        form = self.open_form(taxpayer['name'])
        self.sao.expect_value('last_name', "Pușcaș")
        self.sao.expect_value('ro_street', re.compile(taxpayer['street']))
        self.sao.expect_value('building_number', taxpayer['number'])
        self.shot('10-form-in-romanian')

        labels = self.labels(form)
        tabs = [text.strip() for text in form.locator('.nav-tabs a:visible').all_inner_texts()]
        self.assertEqual(labels.count("Nume"), 1, f"the labels: {labels}")
        self.assertIn("Prenume", labels)
        self.assertNotIn("Denumire", labels)
        for label in ADDRESS_LABELS:
            self.assertIn(label, labels)
        self.assertEqual([label for label in labels if label in NOT_SHOWN], [],
            "Tryton's international street fields are shown")
        self.assertEqual([tab for tab in tabs if tab in {"Party", "Parte"}], [],
            f"the form's tabs: {tabs}")
        self.assertFalse(re.search('[şţŞŢ]', form.inner_text()),
            "a cedilla (ş ţ) on the form")

    def test_legal_person_form(self):
        "A legal person's form: its Denumire, no last and first name"
        municipality = self.seed['municipality']
        self.tab.locator('.tab-domain a', has_text="Persoane juridice").click()
        self.sao.wait()
        self.assertEqual(self.search(municipality['cui']), [municipality['name']])
        form = self.open_form(municipality['name'])
        self.sao.expect_value('name', municipality['name'])
        self.shot('11-legal-person-form')
        labels = self.labels(form)
        self.assertIn("Denumire", labels)
        self.assertIn("CUI", labels)
        self.assertEqual([label for label in labels if label in {"Nume", "Prenume", "CNP"}],
            [], f"the labels: {labels}")
        # its address has no locality of the nomenclature: the city and the subdivision are
        # typed, Tryton's international street fields are still not shown
        self.assertEqual([label for label in labels
                if label in NOT_SHOWN and label != "Subdiviziune"], [], f"the labels: {labels}")


if __name__ == '__main__':
    unittest.main()
