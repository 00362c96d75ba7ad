"""Prepare the demo database for the citizen portal: a demo citizen with a validated account,
linked to a taxpayer of the generated municipality who has taxes to pay (and a second, standard
account, which claims another taxpayer's CNP and sees only what is due on it), plus what the installed portal modules need (Ghișeul.ro emulator connection, the
municipality's demo signing certificate, the catalogue of services).

Prints the accounts; the passwords go to var/demo/citizen-password.

Usage: python scripts/lib/demo_portal.py -c CONFIG -d DATABASE --demo-dir var/demo
           [--portal-url http://127.0.0.1:8001] [--emulator-url http://127.0.0.1:8002]
"""
import secrets
from pathlib import Path

from trytond_db import open_pool, parse_args, run_committed

CITIZEN_EMAIL = 'cetatean.validat@demo.openprimarie.ro'
STANDARD_EMAIL = 'cetatean.standard@demo.openprimarie.ro'


def taxpayers_with_debts(pool, company, limit):
    "Natural persons with unpaid obligations, most obligations first"
    from collections import Counter
    Obligation = pool.get('local_tax.obligation')
    counts = Counter(o.taxpayer for o in Obligation.search([
                ('company', '=', company.id), ('state', '=', 'posted'),
                ('taxpayer.person_type', '=', 'natural'),
                ('balance', '>', 0),
                ]))
    return [p for p, _ in sorted(counts.items(), key=lambda i: (-i[1], i[0].id))][:limit]


def accounts(pool, company, password):
    WebUser = pool.get('web.user')
    existing = WebUser.search([('email', 'in', [CITIZEN_EMAIL, STANDARD_EMAIL])])
    if existing:
        # run again: the new password (written to citizen-password) is theirs
        WebUser.write(existing, {'password_hash': WebUser.hash_password(password)})
        return existing
    validated, standard = taxpayers_with_debts(pool, company, 2)
    # an account claims its person (CNP and name); it is linked to the
    # person's file only when validated
    users = WebUser.create([{
                'email': email, 'claimed_code': party.cnp,
                'claimed_name': party.last_name,
                'claimed_first_name': party.first_name,
                'company': company.id, 'email_valid': True,
                'password_hash': WebUser.hash_password(password),
                } for email, party in [
                (CITIZEN_EMAIL, validated), (STANDARD_EMAIL, standard)]])
    WebUser.validate_accounts(
        users[:1], 'counter', 'CI demo (verificat la ghișeu)')
    return users


def ghiseul(pool, company, emulator_url, demo_dir):
    """The municipality's connection to the Ghișeul.ro emulator that scripts/demo starts; the
    credentials both sides use go to var/demo/ghiseul-credentials"""
    from decimal import Decimal
    Configuration = pool.get('ghiseul.configuration')
    if Configuration.search([('company', '=', company.id)]):
        return
    out_password = secrets.token_urlsafe(12)
    in_password = secrets.token_urlsafe(12)
    Configuration(
        company=company, institution_code='DEMO',
        endpoint_url=emulator_url.rstrip('/') + '/soap',
        out_username='primarie', out_password=out_password,
        in_username='ghiseul', in_password=in_password,
        retries=2, backoff=Decimal('0.5'), timeout=Decimal('10')).save()
    credentials = demo_dir / 'ghiseul-credentials'
    credentials.write_text(
        f"DEMO:primarie:{out_password}\nghiseul:{in_password}\n")
    credentials.chmod(0o600)
    return f"Ghișeul.ro emulator: {emulator_url} (institution DEMO)"


def signing_certificate(pool, company, demo_dir):
    """A demo PKI made now (never a real key): its qualified seal signs the documents the portal
    delivers, its root is trusted for the verifications"""
    from trytond.modules.document_signature.tests.pki import build_pki
    Certificate = pool.get('document_signature.certificate')
    Configuration = pool.get('document_signature.configuration')
    if Certificate.search([('company', '=', company.id)]):
        return
    pki = build_pki(demo_dir / 'pki')
    Certificate(company=company, name="Sigiliu electronic DEMO (CA de test)",
        pkcs12=pki.pkcs12(pki.municipality, b'demo'), pkcs12_name='demo.p12',
        passphrase='demo').save()
    configuration = Configuration(1)
    configuration.trusted_roots = pki.roots_pem
    configuration.save()
    return "signing certificate: a demo CA made now (var/demo/pki)"


def lookup_example(pool, company):
    "A decision with something due, for paying without an account and at the kiosk"
    Assessment = pool.get('local_tax.assessment')
    assessments = Assessment.search([
            ('company', '=', company.id),
            ('obligations.state', '=', 'posted'),
            ('taxpayer.identifiers.type', '=', 'ro_cnp'),
            ], order=[('id', 'ASC')], limit=1)
    if not assessments:
        return
    assessment, = assessments
    return (f"without an account / kiosk: CNP {assessment.taxpayer.fiscal_code} + payment "
        f"reference {assessment.payment_reference} (decision {assessment.number})")


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
        "What to print once committed (the transaction may be restarted)"
        company_ = company()
        lines = [f"{user.email:40} {user.trust_level:10} {user.citizen_name}"
            for user in accounts(pool, company_, password)]
        models = {name for name, _ in pool.iterobject()}
        if 'ghiseul.configuration' in models:
            lines.append(ghiseul(pool, company_, args.emulator_url, demo_dir))
        if 'local_tax.assessment' in models:
            lines.append(lookup_example(pool, company_))
        if 'document_signature.certificate' in models:
            lines.append(signing_certificate(pool, company_, demo_dir))
        return [line for line in lines if line]
    print("demo_portal: citizen accounts")
    for line in run_committed(args.database, prepare):
        print(f"    {line}")


if __name__ == '__main__':
    main()
