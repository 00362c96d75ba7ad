# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Everything specific to the Ghișeul.ro institution contract.

The official ADR specification for institutions is distributed with the
convention and is not public: this
adapter speaks the contract of wsdl/ghiseul.wsdl, authored by OpenPrimărie
from the flows inferred there.  To plug the official specification, write
another Adapter with the same methods (README.rst, "The adapter contract")
and name it in ADAPTER: the models, the route and the tests of the flows
use nothing else.

Calls out use zeep with XML-safe settings (no DTD, no entities, no network), explicit
timeouts and retries with exponential back-off on transport errors; calls
in are parsed with soap.parse (no DTD, no entity, no network, size-limited)
and validated against the XSD."""
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from . import soap

logger = logging.getLogger(__name__)

NS = 'urn:openprimarie:ghiseul:1'
GHISEUL_BINDING = f'{{{NS}}}GhiseulBinding'
TIMEZONE = ZoneInfo('Europe/Bucharest')
ZEEP_SETTINGS = zeep.Settings(
    strict=True, forbid_dtd=True, forbid_entities=True,
    forbid_external=True, xml_huge_tree=False)

# Cod de venit bugetar of each kind of local revenue (clasificația
# indicatorilor privind finanțele publice, local budgets), by the person
# type of the taxpayer.  To verify against the classification in force and
# the codes the municipality's convention lists; 'other' is a fallback.
BUDGET_CODES = {
    ('building', 'natural'): '07.02.01.01',
    ('building', 'legal'): '07.02.01.02',
    ('land', 'natural'): '07.02.02.01',
    ('land', 'legal'): '07.02.02.02',
    ('vehicle', 'natural'): '16.02.02.01',
    ('vehicle', 'legal'): '16.02.02.02',
    ('fine', None): '35.02.01.02',
    ('fee', None): '16.02.50',
    ('other', None): '36.02.50',
    }
# Ghișeul.ro's statuses and the transaction states they lead to
STATUSES = {
    'pending': 'pending',
    'paid': 'paid',
    'declined': 'failed',
    'cancelled': 'cancelled',
    'unknown': 'pending',
    }


class AdapterError(Exception):
    """A call out failed: kind is 'transport' (no answer after the
    retries), 'fault' (Ghișeul.ro refused it) or 'refused' (an answer we
    do not accept: malformed, with a DTD, off the contract)"""

    def __init__(self, kind, text):
        super().__init__(text)
        self.kind = kind
        self.text = text


@dataclass
class PaymentStatus:
    external_id: str
    status: str
    reference: str = None
    fiscal_code: str = None
    payer_name: str = None
    amount: Decimal = None
    paid_at: dt.datetime = None

    @property
    def state(self):
        return STATUSES.get(self.status, 'pending')


@dataclass
class SettlementItem:
    external_id: str
    amount: Decimal
    paid_at: dt.datetime
    fiscal_code: str = None
    reference: str = None
    commission: Decimal = None


@dataclass
class Inbound:
    """A message of Ghișeul.ro: operation is 'lookup' or 'notify'"""
    operation: str
    institution_code: str
    credentials: tuple
    data: dict = field(default_factory=dict)


def utc(value):
    "A date-time as naive UTC (Tryton's convention); naive means Bucharest"
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=TIMEZONE)
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


def local_date(value):
    "The date in Bucharest of a naive UTC date-time"
    return value.replace(tzinfo=dt.timezone.utc).astimezone(TIMEZONE).date()


def money(value):
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError):
        raise soap.SoapError(f"Not an amount: {value!r}")
    if amount != amount.quantize(Decimal('0.01')):
        raise soap.SoapError(f"Not an amount in lei and bani: {value!r}")
    return amount


_clients = threading.local()


def _client(timeout, username, password):
    """A zeep client of the WSDL shipped with the module (the WSDL is
    never fetched from the peer), per thread (its history is the thread's
    last exchange), timeout and credentials"""
    cache = _clients.__dict__.setdefault('cache', {})
    key = (timeout, username, password)
    if key not in cache:
        if len(cache) > 8:
            cache.clear()
        history = HistoryPlugin(maxlen=1)
        transport = Transport(timeout=timeout, operation_timeout=timeout)
        client = zeep.Client(
            str(soap.WSDL_PATH), settings=ZEEP_SETTINGS,
            transport=transport, wsse=UsernameToken(username, password),
            plugins=[history])
        cache[key] = client, history
    return cache[key]


class Adapter:
    "The OpenPrimărie Ghișeul.ro contract (wsdl/ghiseul.wsdl)"
    name = 'openprimarie-1'

    def __init__(self, configuration, log=None):
        self.configuration = configuration
        self.log = log or (lambda **kwargs: None)

    # Calls out: institution → Ghișeul.ro

    def initiate(self, reference, fiscal_code, amount, return_url,
            description, payer_name=None, items=()):
        "Start a card payment: (transaction id, card page URL)"
        result = self._call('InitiatePayment', reference,
            orderId=reference, fiscalCode=fiscal_code, payerName=payer_name,
            amount=amount, description=description[:512],
            returnUrl=return_url,
            item=[{'obligationId': str(i['obligation']),
                    'budgetCode': i['budget_code'],
                    'amount': i['amount']} for i in items])
        return result.transactionId, result.redirectUrl

    def status(self, external_id, reference=None):
        result = self._call('GetPaymentStatus', reference,
            transactionId=external_id)
        return PaymentStatus(
            external_id=result.transactionId, status=result.status,
            reference=result.orderId, fiscal_code=result.fiscalCode,
            payer_name=result.payerName,
            amount=(Decimal(result.amount)
                if result.amount is not None else None),
            paid_at=utc(result.paidAt))

    def settlement(self, date):
        result = self._call('GetSettlement', None, date=date)
        return [SettlementItem(
                external_id=line.transactionId,
                amount=Decimal(line.amount),
                paid_at=utc(line.paidAt), fiscal_code=line.fiscalCode,
                reference=line.orderId,
                commission=(Decimal(line.commission)
                    if line.commission is not None else None))
            for line in result.line or []]

    def _call(self, operation, reference, **values):
        """Call the operation, retrying transport errors with exponential
        back-off; every attempt is logged"""
        configuration = self.configuration
        client, history = _client(float(configuration.timeout),
            configuration.out_username, configuration.out_password)
        service = client.create_service(
            GHISEUL_BINDING, configuration.endpoint_url)
        values = {k: v for k, v in values.items() if v not in (None, [])}
        values['institutionCode'] = configuration.institution_code
        delay = float(configuration.backoff)
        for attempt in range(configuration.retries + 1):
            start = time.monotonic()
            try:
                result = getattr(service, operation)(**values)
            except (requests.ConnectionError, requests.Timeout,
                    zeep.exceptions.TransportError) as exception:
                error = AdapterError('transport', _describe(exception))
                if (isinstance(exception, zeep.exceptions.TransportError)
                        and exception.status_code < 500):
                    error.kind = 'refused'
            except zeep.exceptions.Fault as exception:
                error = AdapterError('fault', exception.message or '')
            except (zeep.exceptions.Error, etree.LxmlError, ValueError,
                    AttributeError, TypeError) as exception:
                error = AdapterError('refused', _describe(exception))
            else:
                self._log(operation, 'done', start, history, reference)
                return result
            self._log(operation, 'error', start, history, reference,
                error=f'{error.kind}: {error.text}')
            if error.kind != 'transport' or attempt >= configuration.retries:
                raise error
            time.sleep(delay)
            delay *= 2

    def _log(self, operation, status, start, history, reference,
            error=None):
        sent = received = None
        if history.last_sent:
            sent = etree.tostring(history.last_sent['envelope'])
        if history.last_received:
            received = etree.tostring(history.last_received['envelope'])
        history._buffer.clear()
        self.log(operation=operation, direction='out', status=status,
            duration=time.monotonic() - start, request=sent,
            response=received, error=error, reference=reference)

    # Calls in: Ghișeul.ro → institution

    OPERATIONS = {
        'GetObligationsRequest': 'lookup',
        'NotifyPaymentRequest': 'notify',
        }

    @classmethod
    def read(cls, data):
        """The operation, institution, credentials and data of a message
        of Ghișeul.ro (soap.SoapError when refused)"""
        envelope = soap.parse(data)
        body = soap.body_of(envelope)
        name = etree.QName(body)
        if name.namespace != NS or name.localname not in cls.OPERATIONS:
            raise soap.SoapError(f"Unknown operation {name.localname}.")
        soap.validate(body)
        values = soap.values(body, NS)
        operation = cls.OPERATIONS[name.localname]
        inbound = Inbound(operation, values['institutionCode'],
            soap.credentials(envelope))
        getattr(cls, f'_read_{operation}')(body, values, inbound.data)
        return inbound

    @classmethod
    def _read_lookup(cls, body, values, data):
        data['fiscal_code'] = values['fiscalCode']
        if values.get('date'):
            data['date'] = dt.date.fromisoformat(values['date'])

    @classmethod
    def _read_notify(cls, body, values, data):
        data['external_id'] = values['transactionId']
        data['reference'] = values.get('orderId') or None
        data['fiscal_code'] = values['fiscalCode']
        data['payer_name'] = values.get('payerName') or None
        data['amount'] = money(values['amount'])
        data['paid_at'] = utc(dt.datetime.fromisoformat(values['paidAt']))
        items = []
        for item in body.iterfind(f'{{{NS}}}item'):
            item_values = soap.values(item, NS)
            items.append({
                    'obligation': item_values.get('obligationId'),
                    'budget_code': item_values.get('budgetCode'),
                    'amount': money(item_values['amount']),
                    })
        data['items'] = items

    @classmethod
    def lookup_response(cls, date, taxpayer_name=None, payable=None):
        "The answer to a lookup: the payable lines, nothing when not found"
        lines = payable.lines if payable else []
        zero = Decimal('0.00')
        obligations = [soap.element(NS, 'obligation',
                obligationId=line.obligation.id,
                budgetCode=cls.budget_code(line.obligation),
                description=line.obligation.description[:512],
                fiscalYear=line.obligation.fiscal_year,
                dueDate=line.obligation.due_date,
                amount=line.balance, surcharge=line.surcharge,
                bonification=line.bonification, total=line.total)
            for line in lines]
        # the order of the schema: found, name, date, lines, totals
        response = soap.element(NS, 'GetObligationsResponse',
            found=payable is not None, taxpayerName=taxpayer_name, date=date)
        for obligation in obligations:
            response.append(obligation)
        for key, value in [
                ('total', payable.total if payable else zero),
                ('bonification', payable.bonification if payable else zero),
                ('toPay', payable.to_pay if payable else zero)]:
            response.append(soap.element(NS, key))
            response[-1].text = soap.text_of(value)
        return soap.envelope(response)

    @classmethod
    def notify_response(cls, external_id, receipt_number=None):
        return soap.envelope(soap.element(NS, 'NotifyPaymentResponse',
                transactionId=external_id, accepted=True,
                receiptNumber=receipt_number))

    @classmethod
    def budget_code(cls, obligation):
        "The budget revenue code of an obligation (of its principal)"
        if obligation.tax_type == 'surcharge' and obligation.principal:
            obligation = obligation.principal
        person_type = getattr(obligation.taxpayer, 'person_type', None)
        return (BUDGET_CODES.get((obligation.tax_type, person_type))
            or BUDGET_CODES.get((obligation.tax_type, None))
            or BUDGET_CODES[('other', None)])

    @classmethod
    def wsdl(cls, address):
        "The WSDL served at our endpoint, with its address"
        return soap.wsdl('InstitutionPort', address)


def _describe(exception):
    return f'{type(exception).__name__}: {exception}'[:1000]


# The adapter the module uses
ADAPTER = Adapter
