# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Fixtures of the Ghișeul.ro tests, usable by other modules' tests (the
portal's): a taxpayer with open obligations, a configuration, the emulator
in a thread or a process, a trytond server on loopback and a committed
copy of the test database (PostgreSQL)."""
import datetime as dt
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

from trytond import backend
from trytond.modules.municipality.tests.tools import (
    committed_copy, run_committed)
from trytond.pool import Pool
from trytond.tests.test_tryton import CONTEXT, USER, activate_module

from ..emulator import CARD_DECLINED, CARD_PAID, Emulator, QuietHandler

INSTITUTION = 'TEST-UAT'
OUT = ('primarie', 'parola-trimisa')
IN = ('ghiseul', 'parola-asteptata')
CNP = '1800101221144'


def create_taxpayer(company, cnp=CNP, amounts=('120.00', '80.50')):
    """A person with posted obligations not yet due (no surcharge): a
    building tax and a fee"""
    from trytond.modules.municipality.tests.tools import create_person
    pool = Pool()
    Obligation = pool.get('local_tax.obligation')
    Date = pool.get('ir.date')
    taxpayer = create_person("Popescu", "Ion", cnp=cnp)
    today = Date.today()
    obligations = [Obligation(
            company=company, taxpayer=taxpayer, fiscal_year=today.year,
            tax_type=tax_type, description=description,
            amount=Decimal(amount), date=today,
            due_date=today + dt.timedelta(days=30))
        for (tax_type, description), amount in zip([
                ('building', "Impozit clădiri"),
                ('fee', "Taxă salubrizare")], amounts)]
    Obligation.save(obligations)
    Obligation.post(obligations)
    return taxpayer, obligations


def configure(company, endpoint_url, retries=1, backoff='0.05',
        timeout='5'):
    Configuration = Pool().get('ghiseul.configuration')
    configuration = Configuration(
        company=company, institution_code=INSTITUTION,
        endpoint_url=endpoint_url, out_username=OUT[0],
        out_password=OUT[1], in_username=IN[0], in_password=IN[1],
        retries=retries, backoff=Decimal(backoff), timeout=Decimal(timeout))
    configuration.save()
    return configuration


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def start_emulator(state=None, notify_url=None, **values):
    "The emulator in threads of this process, on a free port"
    if state is None:
        directory = tempfile.mkdtemp(prefix='ghiseul-emulator-')
        state = Path(directory) / 'state.sqlite'
    values.setdefault('retry_base', 0.2)
    values.setdefault('retry_max', 2.0)
    return Emulator(state, notify_url=notify_url,
        institutions={INSTITUTION: OUT}, notify_credentials=IN, port=0,
        **values).start()


class EmulatorProcess:
    "The emulator as a separate process (python -m …emulator)"

    def __init__(self, state, port, notify_url, notify_delay=0.0):
        self.args = [sys.executable, '-m', 'trytond.modules.ghiseul.emulator',
            '--port', str(port), '--state', str(state),
            '--notify-url', notify_url, '--notify-delay', str(notify_delay),
            '--institution', ':'.join((INSTITUTION,) + OUT),
            '--notify-user', IN[0], '--notify-password', IN[1],
            '--retry-base', '0.2', '--retry-max', '1']
        self.url = f'http://127.0.0.1:{port}'
        self.log = tempfile.NamedTemporaryFile(
            prefix='ghiseul-emulator-', suffix='.log', delete=False)
        self.process = subprocess.Popen(self.args, stdout=self.log,
            stderr=subprocess.STDOUT, cwd=tempfile.gettempdir())
        wait_for(lambda: self.ready(), 30, "the emulator process to start")

    def ready(self):
        if self.process.poll() is not None:
            raise AssertionError("the emulator stopped: "
                + Path(self.log.name).read_text())
        try:
            urllib.request.urlopen(f'{self.url}/soap', timeout=1).read()
            return True
        except OSError:
            return False

    def kill(self):
        "kill -9"
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def output(self):
        return Path(self.log.name).read_text()


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def open_url(url, data=None):
    """(status, headers, body) of a GET or a POST of a form, redirections
    not followed"""
    opener = urllib.request.build_opener(NoRedirect)
    if data is not None:
        data = urllib.parse.urlencode(data).encode()
    try:
        with opener.open(url, data=data, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def card_form(number=CARD_PAID):
    year = (dt.date.today().year + 2) % 100
    return {'card_number': number, 'expiry': f'12/{year:02d}',
        'cvv': '123', 'holder': "ION POPESCU"}


def pay_by_card(redirect_url, number=CARD_PAID):
    """Open the card page, check its labelled inputs and pay: the URL the
    payer is sent back to"""
    status, _, body = open_url(redirect_url)
    assert status == 200, status
    page = body.decode()
    for id_ in ['card_number', 'expiry', 'cvv', 'holder']:
        assert re.search(f'<label for="{id_}">', page), id_
        assert f'id="{id_}"' in page, id_
    assert 'Plătește' in page
    status, headers, _ = open_url(redirect_url, card_form(number))
    assert status == 303, status
    return headers['Location']


__all__ = ['CARD_DECLINED', 'CARD_PAID']


@unittest.skipIf(backend.name != 'postgresql',
    "needs PostgreSQL: a trytond server in another thread reads what the "
    "test commits (an SQLite test database is one in-memory connection); "
    "run it with scripts/test")
class LiveTestCase(unittest.TestCase):
    """A committed copy of the test database served by trytond on a free
    loopback port (self.endpoint is its Ghișeul.ro SOAP URL)"""
    suffix = 'live'

    @classmethod
    def setUpClass(cls):
        from werkzeug.serving import make_server

        from trytond.wsgi import app
        activate_module('ghiseul')
        cls.database = committed_copy(cls, cls.suffix)
        cls.server = make_server('127.0.0.1', 0, app, threaded=True,
            request_handler=QuietHandler)
        thread = threading.Thread(target=cls.server.serve_forever,
            daemon=True)
        thread.start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        cls.endpoint = (f'http://127.0.0.1:{cls.server.server_port}/'
            f'{cls.database}/ghiseul/soap')

    def run_committed(self, func):
        "Run func in a committed transaction of its own, as the dispatcher"
        return run_committed(self.database, func, USER, CONTEXT)
