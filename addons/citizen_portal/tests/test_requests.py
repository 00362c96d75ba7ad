# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Requests through the portal: every shipped service submitted, refused
input writes nothing, files checked by content and size, e-mail on each
state change, the clerk's answer seen by the citizen, public tracking,
and two citizens who cannot reach each other's requests."""
import io
import re

from trytond.modules.document_registry import content
from trytond.modules.document_registry.tests.tools import (
    HOSTILE, HOSTILE_NAMES, PNG, make_image, make_pdf)
from trytond.modules.municipality.tests.tools import run_committed
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from .tools import PortalTestCase, committed
from .mailcatcher import MailCatcher

MAX_SIZE = 1_000_000
# A worked example of each shipped service: form values (the choices in
# Romanian, the portal's first language) and files
EXAMPLES = {
    'fiscal_certificate': ({
            'purpose': "Înstrăinarea unui bun (vânzător)",
            'purpose_details': "Vânzare apartament, notar Ionescu",
            }, {}),
    'petition': ({
            'subject': "Iluminat public",
            'content': "Vă rog să reparați iluminatul pe strada Avram Iancu.",
            }, {'document': ('poza.png', PNG)}),
    'public_information': ({
            'information': "Bugetul pe 2026 al direcției de urbanism.",
            'delivery': "În format electronic",
            }, {}),
    'urbanism_certificate': ({
            'purpose': "Autorizație de construire sau desființare",
            'locality': "Cluj-Napoca",
            'address': "Str. Lungă 3",
            'cadastral_number': "123456",
            'land_book': "123456-C1",
            'area': "420",
            }, {
            'cadastral_plan': ('plan.pdf', make_pdf("Plan")),
            'land_book_extract': ('cf.pdf', make_pdf("Extras CF")),
            }),
    'police_complaint': ({
            'category': "Parcare ilegală",
            'location': "Str. Florilor 10",
            'occurred_on': "2026-03-02",
            'description': "Mașină parcată pe trotuar de o săptămână.",
            }, {'photo': ('masina.jpg', make_image('JPEG'))}),
    'social_assistance': ({
            'benefit': "Venit minim de incluziune",
            'household': "3",
            'situation': "Familie cu doi copii, fără venituri.",
            }, {'identity': ('ci.pdf', make_pdf("CI"))}),
    }


def retried(func):
    "Run func(pool) in a committed transaction, retried to take its locks"
    return run_committed(DB_NAME, lambda: func(Pool()))


def setup_services(company_id):
    """The shipped services in the municipality, the petition sent to a
    department, attachments limited to MAX_SIZE; the department's name"""
    from trytond.modules.document_registry.tests.tools import (
        create_registry)
    from trytond.modules.municipal_staff.tests.tools import (
        create_department)
    with committed() as pool:
        Company = pool.get('company.company')
        Register = pool.get('document_registry.register')
        Service = pool.get('citizen_portal.service')
        company = Company(company_id)
        if not Register.search([('company', '=', company.id)]):
            create_registry(company)
        Service.copy_templates([company])
        Department = pool.get('staff.department')
        departments = Department.search([('code', '=', 'REL')])
        department = departments[0] if departments else (
            create_department(company, "Relații cu publicul", 'REL'))
        petition, = Service.search([
                ('company', '=', company.id), ('code', '=', 'petition')])
        petition.department = department
        petition.save()
        department_name = department.name
        Value = pool.get('document_registry.configuration.company')
        values = Value.search([('company', '=', company.id)])
        if values:
            Value.write(values, {'attachment_max_size': MAX_SIZE})
        else:
            Value.create([{'company': company.id,
                        'attachment_max_size': MAX_SIZE}])
    return department_name


def send_request(case, client, code, values, files, language=None):
    "POST the form of the service code (values and files by their names)"
    path = f'/services/{code}'
    data = {f'f_{k}': v for k, v in values.items()}
    for name, (filename, content) in files.items():
        data[f'a_{name}'] = (io.BytesIO(content), filename)
    data['_csrf'] = case.csrf(client, path)
    return client.post(path + (f'?lang={language}' if language else ''),
        data=data, content_type='multipart/form-data')


