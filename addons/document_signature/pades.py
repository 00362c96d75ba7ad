# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""PAdES signing and verification with pyHanko, without the ORM.

Signatures are PAdES baseline (SubFilter ETSI.CAdES.detached, SHA-256), with
an RFC 3161 time stamp when a time-stamping service is given (B-T) and the
validation data embedded when the chain is known (B-LT).  Verification reads
only what the file holds plus the trusted roots: no network unless
allow_fetching (revocation is soft-fail, see results' notes).
"""
import datetime as dt
import hashlib
import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

STATUSES = ['valid', 'invalid', 'tampered', 'expired', 'untrusted',
    'unsigned']
LEVELS = ['qes', 'ades', 'ses']
# ETSI EN 319 412-1 §5.1.3: PNO + country + '-' + national identifier
CNP_SERIAL = re.compile(r'^(?:PNORO-?)?([1-9]\d{12})$')
TSA_TIMEOUT = 10


class SignatureError(Exception):
    "Signing failed: args = (reason, detail)"


@dataclass
class Result:
    "What verification found about one signature"
    status: str
    level: str | None = None
    field_name: str | None = None
    signer_name: str | None = None
    signer_serial: str | None = None
    signer_cnp: str | None = None
    signer_organization: str | None = None
    issuer: str | None = None
    certificate_valid_to: dt.datetime | None = None
    signing_time: dt.datetime | None = None
    time_stamped: bool = False
    timestamp_time: dt.datetime | None = None
    qualified: bool = False
    qscd: bool = False
    seal: bool = False
    validated_at_timestamp: bool = False
    problem: str | None = None
    details: str = ''
    notes: list = field(default_factory=list)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def ascii_text(text):
    "text without diacritics (the stamp's standard font is Latin-1 only)"
    return unicodedata.normalize('NFKD', text or '').encode(
        'ascii', 'ignore').decode()


def naive_utc(value):
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


# Certificates

def load_signer(pkcs12, passphrase):
    "A pyHanko signer from a PKCS#12 file; ValueError when it cannot be read"
    from pyhanko.sign import signers
    if not pkcs12:
        raise ValueError("empty PKCS#12")
    password = passphrase.encode('utf-8') if passphrase else None
    return signers.SimpleSigner.load_pkcs12_data(
        bytes(pkcs12), [], passphrase=password)


def describe(certificate):
    "The administrator-facing data of an asn1crypto certificate"
    return {
        'subject': certificate.subject.human_friendly,
        'issuer': certificate.issuer.human_friendly,
        'serial_number': format(certificate.serial_number, 'X'),
        'valid_from': naive_utc(certificate.not_valid_before),
        'valid_to': naive_utc(certificate.not_valid_after),
        }


def load_roots(pem_text):
    """The certificates of a PEM text (one or more); ValueError when it
    holds none or a broken one"""
    from asn1crypto import pem, x509
    data = (pem_text or '').encode('utf-8')
    if not pem.detect(data):
        raise ValueError("no PEM certificate")
    roots = []
    for type_name, _, der in pem.unarmor(data, multiple=True):
        if type_name != 'CERTIFICATE':
            continue
        certificate = x509.Certificate.load(der)
        certificate.native      # parses everything: broken → ValueError
        roots.append(certificate)
    if not roots:
        raise ValueError("no PEM certificate")
    return roots


def qc_flags(certificate):
    "(qualified, qscd, seal) read from the QcStatements of certificate"
    from pyhanko.sign.ades import qualified_asn1
    qualified = qscd = seal = False
    try:
        statements = qualified_asn1.get_qc_statements(certificate)
        for statement in statements:
            name = statement['statement_id'].native
            if name == 'qc_compliance':
                qualified = True
            elif name == 'qc_sscd':
                qscd = True
            elif name == 'qc_type':
                types = statement['statement_info'].native or []
                seal = 'qct_eseal' in types
    except (ValueError, TypeError, KeyError):
        logger.warning("unreadable QcStatements", exc_info=True)
    return qualified, qscd, seal


def subject_fields(certificate):
    "name, serial number, CNP and organisation of a certificate's subject"
    subject = certificate.subject.native
    serial = subject.get('serial_number')
    match = CNP_SERIAL.match(serial or '')
    cnp = match.group(1) if match and _cnp_ok(match.group(1)) else None
    name = subject.get('common_name') or ' '.join(filter(None, [
                subject.get('surname'), subject.get('given_name')]))
    return {
        'signer_name': name or certificate.subject.human_friendly,
        'signer_serial': serial,
        'signer_cnp': cnp,
        'signer_organization': subject.get('organization_name'),
        }


def _cnp_ok(cnp):
    from stdnum.ro import cnp as stdnum_cnp
    return stdnum_cnp.is_valid(cnp)


# Signing

def sign(data, signer, reason=None, location=None, tsa_url=None,
        roots=None, qr_url=None, stamp_text=None, stamp_params=None,
        field_name=None, allow_fetching=True):
    """data (a PDF) signed by signer (see load_signer) as PAdES.

    tsa_url: RFC 3161 service, the signature is time-stamped;
    roots: trusted roots, when the chain validates against them its
    validation data is embedded (B-LT); qr_url: a visible stamp with a QR
    code of the URL in the bottom area of the first page, showing
    stamp_text % stamp_params (plus 'url' and 'ts').
    Raises SignatureError."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.timestamps import TimestampRequestError
    from pyhanko.sign.timestamps.requests_client import (
        RequestsHTTPTimeStamper)
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.errors import PathValidationError

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        count = len(writer.prev.embedded_signatures)
    except (PdfError, ValueError, TypeError) as exception:
        raise SignatureError('pdf', str(exception)) from exception
    field_name = field_name or f'Semnatura{count + 1}'
    context = None
    if roots:
        context = ValidationContext(
            trust_roots=list(roots),
            other_certs=list(signer.cert_registry),
            allow_fetching=allow_fetching)
    timestamper = (RequestsHTTPTimeStamper(tsa_url, timeout=TSA_TIMEOUT)
        if tsa_url else None)
    try:
        try:
            return _sign(data, signer, field_name, reason, location,
                timestamper, context, qr_url, stamp_text, stamp_params)
        except SigningError as exception:
            if context is None:
                raise
            # the chain does not validate against the trusted roots: the
            # signature is made without the embedded validation data
            logger.warning("signing without validation data: %s", exception)
            return _sign(data, signer, field_name, reason, location,
                timestamper, None, qr_url, stamp_text, stamp_params)
    except TimestampRequestError as exception:
        raise SignatureError('tsa', str(exception)) from exception
    except PathValidationError as exception:
        raise SignatureError('chain', str(exception)) from exception
    except (PdfError, ValueError) as exception:
        raise SignatureError('pdf', str(exception)) from exception


def _sign(data, signer, field_name, reason, location, timestamper,
        context, qr_url, stamp_text, stamp_params):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm='sha256',
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None, location=location or None,
        validation_context=context,
        embed_validation_info=context is not None)
    stamp_style = field_spec = params = None
    if qr_url:
        stamp_style, field_spec = _qr_stamp(
            writer, field_name, stamp_text)
        params = {
            key: ascii_text(value)
            for key, value in (stamp_params or {}).items()}
        params['url'] = qr_url
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, timestamper=timestamper,
        stamp_style=stamp_style, new_field_spec=field_spec)
    out = io.BytesIO()
    pdf_signer.sign_pdf(
        writer, output=out, appearance_text_params=params)
    return out.getvalue()


