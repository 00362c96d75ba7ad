# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every page of the portal in Hungarian and in English, in that language
only.

Each GET route of the url_map is rendered (anonymous, as a standard and as
a validated citizen with taxes, payments, a request and a mandate; the
kiosk too; the refused forms with their errors) in Romanian first, as a
portal serving Romanian visitors does before anyone else, then in Hungarian
and English.  A page fails on:
- a Romanian string of our catalogues (the portal's ro.po, the modules'
  locale/ro.po: tax types, services, states, messages) on a hu or en page;
- an English source string that has a Hungarian translation (the portal's
  msgids, the modules' selection labels, data and messages) left in
  English on a hu page;
- an amount or a date written the Romanian way (31.03.2026, 0,00 on an
  English page, 242.33 on a Hungarian one).

A route this walk does not know fails the test, like test_scope's walk."""
import io
import re
import secrets
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import polib

from trytond.pool import Pool
from trytond.transaction import Transaction

from trytond.modules.municipality.tests.tools import run_committed
from trytond.tests.test_tryton import DB_NAME

from .test_taxes import MAY_2, apartment_owner, retried, tax_year_2026
from .mailcatcher import MailCatcher
from .tools import PortalTestCase, committed, new_cnp

PORTAL = Path(__file__).resolve().parents[1] / 'portal'
ADDONS = PORTAL.parents[1]
# the modules whose strings reach the portal
MODULES = ['citizen_portal', 'local_tax', 'document_registry', 'ghiseul',
    'document_signature', 'municipality']
# what the modules' catalogues hold that a citizen can read: selection
# labels, records of data (services, document types), messages; not the
# back office's field names, help texts and views
CONTEXTS = ('selection:', 'model:')
PLACEHOLDER = re.compile(r'%\([^)]+\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]|%s|%d')
# a date as Romanian writes it (not after "/": a registration number like
# 27/02.12.2026 is the registry's notation)
RO_DATE = re.compile(r'(?<![/\d])\d{1,2}\.\d{2}\.\d{4}\b')
DECIMAL_COMMA = re.compile(r'(?<![\d,])\d+,\d{2}(?!\d)')
DECIMAL_POINT = re.compile(r'(?<![\d.])\d+\.\d{2}(?![\d.])')
ATTRIBUTES = {'aria-label', 'title', 'placeholder', 'alt', 'data-label'}
# endpoints rendered by no GET of a page: files (PDFs are out of scope) and
# POST-only actions that redirect; each one deliberately
NOT_PAGES = {
    'static': "files",
    'documents.download': "a PDF",
    'documents.enrolment_form': "a PDF",
    'documents.verify_download': "a PDF",
    'taxes.receipt_pdf': "a PDF",
    'taxes.extract_pdf': "a PDF",
    'taxes.decision_pdf': "a PDF",
    'pay.receipt': "a PDF",
    'kiosk.receipt_file': "a PDF",
    'requests.download': "a file of the request or of its answer",
    'mandates.proof': "the file of the proof",
    'account.logout': "POST, redirects",
    'documents.enrolment_upload': "POST, redirects",
    'documents.contact_code_send': "POST, redirects",
    'documents.contact_code_check': "POST, redirects",
    'pay.lookup_pay': "POST, redirects to the card page",
    'kiosk.pay': "POST, redirects to the card page",
    'kiosk.back': "redirects to the receipt",
    'pay.back': "the return from the card page: rendered below",
    'kiosk.receipt': "after a card payment",
    'kiosk.reset_view': "redirects to the start",
    }


class TextParser(HTMLParser):
    "The texts a reader gets from a page: text nodes and labelling attributes"

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {'script', 'style'}:
            self.skip += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.chunks.append(value)

    def handle_endtag(self, tag):
        if tag in {'script', 'style'}:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.chunks.append(data)


def texts(html):
    parser = TextParser()
    parser.feed(html)
    return [c for c in (' '.join(c.split()) for c in parser.chunks) if c]


def pattern(text):
    """A regular expression of a catalogue string: its placeholders match
    anything; a single word must be the whole text, more words a part"""
    text = ' '.join(text.split())
    parts = PLACEHOLDER.split(text)
    body = '.+?'.join(re.escape(p) for p in parts)
    if len(text.split()) == 1:
        return re.compile(rf'^{body}$')
    return re.compile(rf'(?<!\w){body}(?!\w)')


def worth_checking(text):
    "Enough letters to be a word of the language (not a code, not 'CNP')"
    letters = PLACEHOLDER.sub('', text)
    return sum(c.isalpha() for c in letters) >= 4


def catalog(path):
    if not path.exists():
        return []
    return [e for e in polib.pofile(str(path))
        if e.msgstr and not e.obsolete and 'fuzzy' not in e.flags]


def module_entries(lang):
    return {(e.msgctxt, e.msgid): e.msgstr
        for module in MODULES
        for e in catalog(ADDONS / module / 'locale' / f'{lang}.po')
        if (e.msgctxt or '').startswith(CONTEXTS)}


class Vocabulary:
    "What must not be read on a page of a language"

    def __init__(self):
        portal = {lang: {e.msgid: e.msgstr
                for e in catalog(PORTAL / 'locale' / f'{lang}.po')}
            for lang in ['ro', 'hu']}
        modules = {lang: module_entries(lang) for lang in ['ro', 'hu']}
        romanian = {s for m, s in portal['ro'].items() if s != m} | {
            s for k, s in modules['ro'].items() if s != k[1]}
        # English msgids that Romanian translates: words, not names
        english = {m for m, s in portal['ro'].items() if s != m} | {
            k[1] for k, s in modules['ro'].items() if s != k[1]}
        hungarian = set(portal['hu'].values()) | set(
            modules['hu'].values())
        self.forbidden = {
            'hu': self.compile(
                (romanian | english) - hungarian, "Romanian or English"),
            'en': self.compile(romanian - english, "Romanian"),
            }

    @staticmethod
    def compile(strings, kind):
        return [(pattern(s), s, kind) for s in sorted(strings)
            if worth_checking(s)]

    def faults(self, html, lang):
        from ..portal.i18n import LANGUAGE_NAMES
        found = []
        for text in texts(html):
            if text in LANGUAGE_NAMES.values():
                continue        # the language switcher: each in its own
            for regex, source, kind in self.forbidden[lang]:
                if regex.search(text):
                    found.append(f"{kind} {source!r} in {text!r}")
            if RO_DATE.search(text):
                found.append(f"Romanian date in {text!r}")
            wrong_decimal = {'en': DECIMAL_COMMA, 'hu': DECIMAL_POINT}[lang]
            if wrong_decimal.search(text):
                found.append(f"amount not in the {lang} format in {text!r}")
        return found


def pdf_bytes():
    from pypdf import PdfWriter
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def assessed_in_romanian(company_id, party_id, plate):
    """The party owns a house and a vehicle, assessed for 2026 by a clerk
    whose back office speaks Romanian (the obligations' descriptions are
    written in it); the decision's id"""
    from trytond.modules.local_tax.tests.test_module import (
        AFTER_OUG, create_vehicle)
    from trytond.modules.municipality.tests.tools import (
        create_building, create_parcel, own)
    with committed({'company': company_id}) as pool:
        company = pool.get('company.company')(company_id)
        tax_year_2026(company)
        parcel = create_parcel(company, number=str(
                100_000_000 + secrets.randbelow(800_000_000)))
        building = create_building(parcel, construction_type='A',
            year_built=1975, built_area=Decimal('60'),
            apartment_in_block=True, unit_number='12', water=True,
            sewerage=True, electricity=True, heating=True)
        party = pool.get('party.party')(party_id)
        own(building, party)
        own(create_vehicle(company, plate, 1598, euro_norm='euro4'), party)

    def assess():
        pool = Pool()
        company = pool.get('company.company')(company_id)
        assessment, = pool.get('local_tax.assessment').assess(
            company, 2026, AFTER_OUG,
            taxpayers=[pool.get('party.party')(party_id)])
        return assessment.id
    return run_committed(DB_NAME, assess,
        context={'company': company_id, 'language': 'ro'})


class LanguageTestCase(PortalTestCase):
    "Test that the portal speaks only the language of the page"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from trytond.modules.document_registry.tests.tools import (
            create_registry)
        with committed() as pool:
            Lang = pool.get('ir.lang')
            # (again: the catalogues may be newer than a kept database)
            Lang.load_translations(
                Lang.search([('code', 'in', ['ro', 'hu'])]))
            Company = pool.get('company.company')
            Register = pool.get('document_registry.register')
            company = Company(cls.company_id)
            if not Register.search([('company', '=', company.id)]):
                create_registry(company)
            pool.get('citizen_portal.service').copy_templates([company])
        cls.vocabulary = Vocabulary()

    def setUp(self):
        super().setUp()
        # after the first instalment's due date: surcharges, overdue lines
        self.app.config['PORTAL_TODAY'] = MAY_2
        self.addCleanup(self.app.config.pop, 'PORTAL_TODAY', None)
        self.app.config['KIOSK_NETWORKS'] = ['10.0.0.0/8']
        self.addCleanup(self.app.config.pop, 'KIOSK_NETWORKS', None)

    # the data of the pages

    def validated_citizen(self):
        "A validated citizen with a decision, a payment, a request, a mandate"
        client, email, party_id = self.citizen(validated=True)
        assessment_id = assessed_in_romanian(
            self.company_id, party_id, self.plate())

        def pay():
            pool = Pool()
            company = pool.get('company.company')(self.company_id)
            with Transaction().set_context(
                    company=self.company_id, language='ro'):
                pool.get('local_tax.payment').receive(
                    company, pool.get('party.party')(party_id),
                    Decimal('100.00'), MAY_2, 'portal',
                    external_id=secrets.token_hex(8))
        retried(pay)
        response = self.post(client, '/services/petition', {
                'f_subject': "Iluminat", 'f_content': "Strada fără lumină.",
                })
        self.assertEqual(response.status_code, 302,
            response.get_data(as_text=True)[:2000])
        request_path = response.headers['Location']
        response = self.post(client, '/mandates/new', {
                'code': new_cnp(), 'last_name': "Rusu", 'first_name': "Maria",
                'kind': 'power_of_attorney', 'valid_from': '2026-01-01',
                'valid_until': '',
                'proof': (io.BytesIO(pdf_bytes()), 'procura.pdf'),
                })
        self.assertEqual(response.status_code, 302,
            response.get_data(as_text=True)[:2000])
        return client, {
            'taxes.decision': f'/taxes/decisions/{assessment_id}',
            'requests.detail': request_path.replace('https://portal.test', ''),
            }

    @staticmethod
    def plate():
        return 'CJ%02d%s' % (10 + secrets.randbelow(89), ''.join(
                secrets.choice('ABCDEFGHJKLMNPRSTUVWXYZ') for _ in range(3)))

    def reference_of(self, party_id):
        with committed() as pool:
            assessment, = pool.get('local_tax.assessment').search(
                [('taxpayer', '=', party_id)], limit=1)
            code = pool.get('party.party')(party_id).fiscal_code
            return assessment.payment_reference, code, assessment.number

    # the walk

    def pages(self):
        """[(name, client, method, path, data)] of every page; the
        endpoints it covers"""
        anonymous = self.client()
        standard, _, standard_party = self.citizen(validated=False)
        apartment_owner(self.company_id, standard_party)
        validated, paths = self.validated_citizen()
        owner_party, = [p for p in [self.citizen_party(validated)] if p]
        reference, code, number = self.reference_of(owner_party)
        with committed() as pool:
            services = [s.code for s in pool.get('citizen_portal.service')
                .search([('company', '=', self.company_id)])]
            Document = pool.get('document_registry.document')
            request, = pool.get('citizen_portal.request').search(
                [('web_user.party', '=', owner_party)], limit=1)
            document = Document(request.document.id)
            track = {'number': document.number,
                'date': document.date.isoformat()}
        kiosk = self.client()
        pages = [
            ('home', anonymous, 'GET', '/', None),
            ('register', anonymous, 'GET', '/register', None),
            ('register refused', anonymous, 'POST', '/register', {
                    'email': 'nu-i-adresa', 'code': '12345',
                    'last_name': '', 'first_name': '', 'password': 'a',
                    'password2': 'b'}),
            ('confirm', anonymous, 'GET', '/confirm?token=0', None),
            ('login', anonymous, 'GET', '/login', None),
            ('login refused', anonymous, 'POST', '/login', {
                    'email': 'nimeni@example.ro', 'password': 'x'}),
            ('reset', anonymous, 'GET', '/reset', None),
            ('reset confirm', anonymous, 'GET', '/reset/confirm?token=0',
                None),
            ('services', anonymous, 'GET', '/services', None),
            ('track', anonymous, 'GET', '/track', None),
            ('privacy', anonymous, 'GET', '/privacy', None),
            ('accessibility', anonymous, 'GET', '/accessibility', None),
            ('track found', anonymous, 'GET',
                '/track?number=%(number)s&date=%(date)s' % track, None),
            ('verify', anonymous, 'GET', '/verify', None),
            ('verify unknown', anonymous, 'GET',
                '/verify?number=X-1&code=0', None),
            ('pay lookup', anonymous, 'GET', '/pay/lookup', None),
            ('pay lookup found', anonymous, 'POST', '/pay/lookup', {
                    'reference': reference, 'code': code}),
            ('not found', anonymous, 'GET', '/nu-exista', None),
            ('kiosk', kiosk, 'GET', '/kiosk', None),
            ('kiosk identified', kiosk, 'POST', '/kiosk', {
                    'reference': reference, 'code': code}),
            ('kiosk due', kiosk, 'GET', '/kiosk/due', None),
            ('standard home', standard, 'GET', '/', None),
            ('standard taxes', standard, 'GET', '/taxes', None),
            ('standard validation', standard, 'GET', '/account/validation',
                None),
            ('standard pay', standard, 'GET', '/pay', None),
            ('home', validated, 'GET', '/', None),
            ('taxes', validated, 'GET', '/taxes', None),
            ('decision', validated, 'GET', paths['taxes.decision'], None),
            ('pay', validated, 'GET', '/pay', None),
            ('requests', validated, 'GET', '/requests', None),
            ('request', validated, 'GET', paths['requests.detail'], None),
            ('request refused', validated, 'POST', '/services/petition',
                {'f_subject': '', 'f_content': ''}),
            ('request with a refused file', validated, 'POST',
                '/services/petition', lambda: {
                    'f_subject': "Iluminat", 'f_content': "Fără lumină.",
                    'a_document': (io.BytesIO(b'not a PDF'), 'scan.pdf')}),
            ('documents', validated, 'GET', '/documents', None),
            ('certificate', validated, 'GET', '/documents/certificate',
                None),
            ('mandates', validated, 'GET', '/mandates', None),
            ('mandate new', validated, 'GET', '/mandates/new', None),
            ('validation', validated, 'GET', '/account/validation', None),
            ]
        pages += [(f'service {c}', validated, 'GET', f'/services/{c}', None)
            for c in services]
        return pages

    def citizen_party(self, client):
        with client.session_transaction() as session:
            key = session.get('web_session')
        with committed() as pool:
            user = pool.get('web.user').get_user(key)
            return user.party.id if user.party else None

    def covered(self, pages):
        endpoints = set()
        adapter = self.app.url_map.bind('portal.test')
        for _, _, method, path, _ in pages:
            try:
                endpoint, _ = adapter.match(path.split('?')[0], method=method)
            except Exception:
                continue
            endpoints.add(endpoint)
        return endpoints

    def render(self, client, method, path, data, lang):
        separator = '&' if '?' in path else '?'
        url = f'{path}{separator}lang={lang}'
        if method == 'GET':
            response = client.get(url)
        else:
            data = dict(data() if callable(data) else data)
            data['_csrf'] = self.csrf(client, path if 'kiosk' in path
                or path.startswith('/pay') else '/login')
            response = client.post(url, data=data)
        if response.status_code == 302:
            response = client.get(response.headers['Location'])
        return response.status_code, response.get_data(as_text=True)

    def test_every_route_in_the_walk(self):
        "The walk knows every endpoint of the url_map"
        endpoints = {r.endpoint for r in self.app.url_map.iter_rules()}
        self.assertFalse(set(NOT_PAGES) - endpoints, "stale names")
        covered = self.covered(self.pages())
        self.assertEqual(sorted(endpoints - covered - set(NOT_PAGES)), [],
            "pages the language walk does not render: add them")

    def test_pages_in_hungarian_and_english(self):
        "hu and en pages: no Romanian, no untranslated English, local formats"
        faults = []
        for name, client, method, path, data in self.pages():
            status, _ = self.render(client, method, path, data, 'ro')
            self.assertLess(status, 500, f"{name} {path} in ro")
            for lang in ['hu', 'en']:
                status, html = self.render(client, method, path, data, lang)
                self.assertLess(status, 500, f"{name} {path} in {lang}")
                self.assertIn(f'lang="{lang}"', html, f"{name} {path}")
                faults.extend(f"{lang} {name} ({path}): {fault}"
                    for fault in self.vocabulary.faults(html, lang))
        faults = list(dict.fromkeys(faults))
        self.assertEqual(faults, [], "\n" + "\n".join(faults))

    def test_emails_in_hungarian(self):
        "An account opened in Hungarian gets its e-mails in Hungarian"
        client = self.client()
        client.get('/login?lang=hu')
        code = new_cnp()
        self.known_person(code, "Kovács", "Anna")
        response, email, _ = self.register(client, code=code,
            last_name="Kovács", first_name="Anna")
        self.assertEqual(response.status_code, 200)
        client.get(self.confirmation_link(email), follow_redirects=True)
        self.validate(email)
        self.login(client, email)
        response = self.post(client, '/services/petition', {
                'f_subject': "Világítás", 'f_content': "Nincs közvilágítás.",
                })
        self.assertEqual(response.status_code, 302)
        messages = self.mail.to(email)
        self.assertGreaterEqual(len(messages), 2)
        faults = []
        for message in messages:
            text = f"{message['Subject']}\n{MailCatcher.text(message)}"
            faults.extend(self.vocabulary.faults(text, 'hu'))
        self.assertEqual(faults, [], "\n" + "\n".join(faults))

    def test_vocabulary_catches(self):
        "The checks find what they look for (the test can fail)"
        vocabulary = self.vocabulary
        self.assertTrue(vocabulary.faults('<p>Impozit pe clădiri</p>', 'hu')
            or vocabulary.faults('<p>Plătiți</p>', 'hu'))
        self.assertTrue(vocabulary.faults('<p>My taxes</p>', 'hu'))
        self.assertTrue(vocabulary.faults('<td>31.03.2026</td>', 'en'))
        self.assertTrue(vocabulary.faults('<td>0,00</td>', 'en'))
        self.assertTrue(vocabulary.faults('<td>242.33</td>', 'hu'))
        self.assertFalse(vocabulary.faults('<td>1,234.50</td>', 'en'))
        self.assertFalse(vocabulary.faults('<td>1\xa0234,50</td>', 'hu'))
        self.assertFalse(vocabulary.faults('<td>27/02.12.2026</td>', 'en'))
