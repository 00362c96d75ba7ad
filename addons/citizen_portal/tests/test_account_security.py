# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Who has an account cannot be found out, the login lockout holds under
parallel attempts, mails leave through the queue, a password reset ends the
sessions (issue 10)."""
import re
import secrets
import threading
from contextlib import contextmanager

from trytond import config
from trytond.res.user import PASSWORD_HASH

from .tools import (
    PASSWORD, PortalTestCase, committed, new_cnp, set_config, unique_email)
from .mailcatcher import MailCatcher

WRONG = 'Gresita-Parola-2026'


@contextmanager
def counted_verifications():
    """The (hash, password) of every password verification, whatever the
    thread: a spy on trytond's hasher, the real verification runs"""
    calls = []
    lock = threading.Lock()
    original = PASSWORD_HASH.verify_and_update

    def verify_and_update(password, hash_):
        with lock:
            calls.append((hash_, password))
        return original(password, hash_)
    PASSWORD_HASH.verify_and_update = verify_and_update
    try:
        yield calls
    finally:
        del PASSWORD_HASH.verify_and_update


@contextmanager
def configured(section, option, value):
    "The option set to the value for the block, then as it was"
    previous = config.get(section, option, default=None)
    set_config(section, option, value)
    try:
        yield
    finally:
        set_config(section, option, previous if previous is not None
            else 'False')


def with_worker():
    "[queue] worker = True: tasks wait in ir.queue for a trytond-worker"
    return configured('queue', 'worker', 'True')


def normalised(response, email, code):
    "The page without what the citizen typed and the session's token"
    page = response.get_data(as_text=True)
    page = re.sub(r'name="_csrf" value="[^"]+"', '', page)
    return page.replace(email, '@').replace(code, '#')


def hash_parameters(hash_):
    "$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash> → the algorithm and cost"
    return hash_.split('$')[1:4]