STAMP_TEXT = ("Semnat electronic: %(signer)s\n"
    "Data: %(ts)s\nVerificare: %(url)s")
STAMP_WIDTH, STAMP_HEIGHT, MARGIN = 300, 60, 24


def _qr_stamp(writer, field_name, stamp_text=None):
    "The QR stamp style and its field at the bottom of the first page"
    from pyhanko.sign import fields
    from pyhanko.stamp import QRStampStyle
    from pyhanko.pdf_utils.text import TextBoxStyle
    width = 595
    try:
        page = writer.root['/Pages']['/Kids'][0].get_object()
        box = page.get('/MediaBox') or writer.root['/Pages']['/MediaBox']
        width = float(box[2]) - float(box[0])
    except (KeyError, IndexError, TypeError, ValueError):
        pass
    left = max(MARGIN, width - MARGIN - STAMP_WIDTH)
    style = QRStampStyle(
        stamp_text=stamp_text or STAMP_TEXT,
        text_box_style=TextBoxStyle(font_size=7),
        border_width=1, timestamp_format='%d.%m.%Y %H:%M:%S %Z')
    spec = fields.SigFieldSpec(
        sig_field_name=field_name, on_page=0,
        box=(int(left), MARGIN, int(left + STAMP_WIDTH),
            MARGIN + STAMP_HEIGHT))
    return style, spec


# Verification

def signature_count(data):
    "The number of signatures of a PDF (0 when it cannot be read)"
    from pyhanko.pdf_utils.reader import PdfFileReader
    try:
        return len(PdfFileReader(
                io.BytesIO(data), strict=False).embedded_signatures)
    except Exception:
        logger.debug("unreadable PDF", exc_info=True)
        return 0


