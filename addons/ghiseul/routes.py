# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The SOAP endpoint Ghișeul.ro calls: /<database>/ghiseul/soap.

GET ?wsdl returns the WSDL (schema inlined, our address), POST a SOAP 1.1
message: an obligation lookup or a payment notification, authenticated by
the WS-Security UsernameToken of the institution named in the message.
A refused or failed message is answered with a SOAP fault after the work
done for it is rolled back; every message is logged (masked).  Each
message is answered in a transaction of its own, retried while a
concurrent one holds the taxpayer's lock, and never with an HTML page."""
import datetime as dt
import logging
import random
import time

from trytond import backend
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.protocols.wrappers import HTTPStatus, Response, abort, with_pool
from trytond.transaction import Transaction, TransactionError
from trytond.wsgi import app

from . import soap
from .adapter import ADAPTER, TIMEZONE
from .exceptions import ConfirmationParked

logger = logging.getLogger(__name__)
XML = 'text/xml; charset=utf-8'
# attempts at a message while the database refuses a lock (about 30 s)
RETRIES = 40


@app.route('/<database_name>/ghiseul/soap', methods={'GET', 'POST'})
@with_pool
def endpoint(request, pool):
    if request.method == 'GET':
        if 'wsdl' in request.args:
            return Response(ADAPTER.wsdl(request.base_url), content_type=XML)
        abort(HTTPStatus.NOT_FOUND)
    if (request.content_length or 0) > soap.MAX_SIZE:
        return Response(soap.fault("The message is too large."),
            status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE, content_type=XML)
    data = request.get_data()
    try:
        return in_transaction(pool, request, data)
    except Exception:
        # never an HTML error page: a fault, and Ghișeul.ro tries again
        logger.exception("Ghișeul.ro message not answered")
        return Response(soap.fault("Internal error: try again.", 'Server'),
            status=HTTPStatus.INTERNAL_SERVER_ERROR, content_type=XML)


def in_transaction(pool, request, data):
    """Answer in a transaction of its own, committed; restarted with the
    locks a lock asks for and retried, with back-off, while the database
    refuses a lock for now (concurrent notifications of one payment wait
    for the first one's booking instead of failing)"""
    extras = {}
    for attempt in range(RETRIES):
        try:
            with Transaction().start(pool.database_name, 0,
                    context={'_request': request.context},
                    **extras) as transaction:
                try:
                    response = handle(pool, data)
                except TransactionError as exception:
                    transaction.rollback()
                    exception.fix(extras)
                    continue
                transaction.commit()
                return response
        except backend.DatabaseOperationalError:
            time.sleep(min(0.05 * 2 ** attempt, 1) * random.uniform(0.5, 1))
    return Response(soap.fault("The server is busy: try again.", 'Server'),
        status=HTTPStatus.SERVICE_UNAVAILABLE, content_type=XML)


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
    except ConfirmationParked as exception:
        # refused, but the transaction stays parked for the clerk
        return _refused(pool, configuration, data, soap.SoapError(
                exception.message, code='Client'), start,
            operation=inbound.operation,
            reference=inbound.data.get('external_id'))
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
