# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A Ghișeul.ro emulator: a real SOAP server implementing GhiseulService of
wsdl/ghiseul.wsdl, a card page, and the notifications of the payments to
the institution's endpoint (InstitutionService) with retries and
exponential back-off.

Its state (payments, pending notifications) is a SQLite file: a restart on
the same file resumes the notifications not delivered.  No card data is
stored or logged: the card number, expiry, CVV and holder are checked and
forgotten; the log masks the CNPs.

Test cards: 4111 1111 1111 1111 is authorised, 4000 0000 0000 0002 (and any
other valid number) is declined.

Run it: python -m trytond.modules.ghiseul.emulator --help"""
import datetime as dt
import html
import json
import logging
import secrets
import sqlite3
import threading
import time
from decimal import Decimal
from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl
from zoneinfo import ZoneInfo

from lxml import etree
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from .. import soap

logger = logging.getLogger('ghiseul.emulator')

NS = 'urn:openprimarie:ghiseul:1'
TIMEZONE = ZoneInfo('Europe/Bucharest')
XML = 'text/xml; charset=utf-8'
CARD_PAID = '4111111111111111'
CARD_DECLINED = '4000000000000002'
SCHEMA = '''
CREATE TABLE IF NOT EXISTS payment (
    transaction_id TEXT PRIMARY KEY,
    institution TEXT NOT NULL,
    order_id TEXT NOT NULL,
    fiscal_code TEXT NOT NULL,
    payer_name TEXT,
    amount TEXT NOT NULL,
    description TEXT,
    return_url TEXT NOT NULL,
    items TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    paid_at TEXT,
    UNIQUE (institution, order_id)
);
CREATE TABLE IF NOT EXISTS notification (
    transaction_id TEXT PRIMARY KEY REFERENCES payment,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    delivered_at TEXT,
    last_error TEXT
);
'''


def now():
    return dt.datetime.now(TIMEZONE).replace(microsecond=0)


def luhn(number):
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def commission(amount):
    "The partner bank's fee: 1 %, at most 30 lei (the emulator's assumption)"
    return min((amount / 100).quantize(Decimal('0.01')), Decimal('30.00'))


class State:
    "The emulator's payments and notifications, in a SQLite file"

    def __init__(self, path):
        self.path = str(path)
        self.lock = threading.Lock()
        self.connection = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None)
        self.connection.row_factory = sqlite3.Row
        self.connection.executescript(SCHEMA)

    def execute(self, query, *args):
        with self.lock:
            return self.connection.execute(query, args).fetchall()

    def payment(self, transaction_id):
        rows = self.execute(
            'SELECT * FROM payment WHERE transaction_id = ?', transaction_id)
        return rows[0] if rows else None

    def create(self, institution, order_id, **values):
        """The transaction of the order, created once per order id"""
        with self.lock:
            row = self.connection.execute(
                'SELECT transaction_id FROM payment '
                'WHERE institution = ? AND order_id = ?',
                (institution, order_id)).fetchone()
            if row:
                return row[0]
            transaction_id = (f'GH{now():%Y%m%d}-'
                f'{secrets.token_hex(5).upper()}')
            self.connection.execute(
                'INSERT INTO payment (transaction_id, institution, order_id, '
                'fiscal_code, payer_name, amount, description, return_url, '
                'items, status, created_at) '
                'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                (transaction_id, institution, order_id,
                    values['fiscal_code'], values.get('payer_name'),
                    str(values['amount']), values.get('description'),
                    values['return_url'], json.dumps(values['items']),
                    'pending', now().isoformat()))
            return transaction_id

    def authorise(self, transaction_id, delay):
        """The card was authorised: the payment is paid and its
        notification due after the delay, both committed at once"""
        with self.lock:
            with self.connection:
                self.connection.execute('BEGIN')
                self.connection.execute(
                    "UPDATE payment SET status = 'paid', paid_at = ? "
                    "WHERE transaction_id = ? AND status = 'pending'",
                    (now().isoformat(), transaction_id))
                self.connection.execute(
                    'INSERT OR IGNORE INTO notification '
                    '(transaction_id, next_at) VALUES (?, ?)',
                    (transaction_id, time.time() + delay))

    def set_status(self, transaction_id, status):
        self.execute("UPDATE payment SET status = ? "
            "WHERE transaction_id = ? AND status = 'pending'",
            status, transaction_id)

    def due_notifications(self, max_attempts):
        return self.execute(
            'SELECT n.transaction_id, n.attempts, p.* FROM notification n '
            'JOIN payment p USING (transaction_id) '
            'WHERE n.delivered_at IS NULL AND n.next_at <= ? '
            'AND n.attempts < ? ORDER BY n.next_at', time.time(),
            max_attempts)

    def delivered(self, transaction_id):
        self.execute('UPDATE notification SET delivered_at = ?, '
            'attempts = attempts + 1, last_error = NULL '
            'WHERE transaction_id = ?', now().isoformat(), transaction_id)

    def failed(self, transaction_id, next_at, error):
        self.execute('UPDATE notification SET attempts = attempts + 1, '
            'next_at = ?, last_error = ? WHERE transaction_id = ?',
            next_at, error[:500], transaction_id)

    def notification(self, transaction_id):
        rows = self.execute('SELECT * FROM notification '
            'WHERE transaction_id = ?', transaction_id)
        return rows[0] if rows else None

    def resume(self):
        """At start: the notifications not delivered are due at once (the
        process that scheduled them is gone)"""
        self.execute('UPDATE notification SET next_at = ? '
            'WHERE delivered_at IS NULL AND next_at > ?',
            time.time(), time.time())

    def renotify(self, transaction_id):
        "Deliver the notification of a paid payment once more (tests, demo)"
        self.execute('UPDATE notification SET delivered_at = NULL, '
            'next_at = ? WHERE transaction_id = ?', time.time(),
            transaction_id)

    def settled(self, institution, date):
        rows = self.execute("SELECT * FROM payment WHERE institution = ? "
            "AND status = 'paid' ORDER BY paid_at", institution)
        return [r for r in rows
            if dt.datetime.fromisoformat(r['paid_at']).date() == date]

    def close(self):
        with self.lock:
            self.connection.close()


class Emulator:
    """The emulator: serve() blocks, start() serves in a thread (tests).

    institutions maps an institution code to the (username, password) it
    must send; notify_credentials are those sent to the institution's
    notify_url."""

    def __init__(self, state, notify_url=None, institutions=None,
            notify_credentials=('ghiseul', 'ghiseul'), host='127.0.0.1',
            port=8002, public_url=None, notify_delay=0.0, retry_base=1.0,
            retry_max=300.0, max_attempts=20, timeout=10.0):
        self.state = state if isinstance(state, State) else State(state)
        self.state.resume()
        self.notify_url = notify_url
        self.institutions = institutions or {}
        self.notify_credentials = notify_credentials
        self.notify_delay = notify_delay
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.server = make_server(host, port, self.wsgi, threaded=True,
            request_handler=QuietHandler)
        self.port = self.server.server_port
        self.url = public_url or f'http://{host}:{self.port}'
        self.stopping = threading.Event()
        self.threads = []
        self._client = None

    # Running

    def start(self):
        "Serve and notify in background threads; return self"
        for target in [self.server.serve_forever, self.notify_loop]:
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def serve(self):
        notifier = threading.Thread(target=self.notify_loop, daemon=True)
        notifier.start()
        try:
            self.server.serve_forever()
        finally:
            self.stopping.set()

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=10)
        self.state.close()

    # Notifications

    def notify_loop(self):
        while not self.stopping.wait(0.1):
            if not self.notify_url:
                continue
            try:
                rows = self.state.due_notifications(self.max_attempts)
            except sqlite3.ProgrammingError:
                return
            for row in rows:
                if self.stopping.is_set():
                    return
                self.notify(row)

    def notify(self, row):
        transaction_id = row['transaction_id']
        try:
            self.client().NotifyPayment(
                institutionCode=row['institution'],
                transactionId=transaction_id, orderId=row['order_id'],
                fiscalCode=row['fiscal_code'], payerName=row['payer_name'],
                amount=Decimal(row['amount']),
                paidAt=dt.datetime.fromisoformat(row['paid_at']),
                item=[{k: v for k, v in item.items() if v is not None}
                    for item in json.loads(row['items'])])
        except Exception as exception:
            attempts = row['attempts'] + 1
            delay = min(self.retry_base * 2 ** (attempts - 1),
                self.retry_max)
            logger.warning("notification %s failed (attempt %d, next in "
                "%.1f s): %s", transaction_id, attempts, delay,
                soap.mask(f'{type(exception).__name__}: {exception}'))
            self.state.failed(transaction_id, time.time() + delay,
                soap.mask(f'{type(exception).__name__}: {exception}'))
        else:
            logger.info("notification %s delivered", transaction_id)
            self.state.delivered(transaction_id)

    def client(self):
        if self._client is None:
            import zeep
            from zeep.transports import Transport
            from zeep.wsse.username import UsernameToken

            from ..adapter import ZEEP_SETTINGS
            client = zeep.Client(str(soap.WSDL_PATH),
                settings=ZEEP_SETTINGS,
                transport=Transport(
                    timeout=self.timeout, operation_timeout=self.timeout),
                wsse=UsernameToken(*self.notify_credentials))
            self._client = client.create_service(
                f'{{{NS}}}InstitutionBinding', self.notify_url)
        return self._client

    # HTTP

    def wsgi(self, environ, start_response):
        request = Request(environ)
        path = request.path.rstrip('/')
        if path in {'', '/soap'} and request.method == 'GET':
            if 'wsdl' in request.args:
                response = Response(soap.wsdl(
                        'GhiseulPort', f'{self.url}/soap'),
                    content_type=XML)
            else:
                response = Response(
                    "Ghișeul.ro emulator (OpenPrimărie)\n",
                    content_type='text/plain; charset=utf-8')
        elif path == '/soap' and request.method == 'POST':
            response = self.soap(request)
        elif path.startswith('/pay/'):
            response = self.card_page(request, path[len('/pay/'):])
        else:
            response = Response('Not Found', status=404)
        return response(environ, start_response)

    def soap(self, request):
        if (request.content_length or 0) > soap.MAX_SIZE:
            return Response(soap.fault("The message is too large."),
                status=413, content_type=XML)
        data = request.stream.read(soap.MAX_SIZE + 1)
        try:
            envelope = soap.parse(data)
            body = soap.body_of(envelope)
            name = etree.QName(body)
            operation = {
                'InitiatePaymentRequest': self.initiate,
                'GetPaymentStatusRequest': self.status,
                'GetSettlementRequest': self.settlement,
                }.get(name.localname) if name.namespace == NS else None
            if not operation:
                raise soap.SoapError(f"Unknown operation {name.localname}.")
            soap.validate(body)
            values = soap.values(body, NS)
            expected = self.institutions.get(values['institutionCode'])
            given = soap.credentials(envelope)
            if (not expected or not given
                    or not (soap.same(given[0], expected[0])
                        & soap.same(given[1], expected[1]))):
                raise soap.SoapError("Authentication failed.")
            answer = operation(body, values)
        except soap.SoapError as exception:
            logger.info("SOAP message refused: %s", exception.text)
            return Response(soap.fault(exception.text, exception.code),
                status=exception.http_status, content_type=XML)
        return Response(soap.envelope(answer), content_type=XML)

    def initiate(self, body, values):
        items = [soap.values(i, NS) for i in body.iterfind(f'{{{NS}}}item')]
        transaction_id = self.state.create(
            values['institutionCode'], values['orderId'],
            fiscal_code=values['fiscalCode'],
            payer_name=values.get('payerName'),
            amount=Decimal(values['amount']),
            description=values.get('description'),
            return_url=values['returnUrl'],
            items=[{'obligationId': i.get('obligationId'),
                    'budgetCode': i.get('budgetCode'),
                    'amount': i['amount']} for i in items])
        logger.info("payment %s initiated: %s lei for %s", transaction_id,
            values['amount'], soap.mask(values['fiscalCode']))
        return soap.element(NS, 'InitiatePaymentResponse',
            transactionId=transaction_id,
            redirectUrl=f'{self.url}/pay/{transaction_id}')

    def status(self, body, values):
        row = self.state.payment(values['transactionId'])
        if not row or row['institution'] != values['institutionCode']:
            return soap.element(NS, 'GetPaymentStatusResponse',
                transactionId=values['transactionId'], status='unknown')
        return soap.element(NS, 'GetPaymentStatusResponse',
            transactionId=row['transaction_id'], status=row['status'],
            orderId=row['order_id'], fiscalCode=row['fiscal_code'],
            payerName=row['payer_name'], amount=row['amount'],
            paidAt=row['paid_at'])

    def settlement(self, body, values):
        date = dt.date.fromisoformat(values['date'])
        rows = self.state.settled(values['institutionCode'], date)
        lines = [soap.element(NS, 'line', transactionId=r['transaction_id'],
                orderId=r['order_id'], fiscalCode=r['fiscal_code'],
                amount=r['amount'], paidAt=r['paid_at'],
                commission=commission(Decimal(r['amount'])))
            for r in rows]
        response = soap.element(NS, 'GetSettlementResponse', date=date,
            children=lines)
        total = sum((Decimal(r['amount']) for r in rows), Decimal('0.00'))
        for key, value in [('count', len(rows)), ('total', total)]:
            etree.SubElement(response, f'{{{NS}}}{key}').text = str(value)
        return response

    # The card page

    def card_page(self, request, rest):
        transaction_id, _, action = rest.partition('/')
        row = self.state.payment(transaction_id)
        if not row:
            return Response('Not Found', status=404)
        if row['status'] != 'pending':
            return page(row, message=STATUS_TEXT.get(row['status']),
                status=409)
        keypad = request.values.get('keypad') == '1'
        if request.method == 'GET':
            return page(row, keypad=keypad)
        if request.method != 'POST':
            return Response('Method Not Allowed', status=405)
        if action == 'cancel':
            self.state.set_status(transaction_id, 'cancelled')
            return back(row, 'cancelled')
        error = check_card(request.form)
        if error:
            return page(row, error=error, status=400, keypad=keypad)
        number = ''.join(c for c in request.form['card_number']
            if c.isdigit())
        if number == CARD_PAID:
            self.state.authorise(transaction_id, self.notify_delay)
            logger.info("payment %s authorised", transaction_id)
            return back(row, 'paid')
        self.state.set_status(transaction_id, 'declined')
        logger.info("payment %s declined", transaction_id)
        return back(row, 'declined')


class QuietHandler(WSGIRequestHandler):
    "Logs the method and path only (never a query or a body)"

    def log_request(self, code='-', size='-'):
        logger.info('%s %s %s', self.command, self.path.split('?')[0], code)

    def log(self, type, message, *args):
        (logger.warning if type == 'error' else logger.info)(message, *args)


def check_card(form):
    "The error of the card form, None when the card can be charged"
    number = ''.join(c for c in form.get('card_number', '')
        if c.isdigit() or c == ' ').replace(' ', '')
    if not (12 <= len(number) <= 19) or not luhn(number):
        return "Numărul cardului nu este valid."
    expiry = form.get('expiry', '').strip()
    try:
        month, year = expiry.split('/')
        month, year = int(month), 2000 + int(year)
        valid = 1 <= month <= 12 and (year, month) >= (
            now().year, now().month)
    except ValueError:
        valid = False
    if not valid:
        return "Data expirării nu este validă (LL/AA)."
    cvv = form.get('cvv', '').strip()
    if not (cvv.isdigit() and len(cvv) in {3, 4}):
        return "Codul CVV nu este valid."
    if not form.get('holder', '').strip():
        return "Completați numele titularului cardului."
    return None


def back(row, status):
    "Send the payer back to the institution's return URL"
    scheme, netloc, path, query, fragment = urlsplit(row['return_url'])
    query = urlencode(parse_qsl(query) + [
            ('transaction', row['transaction_id']), ('status', status)])
    return Response(status=303, headers={'Location': urlunsplit(
                (scheme, netloc, path, query, fragment))})


STATUS_TEXT = {
    'paid': "Plata a fost deja efectuată.",
    'declined': "Plata a fost refuzată.",
    'cancelled': "Plata a fost anulată.",
    }

PAGE = '''<!DOCTYPE html>
<html lang="ro">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ghișeul.ro (emulator) – plată cu cardul</title>
<style>
body {{ font-family: sans-serif; max-width: 32rem; margin: 2rem auto;
    padding: 0 1rem; color: #1a1a1a; }}
label {{ display: block; margin-top: 1rem; font-weight: bold; }}
input {{ font-size: 1.1rem; padding: .5rem; width: 100%;
    box-sizing: border-box; }}
button {{ margin-top: 1.5rem; font-size: 1.2rem; padding: .7rem 1.5rem;
    background: #0b4f8a; color: #fff; border: 0; }}
.error {{ color: #8a0b0b; border: 2px solid #8a0b0b; padding: .5rem; }}
.note {{ font-size: .9rem; color: #444; }}
.keypad {{ display: grid; grid-template-columns: repeat(6, 1fr); gap: 8px;
    margin-top: 1rem; }}
.keypad button {{ margin: 0; min-height: 56px; font-size: 1.4rem;
    padding: .3rem; }}
.keypad .wide {{ grid-column: span 3; font-size: 1rem; }}
</style>
</head>
<body>
<main>
<h1>Plată cu cardul</h1>
<p class="note">Emulator Ghișeul.ro pentru teste și demonstrații: nicio
plată reală nu este făcută și datele cardului nu sunt păstrate.</p>
<dl>
<dt>Plată</dt><dd id="description">{description}</dd>
<dt>Suma</dt><dd id="amount">{amount} lei</dd>
<dt>Tranzacția</dt><dd id="transaction">{transaction_id}</dd>
</dl>
{message}
{form}
</main>
</body>
</html>
'''
FORM = '''<form method="post" action="/pay/{transaction_id}{query}" autocomplete="off">
<label for="card_number">Număr card</label>
<input id="card_number" name="card_number" inputmode="numeric"
    autocomplete="off" required>
<label for="expiry">Data expirării (LL/AA)</label>
<input id="expiry" name="expiry" placeholder="LL/AA" autocomplete="off"
    required>
<label for="cvv">CVV</label>
<input id="cvv" name="cvv" inputmode="numeric" autocomplete="off" required>
<label for="holder">Titular card</label>
<input id="holder" name="holder" autocomplete="off" required>
{keypad}<button type="submit" id="pay">Plătește</button>
</form>
<form method="post" action="/pay/{transaction_id}/cancel">
<button type="submit" id="cancel">Renunță</button>
</form>
'''


# The on-screen keypad of a kiosk (the kiosk asks for it with keypad=1):
# digits, the slash of the expiry date, the letters of the holder's name
KEYS = list('1234567890') + ['/'] + list('ABCDEFGHIJKLMNOPQRSTUVWXYZ')
KEYPAD = '''<div class="keypad" role="group" aria-label="Tastatură pe ecran">
{keys}
<button type="button" data-key=" " class="wide">Spațiu</button>
<button type="button" data-key="back" aria-label="Șterge ultimul caracter">⌫</button>
<button type="button" data-key="next" class="wide">Câmpul următor</button>
<button type="button" data-key="clear" class="wide">Șterge tot</button>
</div>
<script>
(function () {{
  var inputs = Array.prototype.slice.call(document.querySelectorAll('form input'));
  var target = inputs[0];
  inputs.forEach(function (input) {{
    input.addEventListener('focus', function () {{ target = input; }});
  }});
  document.querySelectorAll('.keypad [data-key]').forEach(function (button) {{
    button.addEventListener('click', function () {{
      var key = button.getAttribute('data-key');
      if (key === 'back') {{ target.value = target.value.slice(0, -1); }}
      else if (key === 'clear') {{ target.value = ''; }}
      else if (key === 'next') {{
        target = inputs[(inputs.indexOf(target) + 1) % inputs.length];
      }} else {{ target.value += key; }}
      target.focus();
    }});
  }});
}}());
</script>
'''


def keypad_html():
    return KEYPAD.format(keys='\n'.join(
            f'<button type="button" data-key="{k}">{k}</button>'
            for k in KEYS))


def page(row, error=None, message=None, status=200, keypad=False):
    values = {
        'transaction_id': html.escape(row['transaction_id']),
        'description': html.escape(row['description'] or ''),
        'amount': html.escape(row['amount']),
        }
    notice = ''
    if error:
        notice = f'<p class="error" role="alert">{html.escape(error)}</p>'
    elif message:
        notice = f'<p role="status">{html.escape(message)}</p>'
    form = '' if message else FORM.format(
        query='?keypad=1' if keypad else '',
        keypad=keypad_html() if keypad else '', **values)
    return Response(PAGE.format(message=notice, form=form, **values),
        status=status, content_type='text/html; charset=utf-8')
