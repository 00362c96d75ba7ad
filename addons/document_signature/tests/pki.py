# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A test PKI made at test time, and a real RFC 3161 time-stamping server on
loopback, for the tests of this and later modules (the portal's signed
enrolment form).  No key is ever stored in the repository: every key is
generated when the PKI is built.

    pki = build_pki()                          # or build_pki('/tmp/dir')
    pdf = signed_pdf(pki, "Popescu Ion", cnp='1070504429315')
    with TimeStampServer(pki) as tsa:          # tsa.url
        pdf = signed_pdf(pki, "Popescu Ion", tsa_url=tsa.url)
    pki.pkcs12(pki.municipality, b'secret')    # for document_signature.certificate

Authorities: `root` (trusted) → `intermediate` → signers; `tsa` issued by
the root; `untrusted_root` → `untrusted_signer`.  Signers: `qualified`
(eIDAS QcStatements: QcCompliance, QcSSCD, QcType esign), `advanced` (none),
`expired` (valid in 2020 only), `municipality` (a qualified seal for the
city hall, used to sign outgoing documents).
"""
import datetime as dt
import http.server
import io
import os
import tempfile
import threading
from dataclasses import dataclass, field

from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12 as pyca_pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    'CNP', 'TestPKI', 'Party', 'build_pki', 'make_pdf', 'signed_pdf',
    'sign', 'TimeStampServer', 'qc_statements',
    ]

# Valid CNPs (check digit right), of nobody real
CNP = ['1070504429315', '2700116065277', '1630615123457']
QC_STATEMENTS = x509.ObjectIdentifier('1.3.6.1.5.5.7.1.3')
NOW = dt.datetime.now(dt.timezone.utc)
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
FAR = NOW + dt.timedelta(days=3650)


def qc_statements(*statements):
    """The DER value of a QcStatements extension (ETSI EN 319 412-5) with
    the statement names of pyHanko's qualified_asn1 ('qc_compliance',
    'qc_sscd', 'qc_type')"""
    from pyhanko.sign.ades import qualified_asn1 as qa
    items = []
    for name in statements:
        if name == 'qc_type':
            items.append(qa.QcStatement({
                        'statement_id': 'qc_type',
                        'statement_info': qa.QcCertificateType(['qct_esign']),
                        }))
        else:
            items.append(qa.QcStatement({'statement_id': name}))
    return qa.QcStatements(items).dump()


@dataclass
class Party:
    "A key and its certificate, with the chain up to (not with) the root"
    name: str
    key: object
    certificate: x509.Certificate
    chain: list = field(default_factory=list)

    @property
    def pem(self):
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def asn1(self):
        return asn1_x509.Certificate.load(
            self.certificate.public_bytes(serialization.Encoding.DER))


def _name(common_name, cnp=None, organization=None):
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, 'RO'),
        x509.NameAttribute(
            NameOID.ORGANIZATION_NAME, organization or 'Autoritate Test'),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    if cnp:
        # ETSI EN 319 412-1 semantics identifier: PNO + country + national id
        attributes.append(
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f'PNORO-{cnp}'))
    return x509.Name(attributes)


def _issue(name, issuer=None, ca=False, not_before=None, not_after=None,
        qualified=False, time_stamping=False, cnp=None, organization=None):
    # pyHanko's DummyTimeStamper signs with RSA only; EC keys elsewhere are
    # quicker to make
    key = (rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if time_stamping else ec.generate_private_key(ec.SECP256R1()))
    subject = _name(name, cnp=cnp, organization=organization)
    issuer_name = issuer.certificate.subject if issuer else subject
    signing_key = issuer.key if issuer else key
    builder = (x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or LONG_AGO)
        .not_valid_after(not_after or FAR)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(
                key.public_key()), critical=False)
        .add_extension(
            x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer.key.public_key()), critical=False)
    if ca:
        usage = dict(digital_signature=True, key_cert_sign=True,
            crl_sign=True, content_commitment=False)
    else:
        usage = dict(digital_signature=True, key_cert_sign=False,
            crl_sign=False, content_commitment=not time_stamping)
    builder = builder.add_extension(x509.KeyUsage(
            key_encipherment=False, data_encipherment=False,
            key_agreement=False, encipher_only=False, decipher_only=False,
            **usage), critical=True)
    if time_stamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    if qualified:
        builder = builder.add_extension(x509.UnrecognizedExtension(
                QC_STATEMENTS,
                qc_statements('qc_compliance', 'qc_sscd', 'qc_type')),
            critical=False)
    certificate = builder.sign(signing_key, hashes.SHA256())
    return Party(name, key, certificate)


class TestPKI:
    "The authorities and signers of the tests (see the module docstring)"

    def __init__(self):
        self.root = _issue("Test Root CA", ca=True)
        self.intermediate = _issue("Test Issuing CA", issuer=self.root,
            ca=True)
        self.tsa = _issue("Test TSA", issuer=self.root, time_stamping=True)
        self.qualified = self.person("Popescu Ion", CNP[0])
        self.advanced = self.person(
            "Ionescu Maria", CNP[1], qualified=False)
        self.expired = self.person("Vasilescu Dan", CNP[2],
            not_before=LONG_AGO, not_after=dt.datetime(
                2021, 1, 1, tzinfo=dt.timezone.utc))
        self.municipality = self.person(
            "Comuna Florești", organization="Comuna Florești")
        self.untrusted_root = _issue("Alt Root CA", ca=True)
        self.untrusted_signer = _issue(
            "Georgescu Ana", issuer=self.untrusted_root,
            cnp=CNP[1], qualified=True)

    def person(self, name, cnp=None, qualified=True, not_before=None,
            not_after=None, organization=None):
        "A new signer issued by the intermediate CA"
        party = _issue(name, issuer=self.intermediate, cnp=cnp,
            qualified=qualified, not_before=not_before, not_after=not_after,
            organization=organization)
        party.chain = [self.intermediate.certificate]
        return party

    @property
    def roots_pem(self):
        "The trusted roots, as the administrator pastes them (PEM)"
        return self.root.pem.decode()

    def pkcs12(self, party, passphrase=b'secret'):
        "The PKCS#12 file of party (key, certificate and chain)"
        return pyca_pkcs12.serialize_key_and_certificates(
            party.name.encode(), party.key, party.certificate,
            party.chain or None,
            serialization.BestAvailableEncryption(passphrase)
            if passphrase else serialization.NoEncryption())

    def write(self, directory):
        "Write every certificate (PEM) and signer (PKCS#12) into directory"
        os.makedirs(directory, exist_ok=True)
        for name in ['root', 'intermediate', 'tsa', 'qualified', 'advanced',
                'expired', 'municipality', 'untrusted_root',
                'untrusted_signer']:
            party = getattr(self, name)
            with open(os.path.join(directory, f'{name}.pem'), 'wb') as f:
                f.write(party.pem)
            if not party.certificate.extensions.get_extension_for_class(
                    x509.BasicConstraints).value.ca:
                with open(os.path.join(directory, f'{name}.p12'), 'wb') as f:
                    f.write(self.pkcs12(party))
        return directory


def build_pki(directory=None):
    """A new test PKI; written (certificates and PKCS#12 files with
    passphrase 'secret') into directory when given ('' → a new temporary
    directory, returned as pki.directory)"""
    pki = TestPKI()
    pki.directory = None
    if directory is not None:
        pki.directory = pki.write(directory or tempfile.mkdtemp(
                prefix='openprimarie-pki-'))
    return pki


def make_pdf(text="Cerere"):
    "A small valid one-page PDF showing text (ASCII)"
    from trytond.modules.document_registry.tests.tools import make_pdf
    return make_pdf(text)


def _signer(party):
    from pyhanko.sign import signers
    data = pyca_pkcs12.serialize_key_and_certificates(
        b'signer', party.key, party.certificate, party.chain or None,
        serialization.NoEncryption())
    return signers.SimpleSigner.load_pkcs12_data(data, [], None)


def sign(data, party, tsa_url=None, reason=None, field_name=None):
    """data (a PDF) signed by party as PAdES, time-stamped by tsa_url when
    given; pyHanko only, independent of the module's code"""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps.requests_client import (
        RequestsHTTPTimeStamper)
    from pyhanko.pdf_utils.reader import PdfFileReader
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    existing = len(reader.embedded_signatures)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name or f'Semnatura{existing + 1}',
        md_algorithm='sha256', subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason)
    out = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data), strict=False), meta,
        signer=_signer(party), output=out,
        timestamper=RequestsHTTPTimeStamper(tsa_url) if tsa_url else None)
    return out.getvalue()


