# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The SOAP endpoint Ghișeul.ro calls: /<database>/ghiseul/soap.

GET ?wsdl returns the WSDL (schema inlined, our address), POST a SOAP 1.1
message: an obligation lookup or a payment notification, authenticated by
the WS-Security UsernameToken of the institution named in the message.
A refused or failed message is answered with a SOAP fault after the work
done for it is rolled back; every message is logged (masked)."""
import datetime as dt
import logging
import time

from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.protocols.wrappers import (
    HTTPStatus, Response, abort, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from . import soap
from .adapter import ADAPTER, TIMEZONE

logger = logging.getLogger(__name__)
XML = 'text/xml; charset=utf-8'


@app.route('/<database_name>/ghiseul/soap', methods={'GET', 'POST'})
@with_pool
@with_transaction()
def endpoint(request, pool):
    if request.method == 'GET':
        if 'wsdl' in request.args:
            return Response(ADAPTER.wsdl(request.base_url), content_type=XML)
        abort(HTTPStatus.NOT_FOUND)
    if (request.content_length or 0) > soap.MAX_SIZE:
        return _refused(pool, None, b'', soap.SoapError(
                "The message is too large.", http_status=413), time.monotonic())
    data = request.stream.read(soap.MAX_SIZE + 1)
    return handle(pool, data)


def handle(pool, data):
    "Answer a message of Ghișeul.ro: (HTTP status, envelope) as a Response"
    Configuration = pool.get('ghiseul.configuration')
    start = time.monotonic()
    try:
        inbound = ADAPTER.read(data)
    except soap.SoapError as exception:
        return _refused(pool, None, data, exception, start)
    configuration = Configuration.for_institution(inbound.institution_code)
    if (not configuration
            or not configuration.check_credentials(inbound.credentials)):
        logger.warning("Ghișeul.ro message refused: bad credentials")
        return _refused(pool, configuration, data, soap.SoapError(
                "Authentication failed."), start, operation=inbound.operation)
    company = configuration.company
    try:
        with Transaction().set_context(company=company.id):
            body, reference = globals()[f'_{inbound.operation}'](
                pool, company, inbound.data)
    except (UserError, ValidationError, soap.SoapError) as exception:
        Transaction().rollback()
        text = getattr(exception, 'message', None) or str(exception)
        return _refused(pool, configuration, data, soap.SoapError(
                text, code='Server' if isinstance(exception, UserError)
                else 'Client'), start, operation=inbound.operation,
            reference=inbound.data.get('external_id'))
    pool.get('ghiseul.message').log(company, inbound.operation, 'in',
        'done', duration=time.monotonic() - start, request=data,
        response=body, reference=reference)
    return Response(body, content_type=XML)


def _lookup(pool, company, data):
    Transaction_ = pool.get('ghiseul.transaction')
    date = data.get('date') or dt.datetime.now(TIMEZONE).date()
    taxpayer, payable = Transaction_.lookup(
        company, data['fiscal_code'], date)
    return ADAPTER.lookup_response(date,
        taxpayer.name if taxpayer else None, payable), None


def _notify(pool, company, data):
    Transaction_ = pool.get('ghiseul.transaction')
    transaction = Transaction_.confirm(company, data['external_id'],
        data['amount'], data['paid_at'], fiscal_code=data['fiscal_code'],
        payer_name=data['payer_name'], reference=data['reference'],
        items=data['items'])
    receipt = transaction.receipt
    return ADAPTER.notify_response(transaction.external_id,
        receipt.rec_name if receipt else None), transaction.external_id


def _refused(pool, configuration, data, exception, start, operation=None,
        reference=None):
    pool.get('ghiseul.message').log(
        configuration.company if configuration else None,
        operation or 'unknown', 'in', 'refused',
        duration=time.monotonic() - start, request=data[:soap.MAX_SIZE],
        error=exception.text, reference=reference)
    return Response(soap.fault(exception.text, exception.code),
        status=exception.http_status, content_type=XML)
