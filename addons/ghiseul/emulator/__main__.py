# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""python -m trytond.modules.ghiseul.emulator --help"""
import argparse
import logging
import os
import signal
import sys

from . import Emulator, State

DESCRIPTION = """\
A Ghișeul.ro emulator for tests and demonstrations: a SOAP server
implementing GhiseulService of the module's WSDL (payment initiation,
status, daily settlement), a card-payment page, and the notification of
each authorised payment to the institution's endpoint, repeated with
exponential back-off until delivered.  Its state is kept in a SQLite file:
restarted on the same file it resumes the notifications not delivered.

Test cards: 4111 1111 1111 1111 is authorised; 4000 0000 0000 0002 (and any
other valid number) is declined.  Any future expiry (MM/YY), any 3-digit
CVV and any holder name.  No card data is stored or logged."""

EPILOG = """\
example (the demo database "openprimarie" served by trytond on port 8000):
  python -m trytond.modules.ghiseul.emulator --port 8002 \\
      --state /tmp/ghiseul.sqlite \\
      --notify-url http://127.0.0.1:8000/openprimarie/ghiseul/soap \\
      --institution DEMO:primarie:secret --notify-user ghiseul \\
      --notify-password secret

The municipality's Ghișeul.ro configuration then has: endpoint
http://127.0.0.1:8002/soap, institution code DEMO, credentials sent
primarie/secret, credentials expected ghiseul/secret.  Passwords may also
be given in GHISEUL_EMULATOR_INSTITUTION (CODE:USER:PASSWORD, several
separated by commas) and GHISEUL_EMULATOR_NOTIFY_PASSWORD."""


def institution(value):
    try:
        code, user, password = value.split(':', 2)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "expected CODE:USER:PASSWORD") from None
    return code, (user, password)


def parser():
    parser = argparse.ArgumentParser(
        prog='python -m trytond.modules.ghiseul.emulator',
        description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', default='127.0.0.1',
        help="address to listen on (default: %(default)s)")
    parser.add_argument('--port', type=int, default=8002,
        help="port to listen on, 0 for any free port (default: %(default)s)")
    parser.add_argument('--public-url',
        help="the emulator's URL as the payer's browser reaches it "
        "(default: http://HOST:PORT)")
    parser.add_argument('--state', required=True,
        help="SQLite file of the payments and pending notifications "
        "(created when missing)")
    parser.add_argument('--notify-url',
        help="the institution's SOAP endpoint, "
        "http://HOST:PORT/DATABASE/ghiseul/soap (no notification without)")
    parser.add_argument('--institution', action='append', type=institution,
        default=[],
        help="an institution allowed to call: its code and the user and "
        "password it sends (repeatable)")
    parser.add_argument('--notify-user', default='ghiseul',
        help="user name sent with the notifications (default: %(default)s)")
    parser.add_argument('--notify-password',
        default=os.environ.get('GHISEUL_EMULATOR_NOTIFY_PASSWORD'),
        help="password sent with the notifications")
    parser.add_argument('--notify-delay', type=float, default=0.0,
        help="seconds between a card authorisation and its first "
        "notification (default: %(default)s)")
    parser.add_argument('--retry-base', type=float, default=1.0,
        help="seconds before the first repetition of a failed "
        "notification, doubled each time (default: %(default)s)")
    parser.add_argument('--retry-max', type=float, default=300.0,
        help="longest wait between two repetitions (default: %(default)s)")
    parser.add_argument('--max-attempts', type=int, default=20,
        help="attempts before a notification is given up "
        "(default: %(default)s)")
    parser.add_argument('--timeout', type=float, default=10.0,
        help="seconds to wait for the institution (default: %(default)s)")
    parser.add_argument('-q', '--quiet', action='store_true',
        help="log warnings only")
    return parser


def main(argv=None):
    args = parser().parse_args(argv)
    institutions = dict(args.institution)
    for value in filter(None, os.environ.get(
                'GHISEUL_EMULATOR_INSTITUTION', '').split(',')):
        code, credentials = institution(value)
        institutions.setdefault(code, credentials)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format='%(asctime)s %(name)s %(levelname)s %(message)s')
    emulator = Emulator(State(args.state), notify_url=args.notify_url,
        institutions=institutions,
        notify_credentials=(args.notify_user, args.notify_password or ''),
        host=args.host, port=args.port, public_url=args.public_url,
        notify_delay=args.notify_delay, retry_base=args.retry_base,
        retry_max=args.retry_max, max_attempts=args.max_attempts,
        timeout=args.timeout)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    print(f"Ghișeul.ro emulator on {emulator.url}/ "
        f"(WSDL {emulator.url}/soap?wsdl, state {args.state})", flush=True)
    try:
        emulator.serve()
    except (KeyboardInterrupt, SystemExit):
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
