# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import io
import logging
import re
import socket

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company.tests import CompanyTestMixin, set_company
from trytond.modules.document_registry.tests.tools import (
    create_registry, new_document)
from trytond.modules.municipality.tests.tools import create_municipality
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from .pki import CNP, TimeStampServer, build_pki, make_pdf, sign, signed_pdf

PKI = None
TSA = None


def setUpModule():
    global PKI, TSA
    # pyHanko logs every failed validation with its traceback
    for name in ['pyhanko', 'pyhanko_certvalidator']:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    PKI = build_pki()
    TSA = TimeStampServer(PKI).start()


def tearDownModule():
    TSA.stop()


def free_port_url():
    "The URL of a loopback port where nothing listens"
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    return f'http://127.0.0.1:{port}/tsa'


def configure(company, tsa_url=None, roots=True, certificate=True):
    "Trusted roots, time-stamping service and the municipality's certificate"
    pool = Pool()
    Configuration = pool.get('document_signature.configuration')
    Certificate = pool.get('document_signature.certificate')
    with set_company(company):
        configuration = Configuration(1)
        configuration.trusted_roots = PKI.roots_pem if roots else None
        configuration.tsa_url = tsa_url
        configuration.reason = "Document eliberat de primărie"
        configuration.location = "Florești"
        configuration.save()
        if certificate:
            cert = Certificate(
                company=company, name="Sigiliu calificat",
                pkcs12=PKI.pkcs12(PKI.municipality, b'secret'),
                passphrase='secret')
            cert.save()
            return cert


def flip(data, needle, offset=0):
    "data with one byte changed where needle is"
    data = bytearray(data)
    position = data.find(needle)
    assert position >= 0
    data[position + offset] ^= 0x01
    return bytes(data)


def signature_value_hex(data):
    "The hex of the signature value of the last signature of a PDF"
    from pyhanko.pdf_utils.reader import PdfFileReader
    reader = PdfFileReader(io.BytesIO(data))
    signer_info = reader.embedded_signatures[-1].signer_info
    return signer_info['signature'].native.hex().upper().encode()


class DocumentSignatureTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Document Signature module"
    module = 'document_signature'
    extras = []

    @property
    def _skip_company_rule(self):
        return super()._skip_company_rule | {
            ('municipality.locality', 'municipality'),
            ('document_registry.document_type', 'company'),
            }

    def verify(self, company, data, **kwargs):
        Verification = Pool().get('document_signature.verification')
        return Verification.verify_all(company, data, **kwargs)

    # The municipality's certificate

    @with_transaction()
    def test_certificate_read_on_save(self):
        "Subject, issuer, serial and validity are read from the PKCS#12"
        company = create_municipality()
        certificate = configure(company)
        self.assertIn("Comuna Florești", certificate.subject)
        self.assertIn("Test Issuing CA", certificate.issuer)
        self.assertEqual(certificate.serial_number, format(
                PKI.municipality.certificate.serial_number, 'X'))
        self.assertLess(certificate.valid_from, dt.datetime.now())
        self.assertGreater(certificate.valid_to, dt.datetime.now())
        self.assertTrue(certificate.qualified)

    @with_transaction()
    def test_certificate_bad_passphrase_or_file(self):
        "A wrong passphrase or a file that is no PKCS#12 is refused"
        Certificate = Pool().get('document_signature.certificate')
        company = create_municipality()
        for pkcs12, passphrase in [
                (PKI.pkcs12(PKI.municipality, b'secret'), 'wrong'),
                (make_pdf(), 'secret')]:
            with self.subTest(passphrase=passphrase):
                certificate = Certificate(
                    company=company, name="Certificat", pkcs12=pkcs12,
                    passphrase=passphrase)
                with self.assertRaisesRegex(UserError, 'PKCS#12'):
                    certificate.save()
        self.assertEqual(Certificate.search([]), [])

    @with_transaction()
    def test_one_active_certificate(self):
        "A municipality has at most one active certificate"
        Certificate = Pool().get('document_signature.certificate')
        company = create_municipality()
        first = configure(company)
        second = Certificate(
            company=company, name="Nou", passphrase='x',
            pkcs12=PKI.pkcs12(PKI.qualified, b'x'))
        Certificate.write([first], {'active': False})
        second.save()
        self.assertEqual(Certificate.get_active(company), second)
        self.assertTrue(second.qualified)
        with self.assertRaises(ValidationError):
            Certificate.write([first], {'active': True})

    @with_transaction()
    def test_trusted_roots_checked(self):
        "The trusted roots must be PEM certificates"
        Configuration = Pool().get('document_signature.configuration')
        company = create_municipality()
        with set_company(company):
            configuration = Configuration(1)
            configuration.trusted_roots = "nu este un certificat"
            with self.assertRaises(ValidationError):
                configuration.save()

    # Verification

    @with_transaction()
    def test_verify_valid_qualified(self):
        "A signature with a qualified certificate of a trusted root is QES"
        company = create_municipality()
        configure(company, certificate=False)
        data = signed_pdf(PKI, "Popescu Ion", cnp=CNP[0])
        verification, = self.verify(company, data, name='cerere.pdf')
        self.assertEqual(verification.status, 'valid')
        self.assertEqual(verification.level, 'qes')
        self.assertEqual(verification.signer_name, "Popescu Ion")
        self.assertEqual(verification.signer_cnp, CNP[0])
        self.assertEqual(verification.signer_serial, f'PNORO-{CNP[0]}')
        self.assertFalse(verification.time_stamped)
        self.assertIsNotNone(verification.signing_time)
        self.assertEqual(len(verification.sha256), 64)
        self.assertIn("QES", verification.report)
        self.assertIn("Popescu Ion", verification.report)

    @with_transaction()
    def test_verify_advanced(self):
        "A trusted certificate without QcCompliance gives AdES"
        company = create_municipality()
        configure(company, certificate=False)
        data = signed_pdf(PKI, "Ionescu Maria", cnp=CNP[1], qualified=False)
        verification, = self.verify(company, data)
        self.assertEqual(
            (verification.status, verification.level), ('valid', 'ades'))

    @with_transaction()
    def test_verify_invalid_signature_bytes(self):
        "A changed byte of the signature value makes it invalid"
        company = create_municipality()
        configure(company, certificate=False)
        data = signed_pdf(PKI)
        value = signature_value_hex(data)
        data = data.replace(value, value[:-2] + (
                b'00' if value[-2:] != b'00' else b'11'))
        verification, = self.verify(company, data)
        self.assertEqual(verification.status, 'invalid')
        self.assertIsNone(verification.level)

    @with_transaction()
    def test_verify_tampered(self):
        "A byte changed in the signed content after signing: tampered"
        company = create_municipality()
        configure(company, certificate=False)
        data = flip(signed_pdf(PKI, text="Cerere de eliberare"), b'Cerere')
        verification, = self.verify(company, data)
        self.assertEqual(verification.status, 'tampered')
        self.assertIsNone(verification.level)

    @with_transaction()
    def test_verify_changed_by_later_revision(self):
        "New page content added after signing: tampered"
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.incremental_writer import (
            IncrementalPdfFileWriter)
        company = create_municipality()
        configure(company, certificate=False)
        data = signed_pdf(PKI)
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        stream = generic.StreamObject(stream_data=b'BT /F1 12 Tf 72 600 Td '
            b'(Suma: 1000000 lei) Tj ET')
        writer.add_stream_to_page(0, writer.add_object(stream))
        out = io.BytesIO()
        writer.write(out)
        verification, = self.verify(company, out.getvalue())
        self.assertEqual(verification.status, 'tampered')

    @with_transaction()
    def test_verify_expired(self):
        "Signed after the certificate expired, without a time stamp: expired"
        company = create_municipality()
        configure(company, certificate=False)
        verification, = self.verify(company, sign(make_pdf(), PKI.expired))
        self.assertEqual(verification.status, 'expired')
        self.assertIsNone(verification.level)
        self.assertIn("Legea 214/2024", verification.report)

    @with_transaction()
    def test_verify_expired_since_time_stamped(self):
        "A time stamp proves signing while the certificate was valid"
        company = create_municipality()
        configure(company, certificate=False)
        moment = dt.datetime(2020, 6, 1, 9, 0, tzinfo=dt.timezone.utc)
        with TimeStampServer(PKI, fixed_dt=moment) as tsa:
            data = sign(make_pdf(), PKI.expired, tsa_url=tsa.url)
        verification, = self.verify(company, data)
        self.assertEqual(
            (verification.status, verification.level), ('valid', 'qes'))
        self.assertEqual(verification.signing_time, dt.datetime(
                2020, 6, 1, 9, 0))
        self.assertIn("expired since", verification.report)

    @with_transaction()
    def test_verify_untrusted_root(self):
        "A signer under a root that is not trusted: untrusted, SES"
        company = create_municipality()
        configure(company, certificate=False)
        verification, = self.verify(
            company, sign(make_pdf(), PKI.untrusted_signer))
        self.assertEqual(
            (verification.status, verification.level), ('untrusted', 'ses'))
        self.assertEqual(verification.signer_name, "Georgescu Ana")

    @with_transaction()
    def test_verify_unsigned(self):
        "A PDF without signature gives one 'unsigned' record"
        Verification = Pool().get('document_signature.verification')
        company = create_municipality()
        configure(company, certificate=False)
        verification = Verification.verify(company, make_pdf())
        self.assertEqual(verification.status, 'unsigned')
        self.assertEqual(verification.signatures, 0)
        self.assertEqual(Verification.search([]), [verification])

    @with_transaction()
    def test_verify_time_stamped(self):
        "A time-stamped signature: the time comes from the time stamp"
        company = create_municipality()
        configure(company, certificate=False)
        requests = TSA.requests
        data = signed_pdf(PKI, tsa_url=TSA.url)
        self.assertGreater(TSA.requests, requests)
        verification, = self.verify(company, data)
        self.assertEqual(verification.status, 'valid')
        self.assertTrue(verification.time_stamped)
        self.assertEqual(
            verification.timestamp_time, verification.signing_time)
        self.assertLess(abs(verification.timestamp_time
                - dt.datetime.utcnow()), dt.timedelta(minutes=5))
        self.assertIn("proven by a time stamp", verification.report)

    @with_transaction()
    def test_verify_several_signatures(self):
        "One record per signature; verify returns the last one"
        Verification = Pool().get('document_signature.verification')
        company = create_municipality()
        configure(company, certificate=False)
        data = signed_pdf(PKI, "Popescu Ion", cnp=CNP[0])
        data = sign(data, PKI.untrusted_signer)
        last = Verification.verify(company, data, name='contract.pdf')
        self.assertEqual(last.sequence, 2)
        first, second = Verification.search(
            [('name', '=', 'contract.pdf')], order=[('sequence', 'ASC')])
        self.assertEqual(second, last)
        self.assertEqual((first.status, second.status), ('valid', 'untrusted'))
        self.assertEqual(first.signatures, 2)

    @with_transaction()
    def test_verify_without_roots(self):
        "Without trusted roots nobody is confirmed"
        company = create_municipality()
        configure(company, roots=False, certificate=False)
        verification, = self.verify(company, signed_pdf(PKI))
        self.assertEqual(verification.status, 'untrusted')

    # Signing

    @with_transaction()
    def test_sign_pdf_without_certificate(self):
        "Signing without an active certificate is refused"
        Certificate = Pool().get('document_signature.certificate')
        company = create_municipality()
        configure(company, certificate=False)
        with self.assertRaisesRegex(UserError, "certificate"):
            Certificate.sign_pdf(company, make_pdf())

    @with_transaction()
    def test_sign_pdf(self):
        "The municipality signs: PAdES, valid, qualified, reason and place"
        from pyhanko.pdf_utils.reader import PdfFileReader
        Certificate = Pool().get('document_signature.certificate')
        company = create_municipality()
        configure(company)
        signed = Certificate.sign_pdf(company, make_pdf())
        signature, = PdfFileReader(io.BytesIO(signed)).embedded_signatures
        self.assertEqual(
            signature.sig_object['/SubFilter'], '/ETSI.CAdES.detached')
        self.assertEqual(signature.sig_object['/Reason'],
            "Document eliberat de primărie")
        self.assertEqual(signature.sig_object['/Location'], "Florești")
        self.assertIn('/DSS', PdfFileReader(io.BytesIO(signed)).root)
        verification, = self.verify(company, signed)
        self.assertEqual(
            (verification.status, verification.level), ('valid', 'qes'))
        self.assertFalse(verification.time_stamped)

    @with_transaction()
    def test_sign_pdf_chain_not_trusted(self):
        "Roots that do not cover the certificate: signed without the DSS"
        from pyhanko.pdf_utils.reader import PdfFileReader
        pool = Pool()
        Certificate = pool.get('document_signature.certificate')
        Configuration = pool.get('document_signature.configuration')
        company = create_municipality()
        configure(company)
        with set_company(company):
            Configuration.write([Configuration(1)], {
                    'trusted_roots': PKI.untrusted_root.pem.decode()})
        signed = Certificate.sign_pdf(company, make_pdf())
        self.assertNotIn('/DSS', PdfFileReader(io.BytesIO(signed)).root)
        verification, = self.verify(company, signed)
        self.assertEqual(verification.status, 'untrusted')

    @with_transaction()
    def test_sign_pdf_time_stamped_with_qr(self):
        "With a TSA configured and a QR URL: time stamp and visible stamp"
        from pyhanko.pdf_utils.reader import PdfFileReader
        Certificate = Pool().get('document_signature.certificate')
        company = create_municipality()
        configure(company, tsa_url=TSA.url)
        url = 'https://portal.floresti.ro/verificare?nr=12&cod=ABCDEFGHJKMN'
        requests = TSA.requests
        signed = Certificate.sign_pdf(company, make_pdf(), reason="Certificat"
            " fiscal", qr_url=url)
        self.assertGreater(TSA.requests, requests)
        reader = PdfFileReader(io.BytesIO(signed))
        signature, = reader.embedded_signatures
        self.assertEqual(signature.sig_object['/Reason'], "Certificat fiscal")
        widget = signature.sig_field
        x1, y1, x2, y2 = [float(v) for v in widget['/Rect']]
        self.assertLess(y2, 200)            # bottom area of the page
        self.assertGreater(x2 - x1, 100)    # visible
        page = reader.root['/Pages']['/Kids'][0].get_object()
        self.assertIn(widget, [a.get_object() for a in page['/Annots']])
        appearance = widget['/AP']['/N'].get_object()
        self.assertTrue(appearance.data)
        verification, = self.verify(company, signed)
        self.assertEqual(verification.status, 'valid')
        self.assertTrue(verification.time_stamped)

    @with_transaction()
    def test_sign_pdf_tsa_down(self):
        "A configured time-stamping service that does not answer: refused"
        Certificate = Pool().get('document_signature.certificate')
        company = create_municipality()
        configure(company, tsa_url=free_port_url())
        with self.assertRaisesRegex(UserError, "time-stamping"):
            Certificate.sign_pdf(company, make_pdf())

    @with_transaction()
    def test_sign_not_a_pdf(self):
        "A file that is not a PDF is not signed"
        Certificate = Pool().get('document_signature.certificate')
        company = create_municipality()
        configure(company)
        with self.assertRaises(UserError):
            Certificate.sign_pdf(company, b'not a PDF at all')

    # Signed documents

    @with_transaction()
    def test_create_signed_and_lookup(self):
        "A signed document is found by number and code, not by a wrong code"
        SignedDocument = Pool().get('document_signature.signed_document')
        company = create_municipality()
        other = create_municipality(name="Comuna Apahida", cui='13548146')
        configure(company)
        document = SignedDocument.create_signed(
            company, None, '123', 'certificat-123.pdf', make_pdf(),
            reason="Certificat de atestare fiscală",
            qr_url_template='https://portal/verificare/{number}/{code}')
        code = document.verification_code
        self.assertRegex(code, r'^[A-HJKMNP-TW-Z2-9]{12}$')
        self.assertEqual(document.number, '123')
        self.assertEqual(len(document.sha256), 64)
        self.assertTrue(document.file_id)
        verification, = self.verify(company, document.data)
        self.assertEqual(verification.status, 'valid')
        self.assertEqual(SignedDocument.lookup(company, '123', code),
            document)
        spaced = ' '.join([code[:4], code[4:8], code[8:]]).lower()
        self.assertEqual(
            SignedDocument.lookup(company, '123', spaced), document)
        wrong = ('A' if code[0] != 'A' else 'B') + code[1:]
        self.assertIsNone(SignedDocument.lookup(company, '123', wrong))
        self.assertIsNone(SignedDocument.lookup(company, '124', code))
        self.assertIsNone(SignedDocument.lookup(company, '123', ''))
        self.assertIsNone(SignedDocument.lookup(other, '123', code))
        again = SignedDocument.create_signed(
            company, None, '123', 'certificat-123.pdf', make_pdf())
        self.assertNotEqual(again.verification_code, code)
        self.assertEqual(SignedDocument.lookup(company, '123', code),
            document)

    @with_transaction()
    def test_create_signed_without_certificate_saves_nothing(self):
        "No certificate: nothing is stored"
        SignedDocument = Pool().get('document_signature.signed_document')
        company = create_municipality()
        with self.assertRaises(UserError):
            SignedDocument.create_signed(
                company, None, '1', 'a.pdf', make_pdf())
        self.assertEqual(SignedDocument.search([]), [])

    @with_transaction()
    def test_check_modification(self):
        "A stored verification or signed document cannot be rewritten"
        pool = Pool()
        Verification = pool.get('document_signature.verification')
        SignedDocument = pool.get('document_signature.signed_document')
        company = create_municipality()
        configure(company)
        verification = Verification.verify(company, signed_pdf(PKI))
        document = SignedDocument.create_signed(
            company, None, '7', 'raspuns.pdf', make_pdf())
        for records, values in [
                ([verification], {'status': 'valid', 'level': 'qes'}),
                ([verification], {'signer_name': "Altcineva"}),
                ([document], {'data': make_pdf("Altceva")}),
                ([document], {'verification_code': 'AAAAAAAAAAAA'}),
                ]:
            Model = records[0].__class__
            with self.subTest(model=Model.__name__, values=list(values)):
                with self.assertRaises(AccessError):
                    Model.write(records, values)
                with self.assertRaises(AccessError):
                    Model.delete(records)
        self.assertEqual(Verification(verification.id).status, 'valid')
        self.assertEqual(SignedDocument.lookup(
                company, '7', document.verification_code), document)

    # Registry

    @with_transaction()
    def test_registry_attachment_verified(self):
        "A signed PDF attached in the registry is verified on creation"
        pool = Pool()
        Attachment = pool.get('document_registry.attachment')
        Document = pool.get('document_registry.document')
        Verification = pool.get('document_signature.verification')
        company = create_municipality()
        configure(company, certificate=False)
        register = create_registry(company)
        with set_company(company):
            document = new_document(company, register)
            document.save()
            signed, plain, untrusted = Attachment.create([{
                        'document': document.id,
                        'name': 'cerere.pdf',
                        'data': signed_pdf(PKI, "Popescu Ion", cnp=CNP[0]),
                        }, {
                        'document': document.id,
                        'name': 'anexa.pdf',
                        'data': make_pdf("Anexa"),
                        }, {
                        'document': document.id,
                        'name': 'imputernicire.pdf',
                        'data': sign(make_pdf(), PKI.untrusted_signer),
                        }])
            check, = signed.signature_verifications
            self.assertEqual((check.status, check.level), ('valid', 'qes'))
            self.assertEqual(check.name, 'cerere.pdf')
            self.assertEqual(check.company, company)
            self.assertEqual(plain.signature_verifications, ())
            self.assertEqual(signed.signature_status, 'valid')
            self.assertIsNone(plain.signature_status)
            document = Document(document.id)
            self.assertEqual(document.signature_status, 'untrusted')
            summary = document.signature_summary
            self.assertIn("cerere.pdf", summary)
            self.assertIn("Popescu Ion", summary)
            self.assertIn(CNP[0], summary)
            self.assertIn("imputernicire.pdf", summary)
            self.assertNotIn("anexa.pdf", summary)

            # the administrator trusts no root any more: checked again
            configure(company, roots=False, certificate=False)
            Document.verify_signatures([document])
            self.assertEqual(Attachment(signed.id).signature_status,
                'untrusted')
            self.assertEqual(len(Verification.search(
                        [('origin', '=', str(signed))])), 2)
            self.assertEqual(Attachment(plain.id).signature_status,
                'unsigned')
            self.assertEqual(
                Document(document.id).signature_summary.count('cerere.pdf'),
                1)


del ModuleTestCase