def signed_pdf(pki, name="Popescu Ion", cnp=CNP[0], qualified=True,
        data=None, tsa_url=None, text=None):
    """A PDF (data, or a new one showing text) signed by a new signer of
    pki named name with that CNP, qualified (QcStatements) or not"""
    party = pki.person(name, cnp, qualified=qualified)
    if data is None:
        data = make_pdf(text or f"Formular semnat de {_ascii(name)}")
    return sign(data, party, tsa_url=tsa_url)


def _ascii(text):
    import unicodedata
    return unicodedata.normalize('NFKD', text).encode(
        'ascii', 'ignore').decode()


class TimeStampServer:
    """A real RFC 3161 time-stamping server on 127.0.0.1 (HTTP POST of a
    TimeStampReq, answers application/timestamp-reply), signing with the
    PKI's TSA; at fixed_dt when given.  Use as a context manager or
    start()/stop(); the URL is .url"""

    def __init__(self, pki, fixed_dt=None):
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
        from pyhanko.keys import load_private_key_from_pemder_data
        key = pki.tsa.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        self.stamper = DummyTimeStamper(
            tsa_cert=pki.tsa.asn1,
            tsa_key=load_private_key_from_pemder_data(key, None),
            certs_to_embed=[pki.root.asn1], fixed_dt=fixed_dt)
        self.requests = 0
        self.server = None
        self.thread = None

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f'http://{host}:{port}/tsa'

    def start(self):
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length)
                try:
                    request = tsp.TimeStampReq.load(body)
                    request.native   # parse everything now
                    response = owner.stamper.request_tsa_response(
                        request).dump()
                except (ValueError, TypeError):
                    self.send_error(400)
                    return
                except Exception:
                    self.send_error(500)
                    raise
                owner.requests += 1
                self.send_response(200)
                self.send_header(
                    'Content-Type', 'application/timestamp-reply')
                self.send_header('Content-Length', str(len(response)))
                self.end_headers()
                self.wfile.write(response)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()
            self.server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
