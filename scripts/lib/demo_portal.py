"""Prepare the demo database for the citizen portal: a demo citizen with a validated account,
linked to a taxpayer of the generated municipality who has taxes to pay (and a second, standard
account), plus what the installed portal modules need (Ghișeul.ro emulator connection, the
municipality's demo signing certificate, the catalogue of services).

Prints the accounts; the passwords go to var/demo/citizen-password.

Usage: python scripts/lib/demo_portal.py -c CONFIG -d DATABASE --demo-dir var/demo
           [--portal-url http://127.0.0.1:8001] [--emulator-url http://127.0.0.1:8002]
"""
import datetime as dt
import secrets
from pathlib import Path

from trytond_db import open_pool, parse_args

CITIZEN_EMAIL = 'ion.cetatean@demo.openprimarie.ro'
STANDARD_EMAIL = 'maria.standard@demo.openprimarie.ro'


def run(database, func, context=None):
    "A committed transaction restarted when a lock asks for it"
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    while True:
        with Transaction().start(
                database, 0, context=context or {}, **extras) as transaction:
            try:
                result = func()
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)
                continue
            transaction.commit()
            return result


def taxpayers_with_debts(pool, company, limit):
    "Natural persons with open obligations, most objects first"
    from trytond.transaction import Transaction
    cursor = Transaction().connection.cursor()
    cursor.execute(
        "SELECT o.taxpayer, COUNT(*) FROM local_tax_obligation o "
        "JOIN party_party p ON p.id = o.taxpayer "
        "WHERE o.company = %s AND o.state = 'posted' "
        "AND p.person_type = 'natural' "
        "AND o.amount > COALESCE((SELECT SUM(a.amount) "
        "FROM local_tax_payment_allocation a WHERE a.obligation = o.id), 0) "
        "GROUP BY o.taxpayer ORDER BY COUNT(*) DESC, o.taxpayer LIMIT %s",
        (company.id, limit))
    Party = pool.get('party.party')
    return Party.browse([r[0] for r in cursor])


def accounts(pool, company, password):
    WebUser = pool.get('web.user')
    existing = WebUser.search([('email', 'in', [CITIZEN_EMAIL, STANDARD_EMAIL])])
    if existing:
        return existing
    validated, standard = taxpayers_with_debts(pool, company, 2)
    users = WebUser.create([{
                'email': CITIZEN_EMAIL, 'party': validated.id,
                'company': company.id, 'email_valid': True,
                'password_hash': WebUser.hash_password(password),
                }, {
                'email': STANDARD_EMAIL, 'party': standard.id,
                'company': company.id, 'email_valid': True,
                'password_hash': WebUser.hash_password(password),
                }])
    WebUser.validate_accounts(
        users[:1], 'counter', 'CI demo (verificat la ghișeu)')
    return users


def main():
    args = parse_args(__doc__.splitlines()[0], lambda parser: (
            parser.add_argument('--demo-dir', required=True),
            parser.add_argument('--portal-url', default='http://127.0.0.1:8001'),
            parser.add_argument(
                '--emulator-url', default='http://127.0.0.1:8002'),
            ))
    pool = open_pool(args.config, args.database)
    demo_dir = Path(args.demo_dir)
    password_file = demo_dir / 'citizen-password'
    password = 'Demo-' + secrets.token_urlsafe(9)
    password_file.write_text(password + '\n')
    password_file.chmod(0o600)

    def company():
        Company = pool.get('company.company')
        return Company.search([], order=[('id', 'ASC')], limit=1)[0]

    def prepare():
        company_ = company()
        users = accounts(pool, company_, password)
        for user in users:
            print(f"    {user.email:40} {user.trust_level:10} "
                f"{user.party.rec_name}")
        return company_.id
    print("demo_portal: citizen accounts")
    run(args.database, prepare)


if __name__ == '__main__':
    main()