class RequestTestCase(PortalTestCase):
    "Test the requests of the portal"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.department_name = setup_services(cls.company_id)

    def send(self, client, code, values, files, language=None):
        return send_request(self, client, code, values, files, language)

    def request_of(self, response):
        self.assertEqual(response.status_code, 302,
            response.get_data(as_text=True)[-3000:])
        match = re.search(r'/requests/(\d+)', response.headers['Location'])
        return int(match.group(1))

    def documents_of(self, party_id):
        with committed() as pool:
            return pool.get('document_registry.document').search_count([
                    ('issuer', '=', party_id)])

    def test_submit_every_service(self):
        "Each shipped service: registered at once, number shown, e-mail"
        client, email, party_id = self.citizen()
        for code, (values, files) in EXAMPLES.items():
            with self.subTest(service=code):
                response = self.send(client, code, values, files)
                request_id = self.request_of(response)
                page = client.get(response.headers['Location']).get_data(
                    as_text=True)
                with committed() as pool:
                    request = pool.get('citizen_portal.request')(request_id)
                    document = request.document
                    self.assertEqual(request.party.id, party_id)
                    self.assertEqual(document.channel, 'portal')
                    self.assertEqual(document.issuer.id, party_id)
                    self.assertFalse(document.anonymous)
                    self.assertEqual(request.service.code, code)
                    self.assertIn(document.state, {'registered', 'assigned'})
                    self.assertEqual(len(document.attachments), len(files))
                    self.assertEqual(request.answers[next(iter(values))],
                        values[next(iter(values))])
                    number, date = document.number, document.date
                    deadline = document.deadline
                self.assertIn(f'id="registration-number">{number}<', page)
                self.assertIn(date.strftime('%d.%m.%Y'), page)
                if code in {'petition', 'police_complaint'}:
                    # OG 27/2002 art. 8(1): 30 days
                    self.assertGreaterEqual((deadline - date).days, 30)
                elif code == 'public_information':
                    # Legea 544/2001 art. 7(1): 10 days
                    self.assertGreaterEqual((deadline - date).days, 10)
                elif code in {'fiscal_certificate', 'social_assistance'}:
                    self.assertIsNone(deadline)
                text = MailCatcher.text(self.mail.to(email)[-1])
                self.assertIn(number, text)
        listing = client.get('/requests').get_data(as_text=True)
        self.assertIn('Petiție', listing)
        self.assertIn(self.department_name, listing)

    def test_required_missing_writes_nothing(self):
        "A required field or file missing: translated error, no document"
        client, email, party_id = self.citizen()
        before = self.documents_of(party_id)
        values, files = EXAMPLES['petition']
        response = self.send(client, 'petition',
            dict(values, content=''), files)
        self.assertEqual(response.status_code, 422)
        page = response.get_data(as_text=True)
        self.assertIn('Completați „Conținut”', page)
        values, files = EXAMPLES['urbanism_certificate']
        response = self.send(client, 'urbanism_certificate', values,
            {'cadastral_plan': files['cadastral_plan']})
        self.assertEqual(response.status_code, 422)
        self.assertIn('Atașați', response.get_data(as_text=True))
        response = self.send(client, 'social_assistance',
            dict(EXAMPLES['social_assistance'][0], household='trei'),
            EXAMPLES['social_assistance'][1])
        self.assertEqual(response.status_code, 422)
        self.assertIn('nu este validă', response.get_data(as_text=True))
        self.assertEqual(self.documents_of(party_id), before)
        with committed() as pool:
            self.assertFalse(pool.get('citizen_portal.request').search([
                        ('party', '=', party_id)]))

    def test_bad_files_refused(self):
        "A fake PDF and an oversize file are refused, nothing written"
        client, email, party_id = self.citizen()
        values, files = EXAMPLES['urbanism_certificate']
        fake = dict(files, land_book_extract=('cf.pdf', b'MZ\x90\x00' * 100))
        response = self.send(client, 'urbanism_certificate', values, fake)
        self.assertEqual(response.status_code, 422)
        self.assertIn('cf.pdf', response.get_data(as_text=True))
        # the registry's size limit of the municipality (1 MB in setUp)
        big = make_pdf("Mare")
        big = big[:9] + b'%' + b'0' * MAX_SIZE + b'\n' + big[9:]
        oversize = dict(files, land_book_extract=('cf.pdf', big))
        response = self.send(
            client, 'urbanism_certificate', values, oversize)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(self.documents_of(party_id), 0)

    def last_number(self):
        "The last number of the municipality's registry"
        with committed() as pool:
            Document = pool.get('document_registry.document')
            documents = Document.search([
                    ('company', '=', self.company_id),
                    ('number_int', '!=', None),
                    ], order=[('number_int', 'DESC')], limit=1)
            return documents[0].number_int if documents else 0

    def test_hostile_files_refused(self):
        """Active content, a PDF that inflates to megabytes, HTML behind a
        PNG header, a truncated PNG: refused with what to do, nothing
        written, no number taken"""
        client, email, party_id = self.citizen()
        values, _ = EXAMPLES['petition']
        number = self.last_number()
        shown = {
            'inflated_pdf': "nu poate fi verificat",
            'html_in_png': "este deteriorată",
            'truncated_png': "este deteriorată",
            }
        for kind, data in HOSTILE.items():
            with self.subTest(kind=kind):
                name = HOSTILE_NAMES[kind]
                response = self.send(client, 'petition', values,
                    {'document': (name, data)})
                self.assertEqual(response.status_code, 422)
                page = response.get_data(as_text=True)
                self.assertIn(f'„{name}”', page)
                self.assertIn(shown.get(kind, "tipăriți-l din nou ca PDF"),
                    page)
        self.assertEqual(self.documents_of(party_id), 0)
        self.assertEqual(self.last_number(), number)
        request_id = self.request_of(self.send(client, 'petition', values,
                {'document': ('poza.png', PNG)}))
        with committed() as pool:
            document = pool.get('citizen_portal.request')(request_id).document
            self.assertEqual(document.number_int, number + 1)

    def test_upload_read_once(self):
        "Each uploaded file is read once, by one reading process"
        client, email, party_id = self.citizen()
        values, _ = EXAMPLES['urbanism_certificate']
        files = {
            'cadastral_plan': ('plan.pdf', make_pdf(f"Plan {email}")),
            'land_book_extract': ('cf.pdf', make_pdf(f"Extras {email}")),
            }
        before = content.PROBES
        request_id = self.request_of(self.send(
                client, 'urbanism_certificate', values, files))
        self.assertEqual(content.PROBES, before + 2)
        with committed() as pool:
            document = pool.get('citizen_portal.request')(request_id).document
            self.assertEqual(sorted(a.text for a in document.attachments),
                [f"Extras {email}", f"Plan {email}"])

    def test_submissions_rate_limited(self):
        """Per account and per address: over either limit 429 with the
        reason, nothing registered, no number taken"""
        limits = self.app.config['RATE_LIMITS']
        saved = dict(limits)
        self.addCleanup(limits.update, saved)
        limits.update({'submit': (4, 3600), 'submit-account': (2, 3600)})
        a, _, party_a = self.citizen()
        b, _, party_b = self.citizen()
        b.environ_base['REMOTE_ADDR'] = a.environ_base['REMOTE_ADDR']
        values, files = EXAMPLES['public_information']
        number = self.last_number()
        statuses = [self.send(client, 'public_information', values,
                files).status_code for client in [a, a, a, b, b]]
        self.assertEqual(statuses, [302, 302, 429, 302, 429])
        response = self.send(a, 'public_information', values, files)
        self.assertEqual(response.status_code, 429)
        self.assertIn("Așteptați o oră", response.get_data(as_text=True))
        self.assertEqual(self.documents_of(party_a), 2)
        self.assertEqual(self.documents_of(party_b), 1)
        self.assertEqual(self.last_number(), number + 3)

    def clerk_answers(self, request_id, kind='answer'):
        "The clerk replies with the registry's wizard and registers it"
        return retried(lambda pool: self._clerk_answers(
                pool, request_id, kind))

    def _clerk_answers(self, pool, request_id, kind):
        Request = pool.get('citizen_portal.request')
        Document = pool.get('document_registry.document')
        Attachment = pool.get('document_registry.attachment')
        Reply = pool.get('document_registry.document.reply', type='wizard')
        document = Request(request_id).document
        session_id, _, _ = Reply.create()
        with Transaction().set_context(
                active_model=Document.__name__, active_id=document.id,
                active_ids=[document.id]):
            reply_wizard = Reply(session_id)
            reply_wizard.start.kind = kind
            reply_wizard.start.summary = "Lucrarea a fost programată."
            reply_wizard.do_create_({'views': []})
        reply, = Document.search([('reply_to', '=', document.id)])
        Attachment.create([{'document': reply.id, 'name': 'raspuns.pdf',
                    'data': make_pdf("Raspuns")}])
        Document.register([reply])
        Reply.delete(session_id)
        return reply.id

    def test_answer_and_state_mail(self):
        "Clerk answers → e-mail; a validated citizen downloads the answer"
        client, email, party_id = self.citizen(validated=True)
        values, files = EXAMPLES['petition']
        request_id = self.request_of(self.send(client, 'petition', values,
                files))
        sent = len(self.mail.to(email))
        self.clerk_answers(request_id)
        messages = self.mail.to(email)
        self.assertEqual(len(messages), sent + 1)
        self.assertIn('Soluționat', MailCatcher.text(messages[-1]))
        page = client.get(f'/requests/{request_id}').get_data(as_text=True)
        self.assertIn('Soluționat', page)
        self.assertIn('Lucrarea a fost programată.', page)
        link = re.search(
            rf'/requests/{request_id}/files/(\d+)">Descărcați raspuns.pdf',
            page)
        self.assertTrue(link, page)
        response = client.get(link.group(0).split('"')[0])
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.data.startswith(b'%PDF-'))

    def test_answer_hidden_for_standard_account(self):
        "A standard account sees that an answer exists and how to validate"
        client, email, party_id = self.citizen()
        values, files = EXAMPLES['public_information']
        request_id = self.request_of(self.send(
                client, 'public_information', values, files))
        reply_id = self.clerk_answers(request_id)
        page = client.get(f'/requests/{request_id}').get_data(as_text=True)
        self.assertIn('id="answer-hidden"', page)
        self.assertNotIn('Lucrarea a fost programată.', page)
        with committed() as pool:
            attachment, = pool.get('document_registry.attachment').search([
                    ('document', '=', reply_id)])
            attachment_id = attachment.id
        response = client.get(
            f'/requests/{request_id}/files/{attachment_id}')
        self.assertEqual(response.status_code, 302)
        self.assertIn('/account/validation', response.headers['Location'])

    def test_public_lookup(self):
        "Number + date: state without anything personal; wrong date; 429"
        client, email, party_id = self.citizen()
        values, files = EXAMPLES['petition']
        request_id = self.request_of(self.send(client, 'petition', values,
                files))
        with committed() as pool:
            document = pool.get('citizen_portal.request')(request_id).document
            number, date = document.number, document.date
            name = document.issuer.rec_name
        anonymous = self.client()
        self.assertIn('/track', anonymous.get('/').get_data(as_text=True))
        response = anonymous.get(
            f'/track?number={number}&date={date.isoformat()}')
        self.assertEqual(response.status_code, 200)
        page = response.get_data(as_text=True)
        self.assertIn('id="track-state"', page)
        self.assertIn(self.department_name, page)
        self.assertNotIn(name, page)
        self.assertNotIn('Avram Iancu', page)
        wrong = date.replace(year=date.year - 1)
        response = anonymous.get(
            f'/track?number={number}&date={wrong.isoformat()}')
        self.assertEqual(response.status_code, 404)
        self.assertIn('Nicio cerere', response.get_data(as_text=True))
        response = anonymous.get(f'/track?number=abc&date={date}')
        self.assertEqual(response.status_code, 422)
        self.assertIn('Introduceți numărul', response.get_data(as_text=True))
        limit, period = self.app.config['RATE_LIMITS']['public-lookup']
        statuses = {anonymous.get(f'/track?number={number}&date=x').status_code
            for _ in range(limit)}
        self.assertIn(429, statuses)

    def test_account_on_another_persons_code(self):
        "An account opened on A's CNP reaches none of A's requests or files"
        a, email_a, party_a = self.citizen(validated=True)
        values, files = EXAMPLES['petition']
        request_id = self.request_of(self.send(a, 'petition', values, files))
        with committed() as pool:
            request = pool.get('citizen_portal.request')(request_id)
            code = request.party.fiscal_code
            ids = [f.id for f in request.document.attachments]
        impostor = self.client()
        response, email, _ = self.register(impostor, code=code,
            last_name="Impostor", first_name="Ion")
        self.assertEqual(response.status_code, 200)
        impostor.get(self.confirmation_link(email), follow_redirects=True)
        self.assertEqual(self.login(impostor, email).status_code, 302)
        self.assertNotIn(f'/requests/{request_id}"',
            impostor.get('/requests').get_data(as_text=True))
        for path in [f'/requests/{request_id}'] + [
                f'/requests/{request_id}/files/{i}' for i in ids]:
            with self.subTest(path=path):
                self.assertEqual(impostor.get(path).status_code, 404)
        # what the impostor sends itself it follows, and only that
        own = self.request_of(self.send(impostor, 'petition', values, files))
        listing = impostor.get('/requests').get_data(as_text=True)
        self.assertIn(f'/requests/{own}"', listing)
        self.assertNotIn(f'/requests/{request_id}"', listing)
        self.assertEqual(impostor.get(f'/requests/{own}').status_code, 200)

    def test_two_citizens(self):
        "B reaches nothing of A's: every route 404; anonymous to login"
        a, email_a, party_a = self.citizen(validated=True)
        b, email_b, party_b = self.citizen(validated=True)
        values, files = EXAMPLES['petition']
        request_id = self.request_of(self.send(a, 'petition', values, files))
        self.clerk_answers(request_id)
        with committed() as pool:
            request = pool.get('citizen_portal.request')(request_id)
            ids = [f.id for f in request.document.attachments]
            for reply in request.document.replies:
                ids += [f.id for f in reply.attachments]
        paths = [f'/requests/{request_id}'] + [
            f'/requests/{request_id}/files/{i}' for i in ids]
        for path in paths:
            with self.subTest(path=path):
                self.assertEqual(a.get(path).status_code, 200)
                self.assertEqual(b.get(path).status_code, 404)
                response = self.client().get(path)
                self.assertEqual(response.status_code, 302)
                self.assertIn('/login', response.headers['Location'])
        self.assertNotIn(f'/requests/{request_id}"',
            b.get('/requests').get_data(as_text=True))
        # a file of A's request through B's own request: 404
        own = self.request_of(self.send(b, 'petition', values, files))
        self.assertEqual(
            b.get(f'/requests/{own}/files/{ids[0]}').status_code, 404)
        for path in ['/requests', '/services/petition']:
            response = self.client().get(path)
            self.assertEqual(response.status_code, 302)
            self.assertIn('/login', response.headers['Location'])
        # the catalogue is public; an unknown service is a 404
        self.assertEqual(self.client().get('/services').status_code, 200)
        self.assertEqual(b.get('/services/nope').status_code, 404)
        # a forged submission (no CSRF token) is refused
        response = b.post('/services/petition', data={'f_subject': 'x'})
        self.assertEqual(response.status_code, 403)
