# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""SOAP 1.1 plumbing shared by our endpoint and the emulator: safe XML
parsing (no DTD, no entity, no network, size-limited), envelopes and
faults, the WS-Security UsernameToken, validation against the XSD and the
masking of what must never reach a log (card numbers, CNP, passwords).

Nothing here is specific to the Ghișeul.ro contract: that is adapter.py."""
import hmac
import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

WSDL_DIR = Path(__file__).resolve().parent / 'wsdl'
WSDL_PATH = WSDL_DIR / 'ghiseul.wsdl'
XSD_PATH = WSDL_DIR / 'ghiseul.xsd'

SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/'
WSSE = ('http://docs.oasis-open.org/wss/2004/01/'
    'oasis-200401-wss-wssecurity-secext-1.0.xsd')
PASSWORD_TEXT = ('http://docs.oasis-open.org/wss/2004/01/'
    'oasis-200401-wss-username-token-profile-1.0#PasswordText')
# The largest message accepted in: a lookup answer of a taxpayer with
# hundreds of obligations stays far below
MAX_SIZE = 512 * 1024


class SoapError(Exception):
    """A message refused: code is the SOAP fault code ('Client' when the
    sender is at fault, 'Server' otherwise), text what the fault says"""

    def __init__(self, text, code='Client', http_status=500):
        super().__init__(text)
        self.text = text
        self.code = code
        self.http_status = http_status


def parser():
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False,
        dtd_validation=False, huge_tree=False, remove_comments=True,
        remove_pis=True, collect_ids=False)


def parse(data):
    """The root element of a message, refusing any DTD (so external
    entities and entity expansion), anything too large and anything not
    well-formed"""
    if not isinstance(data, bytes):
        raise SoapError("The message is not bytes.")
    if len(data) > MAX_SIZE:
        raise SoapError("The message is too large.", http_status=413)
    # a DTD is the only way to declare entities: refused before parsing
    if re.search(rb'<!\s*(DOCTYPE|ENTITY)', data, re.IGNORECASE):
        raise SoapError("A DTD is not accepted.")
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exception:
        raise SoapError(f"The message is not well-formed XML: {exception}")
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise SoapError("A DTD is not accepted.")
    return root


def body_of(envelope):
    "The first element of the SOAP body"
    if envelope.tag != f'{{{SOAP_ENV}}}Envelope':
        raise SoapError("The message is not a SOAP 1.1 envelope.")
    body = envelope.find(f'{{{SOAP_ENV}}}Body')
    if body is None or len(body) == 0:
        raise SoapError("The SOAP envelope has no body.")
    return body[0]


def credentials(envelope):
    "The (username, password) of the WS-Security UsernameToken, or None"
    token = envelope.find(
        f'{{{SOAP_ENV}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken')
    if token is None:
        return None
    username = token.findtext(f'{{{WSSE}}}Username')
    password = token.find(f'{{{WSSE}}}Password')
    if (username is None or password is None
            or password.get('Type', PASSWORD_TEXT) != PASSWORD_TEXT):
        return None
    return username.strip(), password.text or ''


def same(a, b):
    "Constant-time comparison of two strings"
    return hmac.compare_digest(
        (a or '').encode('utf-8'), (b or '').encode('utf-8'))


@lru_cache(maxsize=1)
def schema():
    with XSD_PATH.open('rb') as file:
        return etree.XMLSchema(etree.parse(file, parser()))


def validate(element):
    "Check the body element against the XSD"
    document = etree.ElementTree(_copy(element))
    if not schema().validate(document):
        error = schema().error_log.last_error
        raise SoapError(f"The message does not follow the schema: "
            f"{error.message if error else ''}")


def _copy(element):
    return etree.fromstring(etree.tostring(element), parser())


def wsdl(port, address):
    """The WSDL with the schema inlined (a client fetching it needs
    nothing else) and the address of the port"""
    wsdl_ns = '{http://schemas.xmlsoap.org/wsdl/}'
    root = etree.parse(str(WSDL_PATH), parser()).getroot()
    types = root.find(f'{wsdl_ns}types')
    for child in list(types):
        types.remove(child)
    types.append(etree.parse(str(XSD_PATH), parser()).getroot())
    for node in root.iter(f'{wsdl_ns}port'):
        if node.get('name') == port:
            node.find('{http://schemas.xmlsoap.org/wsdl/soap/}address').set(
                'location', address)
    return etree.tostring(root, xml_declaration=True, encoding='utf-8')


def envelope(body, username=None, password=None):
    "A SOAP envelope around the body element, with a UsernameToken if given"
    root = etree.Element(f'{{{SOAP_ENV}}}Envelope',
        nsmap={'soapenv': SOAP_ENV})
    if username is not None:
        header = etree.SubElement(root, f'{{{SOAP_ENV}}}Header')
        security = etree.SubElement(header, f'{{{WSSE}}}Security',
            nsmap={'wsse': WSSE})
        token = etree.SubElement(security, f'{{{WSSE}}}UsernameToken')
        etree.SubElement(token, f'{{{WSSE}}}Username').text = username
        etree.SubElement(token, f'{{{WSSE}}}Password',
            Type=PASSWORD_TEXT).text = password
    etree.SubElement(root, f'{{{SOAP_ENV}}}Body').append(body)
    return etree.tostring(root, xml_declaration=True, encoding='utf-8')


def fault(text, code='Client'):
    "A SOAP 1.1 fault envelope"
    element = etree.Element(f'{{{SOAP_ENV}}}Fault')
    etree.SubElement(element, 'faultcode').text = f'soapenv:{code}'
    etree.SubElement(element, 'faultstring').text = text
    return envelope(element)


def element(namespace, name, children=(), **values):
    """An element of the namespace with a child per value (None skipped,
    lists repeated) and the extra children given"""
    node = etree.Element(f'{{{namespace}}}{name}', nsmap={'g': namespace})
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            child = etree.SubElement(node, f'{{{namespace}}}{key}')
            child.text = text_of(item)
    for child in children:
        node.append(child)
    return node


def text_of(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if hasattr(value, 'isoformat'):
        return value.isoformat()
    return str(value)


def values(node, namespace):
    "The text of the direct children of node, by local name"
    result = {}
    for child in node:
        if not isinstance(child.tag, str) or len(child):
            continue
        name = etree.QName(child).localname
        result[name] = (child.text or '').strip()
    return result


# Masking: applied to every message before it is stored or logged

_PASSWORD = re.compile(
    r'(<(?:[\w-]+:)?Password\b[^>]*>)(.*?)(</(?:[\w-]+:)?Password>)', re.S)
# 12 to 19 digits, possibly grouped by spaces or dashes: a card number
_CARD = re.compile(r'(?<![\w.])(?:\d[ -]?){11,18}\d(?![\w.])')
# a CNP: 13 digits, the first 1 to 9
_CNP = re.compile(r'(?<!\d)([1-9])\d{9}(\d{3})(?!\d)')


def mask(text):
    """The text with passwords, CNPs and card numbers masked: a CNP keeps
    its first and last three digits, a card number nothing but its last
    four"""
    if text is None:
        return None
    if isinstance(text, bytes):
        text = text.decode('utf-8', 'replace')
    text = _PASSWORD.sub(r'\1***\3', text)
    text = _CNP.sub(lambda m: m.group(1) + '*' * 9 + m.group(2), text)

    def card(match):
        digits = re.sub(r'\D', '', match.group(0))
        return '*' * (len(digits) - 4) + digits[-4:]
    return _CARD.sub(card, text)
