# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The fiscal certificate requested online, signed by the municipality and
verified by its QR code; the online validation of an account with the
enrolment form signed with a qualified signature (a test PKI made now)."""
import io
import logging
import re

from trytond.modules.document_registry.tests.tools import HOSTILE
from trytond.modules.document_signature.tests.pki import build_pki, sign

from .pay_tools import ensure_decision, run_committed
from .tools import PortalTestCase, committed

PKI = None


def setUpModule():
    global PKI
    for name in ['pyhanko', 'pyhanko_certvalidator']:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    PKI = build_pki()


class DocumentsTestCase(PortalTestCase):
    "Test the signed documents and the online validation"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        run_committed(cls.configure_signature)

    @classmethod
    def configure_signature(cls, pool):
        "The test PKI's roots and the municipality's qualified seal"
        from trytond.transaction import Transaction
        Company = pool.get('company.company')
        Configuration = pool.get('document_signature.configuration')
        Certificate = pool.get('document_signature.certificate')
        company = Company(cls.company_id)
        ensure_decision(company, pool.get('ir.date').today().year)
        with Transaction().set_context(company=company.id):
            configuration = Configuration(1)
            configuration.trusted_roots = PKI.roots_pem
            configuration.tsa_url = None
            configuration.save()
            old = Certificate.search([
                    ('company', '=', company.id), ('active', '=', True)])
            if old:
                Certificate.write(old, {'active': False})
            Certificate(company=company, name="Sigiliu calificat",
                pkcs12=PKI.pkcs12(PKI.municipality, b'secret'),
                passphrase='secret').save()

    def count(self, model, domain):
        with committed() as pool:
            return pool.get(model).search_count(domain)

    def request_certificate(self, client, party_id, purpose='transfer'):
        return self.post(client, '/documents/certificate', {
                'party': party_id, 'purpose': purpose,
                'purpose_details': "Vânzare apartament"})

    def test_certificate_signed_and_verified(self):
        "Request → signed PDF (pyHanko: valid) → /verify right and wrong code"
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext
        client, _, party_id = self.citizen(validated=True)
        response = self.request_certificate(client, party_id)
        self.assertEqual(response.status_code, 302,
            response.get_data(as_text=True)[-3000:])
        page = client.get('/documents').get_data(as_text=True)
        link = re.search(r'href="(/documents/\d+\.pdf)"', page).group(1)
        code = re.search(r'<code>([A-Z0-9]+)</code>', page).group(1)
        pdf = client.get(link).data
        self.assertTrue(pdf.startswith(b'%PDF'))
        signature, = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
        status = validate_pdf_signature(signature, ValidationContext(
                trust_roots=[PKI.root.asn1],
                other_certs=[PKI.intermediate.asn1]))
        self.assertTrue(status.bottom_line, status.pretty_print_details())
        with committed() as pool:
            SignedDocument = pool.get('document_signature.signed_document')
            document, = SignedDocument.search([
                    ('verification_code', '=', code)])
            number, sha256 = document.number, document.sha256
            self.assertEqual(document.origin.taxpayer.id, party_id)
            self.assertEqual(document.origin.purpose, 'transfer')
        # the QR code's URL is the verification page
        anonymous = self.client()
        response = anonymous.get('/verify', query_string={
                'number': number, 'code': code.lower()})
        # the code leaves the address at once (access logs, history)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response.headers['Location'], '/verify')
        response = anonymous.get('/verify')
        page = response.get_data(as_text=True)
        self.assertEqual(response.status_code, 200, page)
        self.assertIn(sha256, page)
        self.assertIn('Valabil', page)
        response = anonymous.get('/verify/download')
        self.assertEqual(response.data, pdf)
        # only the browser session that gave the code
        self.assertEqual(
            self.client().get('/verify/download').status_code, 404)
        wrong = code[:-1] + ('A' if code[-1] != 'A' else 'B')
        response = anonymous.get('/verify', query_string={
                'number': number, 'code': wrong}, follow_redirects=True)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(sha256, response.get_data(as_text=True))
        self.assertEqual(
            anonymous.get('/verify/download').status_code, 404)

    def test_documents_authorization(self):
        "B and anonymous get nothing of A's documents; standard: redirected"
        client_a, _, party_a = self.citizen(validated=True)
        client_b, _, party_b = self.citizen(validated=True)
        standard, _, party_s = self.citizen()
        anonymous = self.client()
        self.assertEqual(
            self.request_certificate(client_a, party_a).status_code, 302)
        page = client_a.get('/documents').get_data(as_text=True)
        link = re.search(r'href="(/documents/\d+\.pdf)"', page).group(1)
        self.assertEqual(client_b.get(link).status_code, 404)
        self.assertNotIn(link, client_b.get('/documents').get_data(
                as_text=True))
        for path in [link, '/documents', '/documents/certificate']:
            response = anonymous.get(path)
            self.assertEqual(response.status_code, 302)
            self.assertIn('/login', response.headers['Location'])
            response = standard.get(path)
            self.assertEqual(response.status_code, 302)
            self.assertIn('/account/validation', response.headers['Location'])
        # B cannot have a certificate issued for A
        before = self.count('local_tax.fiscal_certificate',
            [('taxpayer', '=', party_a)])
        response = self.request_certificate(client_b, party_a)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.count('local_tax.fiscal_certificate',
                [('taxpayer', '=', party_a)]), before)

    def test_certificate_bad_input_writes_nothing(self):
        client, _, party_id = self.citizen(validated=True)
        response = self.request_certificate(client, party_id, purpose='')
        self.assertEqual(response.status_code, 422)
        self.assertIn('Alegeți', response.get_data(as_text=True))
        self.assertEqual(self.count('local_tax.fiscal_certificate',
                [('taxpayer', '=', party_id)]), 0)

    def test_verify_rate_limited(self):
        client = self.client()
        limit, _ = self.app.config['RATE_LIMITS']['verify-lookup']
        for _ in range(limit):
            client.get('/verify?number=1&code=X', follow_redirects=True)
        self.assertEqual(client.get('/verify').status_code, 429)

    # Online validation

    def enrolment_form(self, client):
        response = client.get('/account/validation/form.pdf')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.mimetype, 'application/pdf')
        return response.data

    def upload(self, client, data):
        return self.post(client, '/account/validation/upload',
            {'form': (io.BytesIO(data), 'formular.pdf')},
            csrf_from='/account/validation')

    def trust_level(self, email):
        with committed() as pool:
            user, = pool.get('web.user').search([('email', '=', email)])
            return user.trust_level, user.validation_method

    def reasons(self):
        "The refusal messages as the portal shows them (Romanian)"
        from trytond.i18n import gettext
        from trytond.transaction import Transaction
        with committed(), Transaction().set_context(language='ro'):
            return {key: gettext(f'citizen_portal.msg_enrolment_{key}',
                    status='§').split('§')[0].split('(')[0].strip()
                for key in ['not_qualified', 'other_person', 'other_form',
                    'not_pdf', 'signature_not_valid']} | {
                # after the file's name, before the advice
                key: re.split('[„”"]', gettext(
                        f'document_registry.msg_attachment_{key}',
                        name='f'), maxsplit=2)[2].split(':')[0].strip()
                for key in ['active_pdf', 'too_complex']}

    def citizen_with_code(self):
        from .tools import new_cnp
        code = new_cnp()
        client, email, party_id = self.citizen(
            code=code, last_name="Popescu", first_name="Ion")
        return client, email, code

    def test_online_validation(self):
        "The form signed with a QES by the account's person validates it"
        client, email, code = self.citizen_with_code()
        page = client.get('/account/validation').get_data(as_text=True)
        self.assertIn('/account/validation/upload', page)
        form = self.enrolment_form(client)
        self.assertIn(code.encode(), form)
        self.assertIn(b'OPENPRIMARIE-ENROL-', form)
        signer = PKI.person("Popescu Ion", code, qualified=True)
        response = self.upload(client, sign(form, signer))
        self.assertEqual(response.status_code, 302,
            response.get_data(as_text=True)[-2000:])
        self.assertEqual(self.trust_level(email), ('validated', 'signature'))
        # validated: the documents are open
        self.assertEqual(client.get('/documents').status_code, 200)

    def test_online_validation_refused(self):
        "Not qualified, another person, tampered, another form: refused"
        client, email, code = self.citizen_with_code()
        other_client, other_email, other_code = self.citizen_with_code()
        form = self.enrolment_form(client)
        other_form = self.enrolment_form(other_client)
        me = PKI.person("Popescu Ion", code, qualified=True)
        signed = sign(form, me)
        tampered = bytearray(signed)
        position = tampered.find(b'OPENPRIMARIE-ENROL-')
        tampered[position + 20] ^= 0x01
        reasons = self.reasons()
        cases = [
            (sign(form, PKI.person("Popescu Ion", code, qualified=False)),
                reasons['not_qualified']),
            (sign(form, PKI.person("Ionescu Maria", other_code)),
                reasons['other_person']),
            (bytes(tampered), reasons['signature_not_valid']),
            (sign(other_form, me), reasons['other_form']),
            (b'GIF89a not a pdf', reasons['not_pdf']),
            (form, reasons['signature_not_valid']),
            # read in a process with limits before pyHanko reads it
            (HOSTILE['openaction_javascript'], reasons['active_pdf']),
            (HOSTILE['inflated_pdf'], reasons['too_complex']),
            ]
        for data, reason in cases:
            with self.subTest(reason=reason):
                response = self.upload(client, data)
                page = response.get_data(as_text=True)
                self.assertEqual(response.status_code, 422)
                self.assertIn(reason, page)
                self.assertEqual(self.trust_level(email),
                    ('standard', None))
        # another's upload path cannot validate this account
        response = self.upload(other_client, signed)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(self.trust_level(other_email), ('standard', None))
        anonymous = self.client()
        self.assertEqual(anonymous.get(
                '/account/validation/form.pdf').status_code, 302)