def verify(data, roots=(), allow_fetching=False, now=None):
    """One Result per signature of data (a PDF), against the trusted roots;
    [] when it has none.  A file pyHanko cannot read → one 'invalid'."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exception:
        return [Result(status='invalid', problem='unreadable',
                details=str(exception))]
    dss = _dss(reader)
    return [_verify_one(signature, roots, dss, allow_fetching, now)
        for signature in signatures]


def _dss(reader):
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    try:
        if '/DSS' in reader.root:
            return DocumentSecurityStore.read_dss(reader)
    except Exception:
        logger.warning("unreadable DSS", exc_info=True)


def _context(roots, dss, allow_fetching, moment=None):
    from pyhanko_certvalidator import ValidationContext
    kwargs = {
        'trust_roots': list(roots),
        'allow_fetching': allow_fetching,
        'revocation_mode': 'soft-fail',
        }
    if moment is not None:
        kwargs['moment'] = moment
    if dss is not None:
        return dss.as_validation_context(kwargs)
    return ValidationContext(**kwargs)


def _validate(signature, roots, dss, allow_fetching, moment=None):
    from pyhanko.sign.validation import validate_pdf_signature
    return validate_pdf_signature(
        signature,
        signer_validation_context=_context(
            roots, dss, allow_fetching, moment),
        ts_validation_context=_context(roots, dss, allow_fetching))


def _verify_one(signature, roots, dss, allow_fetching, now):
    from pyhanko.sign.ades.report import AdESIndeterminate
    result = Result(status='invalid', field_name=signature.field_name)
    try:
        certificate = signature.signer_cert
        result.__dict__.update(subject_fields(certificate))
        result.issuer = certificate.issuer.human_friendly
        result.certificate_valid_to = naive_utc(
            certificate.not_valid_after)
        result.qualified, result.qscd, result.seal = qc_flags(certificate)
    except Exception as exception:
        result.problem = 'unreadable'
        result.details = str(exception)
        return result
    try:
        status = _validate(signature, roots, dss, allow_fetching, now)
    except Exception as exception:
        logger.info("signature validation failed", exc_info=True)
        result.problem = 'unreadable'
        result.details = str(exception)
        return result
    timestamp = status.timestamp_validity
    result.time_stamped = timestamp is not None
    if timestamp is not None and timestamp.intact and timestamp.valid:
        result.timestamp_time = naive_utc(timestamp.timestamp)
    result.signing_time = result.timestamp_time or naive_utc(
        status.signer_reported_dt)
    out_of_bounds = {
        AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
        AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
        AdESIndeterminate.EXPIRED, AdESIndeterminate.NOT_YET_VALID,
        }
    if (status.intact and status.valid and not status.trusted
            and status.trust_problem_indic in out_of_bounds
            and timestamp is not None and timestamp.trusted):
        # Legea 214/2024: validity is judged at the moment of signing,
        # which the trusted time stamp proves
        status = _validate(signature, roots, dss, allow_fetching,
            timestamp.timestamp)
        result.validated_at_timestamp = bool(status.trusted)
    result.details = _details(status)
    result.status, result.problem = _classify(status, out_of_bounds)
    if timestamp is not None and not (timestamp.intact and timestamp.valid):
        result.notes.append('timestamp_invalid')
    elif timestamp is not None and not timestamp.trusted:
        result.notes.append('timestamp_untrusted')
    if result.status == 'valid':
        result.level = 'qes' if result.qualified else 'ades'
        if result.qualified and not result.qscd:
            result.notes.append('no_qscd')
    elif result.status == 'untrusted':
        result.level = 'ses'
    return result


def _classify(status, out_of_bounds):
    "(status, problem) of a pyHanko PdfSignatureStatus"
    from pyhanko.sign.ades.report import AdESIndeterminate
    if not status.intact:
        return 'tampered', 'digest'
    if not status.valid:
        return 'invalid', 'signature'
    if status.docmdp_ok is False:
        return 'tampered', 'modified'
    if not status.trusted:
        if getattr(status, 'revoked', False):
            return 'invalid', 'revoked'
        if status.trust_problem_indic in out_of_bounds:
            return 'expired', 'expired'
        if status.trust_problem_indic in {
                AdESIndeterminate.REVOKED_NO_POE,
                AdESIndeterminate.REVOKED_CA_NO_POE}:
            return 'invalid', 'revoked'
        return 'untrusted', 'chain'
    return 'valid', None


def _details(status):
    try:
        return status.pretty_print_details()
    except Exception:
        return status.summary()