class AccountSecurityTestCase(PortalTestCase):
    "Test the protections of the citizen accounts"

    def parallel_logins(self, email, passwords):
        """Post every password at once, each from its own browser and
        address; the statuses in the order of the passwords"""
        clients = [self.client() for _ in passwords]
        tokens = [self.csrf(c) for c in clients]
        barrier = threading.Barrier(len(passwords))
        statuses = [None] * len(passwords)

        def attempt(i):
            barrier.wait()
            statuses[i] = clients[i].post('/login', data={
                    '_csrf': tokens[i], 'email': email,
                    'password': passwords[i]}).status_code
        threads = [threading.Thread(target=attempt, args=(i,))
            for i in range(len(passwords))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return statuses

    def sessions_of(self, email):
        with committed() as pool:
            return pool.get('web.user.session').search_count(
                [('user.email', '=', email)])

    def tasks(self, method):
        with committed() as pool:
            Queue = pool.get('ir.queue')
            return [t.id for t in Queue.search([], order=[('id', 'ASC')])
                if t.data.get('method') == method]

    def run_tasks(self, ids):
        from trytond.worker import run_task
        pool = self.app.extensions['Tryton'].pool
        for id_ in ids:
            run_task(pool, id_)

    def test_parallel_logins_locked(self):
        "Twenty guesses at once: at most max_attempt checked, then locked"
        _, email, _ = self.citizen()
        limit = config.getint('session', 'max_attempt')
        passwords = [f'{WRONG}-{i}' for i in range(20)]
        with counted_verifications() as calls:
            statuses = self.parallel_logins(email, passwords)
        self.assertLessEqual(len(calls), limit, statuses)
        self.assertLessEqual(statuses.count(401), limit, statuses)
        self.assertEqual(
            statuses.count(429), len(passwords) - statuses.count(401))
        # the right password does not open a locked account
        with counted_verifications() as calls:
            self.assertEqual(
                self.login(self.client(), email).status_code, 429)
        self.assertEqual(calls, [])

    def test_parallel_logins_with_the_right_one(self):
        """Twenty guesses at once with the right one: max_attempt wrong ones
        checked at most (a login that succeeds is not counted)"""
        _, email, _ = self.citizen()
        limit = config.getint('session', 'max_attempt')
        passwords = [f'{WRONG}-{i}' for i in range(19)] + [PASSWORD]
        with counted_verifications() as calls:
            statuses = self.parallel_logins(email, passwords)
        self.assertLessEqual(statuses.count(401), limit, statuses)
        self.assertLessEqual(len(calls), limit + 1, statuses)
        self.assertEqual(
            statuses.count(429) + statuses.count(401)
            + statuses.count(302), len(passwords), statuses)

    def test_lockout_per_address(self):
        "Guesses on many accounts from one address: the address is locked"
        _, email, _ = self.citizen()
        client = self.client()
        with configured('session', 'max_attempt_ip_network', '4'):
            statuses = [self.login(client, unique_email(), WRONG).status_code
                for _ in range(6)]
            right = self.login(client, email).status_code
        self.assertEqual(statuses, [401] * 4 + [429] * 2)
        self.assertEqual(right, 429)

    def test_lockout_per_ipv6_network(self):
        "Addresses of one IPv6 /64 count together; another /64 does not"
        from ..portal.common import network_of
        self.assertEqual(network_of('2001:db8:1:2:aaaa::1'),
            network_of('2001:db8:1:2:bbbb:cccc:dddd:eeee'))
        self.assertNotEqual(network_of('2001:db8:1:2::1'),
            network_of('2001:db8:1:3::1'))
        self.assertEqual(network_of('192.0.2.7'), '192.0.2.7')
        self.assertNotEqual(network_of('192.0.2.7'), network_of('192.0.2.8'))
        a, b = secrets.randbelow(0xffff), secrets.randbelow(0xfffe)
        prefix = f'2001:db8:{a:x}:{b:x}'
        with configured('session', 'max_attempt_ip_network', '2'):
            statuses = []
            for host in ['::1', ':a:b:c:d', '::ffff:2']:
                client = self.client()
                client.environ_base['REMOTE_ADDR'] = prefix + host
                statuses.append(
                    self.login(client, unique_email(), WRONG).status_code)
            other = self.client()
            other.environ_base['REMOTE_ADDR'] = f'2001:db8:{a:x}:{b + 1:x}::1'
            statuses.append(
                self.login(other, unique_email(), WRONG).status_code)
        self.assertEqual(statuses, [401, 401, 429, 401])

    def test_unknown_address_hashes_like_a_known_one(self):
        "A wrong password costs one Argon2 verification, account or not"
        _, email, _ = self.citizen()
        with counted_verifications() as known:
            self.assertEqual(
                self.login(self.client(), email, WRONG).status_code, 401)
        with counted_verifications() as unknown:
            self.assertEqual(self.login(
                    self.client(), unique_email(), WRONG).status_code, 401)
        self.assertEqual(len(known), 1)
        self.assertEqual(len(unknown), 1)
        self.assertEqual(
            hash_parameters(unknown[0][0]), hash_parameters(known[0][0]))

    def test_register_taken_address_same_answer(self):
        "An address with an account: the page of a new one, a mail to it"
        _, email, _ = self.citizen()
        fresh, fresh_email, _ = self.register(self.client())
        messages = len(self.mail.to(email))
        with counted_verifications():
            taken, _, code = self.register(
                self.client(), email=email.upper())
        self.assertEqual(taken.status_code, fresh.status_code)
        self.assertEqual(
            taken.get_data(as_text=True).replace(email.upper(), '@'),
            fresh.get_data(as_text=True).replace(fresh_email, '@'))
        with committed() as pool:
            self.assertEqual(pool.get('web.user').search_count(
                    [('email', '=', email)]), 1)
            self.assertEqual(pool.get('party.party').search_count(
                    [('fiscal_code', '=', code)]), 0)
        mails = self.mail.to(email)
        self.assertEqual(len(mails), messages + 1)
        text = MailCatcher.text(mails[-1])
        self.assertIn('https://portal.test/reset', text)
        self.assertIn('https://portal.test/login', text)
        self.assertNotIn('/confirm?token=', text)

    def test_register_taken_address_bad_input_same_answer(self):
        "Bad input is refused alike whether the address is taken or not"
        _, email, _ = self.citizen()
        for data in [{'code': '123'}, {'password': 'scurta'},
                {'last_name': ''}]:
            with self.subTest(data=data):
                answers = []
                for address in [email, unique_email()]:
                    values = {'email': address, 'code': new_cnp(),
                        'last_name': "Popa", 'first_name': "Dan",
                        'password': PASSWORD}
                    values.update(data)
                    response, _, _ = self.register(self.client(), **values)
                    answers.append((response.status_code, normalised(
                                response, address, values['code'])))
                self.assertEqual(answers[0][0], 422)
                self.assertEqual(answers[0], answers[1])

    def test_register_name_asked_for_every_cnp(self):
        "Without a name: refused alike for a CNP known or not to the city"
        from trytond.modules.municipality.tests.tools import create_person
        known = new_cnp()
        with committed():
            create_person("Pop", "Vasile", cnp=known)
        answers = []
        for code in [known, new_cnp()]:
            response, email, _ = self.register(
                self.client(), code=code, last_name='', first_name='')
            answers.append(
                (response.status_code, normalised(response, email, code)))
        self.assertEqual(answers[0][0], 422)
        self.assertEqual(answers[0], answers[1])
        page = self.client().get('/register').get_data(as_text=True)
        self.assertRegex(page, r'id="last_name"[^>]* required')

    def test_register_mail_from_the_queue(self):
        "With a worker, the request only queues the confirmation mail"
        client = self.client()
        before = self.tasks('validate_email')
        with with_worker():
            response, email, _ = self.register(client)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.mail.to(email), [])
        tasks = [t for t in self.tasks('validate_email') if t not in before]
        self.assertEqual(len(tasks), 1)
        self.run_tasks(tasks)
        self.assertIn('/confirm?token=',
            MailCatcher.text(self.mail.to(email)[-1]))

    def test_reset_mail_from_the_queue(self):
        "Reset: the same page for any address, the mail from the queue"
        _, email, _ = self.citizen()
        before = self.tasks('reset_password')
        mails = len(self.mail.to(email))
        answers = []
        with with_worker():
            for address in [email, unique_email()]:
                response = self.post(self.client(), '/reset',
                    {'email': address})
                answers.append((response.status_code, response.get_data()))
        self.assertEqual(answers[0], answers[1])
        self.assertEqual(len(self.mail.to(email)), mails)
        tasks = [t for t in self.tasks('reset_password') if t not in before]
        self.assertEqual(len(tasks), 1)
        self.run_tasks(tasks)
        self.assertIn('reset/confirm',
            MailCatcher.text(self.mail.to(email)[-1]))

    def reset_link(self, email):
        text = MailCatcher.text(self.mail.to(email)[-1])
        match = re.search(r'reset/confirm\?[^"\s]*token=([0-9a-f]+)', text)
        self.assertTrue(match, text)
        return match.group(1)

    def test_reset_ends_sessions(self):
        "A session opened before a password reset is dead after it"
        browser, email, _ = self.citizen()
        self.citizen()              # another account keeps its session
        self.assertEqual(browser.get('/account/validation').status_code, 200)
        client = self.client()
        self.post(client, '/reset', {'email': email})
        token = self.reset_link(email)
        new = 'Alta-Parola-Buna-2027'
        response = self.post(client, '/reset/confirm', {
                'token': token, 'email': email,
                'password': new, 'password2': new},
            csrf_from=f'/reset/confirm?token={token}&email={email}')
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.sessions_of(email), 0)
        response = browser.get('/account/validation')
        self.assertEqual(response.status_code, 302)
        self.assertIn('/login', response.headers['Location'])

    def test_password_change_ends_sessions(self):
        "A password changed at the counter ends the account's sessions"
        browser, email, _ = self.citizen()
        other, other_email, _ = self.citizen()
        self.assertEqual(self.sessions_of(email), 1)
        with committed() as pool:
            WebUser = pool.get('web.user')
            user, = WebUser.search([('email', '=', email)])
            WebUser.write([user], {'password': 'Alta-Parola-Buna-2027'})
        self.assertEqual(self.sessions_of(email), 0)
        self.assertEqual(self.sessions_of(other_email), 1)
        self.assertEqual(browser.get('/account/validation').status_code, 302)
        self.assertEqual(other.get('/account/validation').status_code, 200)
