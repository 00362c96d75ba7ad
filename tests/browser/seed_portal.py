"""Create the data the portal's browser test walks through, directly through trytond.

Run by tests/browser/test_portal.py in a subprocess with the venv's python:

    python tests/browser/seed_portal.py -c CONFIG [CONFIG ...] -d DATABASE --out FILE.json
        --emulator-url URL --institution CODE:USER:PASSWORD --notify USER:PASSWORD
        --pki-dir DIR --clerk-password PASSWORD

It commits and writes what the test needs (codes, numbers, passwords) to FILE.json. It reuses the
modules' own test fixtures, so it follows the model as it changes: a municipality with its 2026
council decision, two taxpayers with an apartment each and their 2026 tax decisions, the registry
clerk who validates citizen accounts and answers requests in sao (a user with the clerk password
given), the Ghișeul.ro connection to the emulator, the catalogue of services.
"""
import argparse
import json
import sys
from pathlib import Path


def _cnp(body):
    from stdnum.ro import cnp
    return body + cnp.calc_check_digit(body)


KIOSK_CNP = _cnp('286112012579')


def seed_taxes(pool, out):
    from trytond.modules.local_tax.tests.test_module import (
        AFTER_OUG, create_apartment, set_rank)
    from trytond.modules.local_tax.tests.tools import (
        create_decision, load_code_tables)
    from trytond.modules.municipality.tests import tools

    User = pool.get('res.user')
    Assessment = pool.get('local_tax.assessment')
    load_code_tables(2026)
    company = tools.create_municipality()
    set_rank(company, '0')
    create_decision(company, 2026)
    admin, = User.search([('login', '=', 'admin')])
    User.write([admin], {'companies': [('add', [company.id])], 'company': company.id})
    people = {}
    for key, last, first, cnp in [
            ('registered', "Munteanu", "Elena", '2850315125792'),
            ('anonymous', "Rusu", "Petru", '1790521125799'),
            ('kiosk', "Stan", "Maria", KIOSK_CNP),
            ]:
        person = tools.create_person(last, first, cnp=cnp)
        tools.own(create_apartment(company), person)
        people[key] = person
    assessments = Assessment.assess(
        company, 2026, AFTER_OUG, taxpayers=list(people.values()))
    for key, person in people.items():
        decision, = [a for a in assessments if a.taxpayer == person]
        out[key] = {'cnp': person.cnp, 'name': person.rec_name,
            'decision': decision.number,
            'reference': decision.payment_reference, 'party': person.id}
    out['requester'] = {'cnp': _cnp('192030412579')}
    out['company'] = company.id
    return company


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', nargs='+', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--out', required=True)
    parser.add_argument('--emulator-url', required=True)
    parser.add_argument('--institution', required=True)
    parser.add_argument('--notify', required=True)
    parser.add_argument('--pki-dir', required=True)
    parser.add_argument('--clerk-password', required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'scripts' / 'lib'))
    from trytond_db import open_pool, run_committed
    pool = open_pool(args.config, args.database)
    out = {}

    def seed():
        company = seed_taxes(pool, out)
        seed_ghiseul(pool, company, args)
        seed_signature(pool, company, args.pki_dir)
        seed_clerk(pool, company, out, args.clerk_password)
    run_committed(args.database, seed)
    Path(args.out).write_text(json.dumps(out, indent=2, default=str))
    print(json.dumps(out, indent=2, default=str))


def seed_ghiseul(pool, company, args):
    "The municipality's connection to the emulator"
    from decimal import Decimal
    code, out_user, out_password = args.institution.split(':', 2)
    in_user, in_password = args.notify.split(':', 1)
    Configuration = pool.get('ghiseul.configuration')
    Configuration(
        company=company, institution_code=code, endpoint_url=args.emulator_url,
        out_username=out_user, out_password=out_password, in_username=in_user,
        in_password=in_password, retries=2, backoff=Decimal('0.2'),
        timeout=Decimal('10')).save()


def seed_signature(pool, company, directory):
    """The municipality's signing certificate and trusted roots from a test PKI made now
    (document_signature's own test helpers)"""
    from trytond.modules.document_signature.tests.pki import build_pki
    pki = build_pki(directory)
    Certificate = pool.get('document_signature.certificate')
    Configuration = pool.get('document_signature.configuration')
    Certificate(company=company, name="Sigiliu primărie (test)",
        pkcs12=pki.pkcs12(pki.municipality, b'secret'), pkcs12_name='primarie.p12',
        passphrase='secret').save()
    configuration = Configuration(1)
    configuration.trusted_roots = pki.roots_pem
    configuration.save()


def seed_clerk(pool, company, out, password):
    """The departments the services send requests to, and the registry clerk who validates the
    citizens' accounts and answers their requests in sao (Registry Clerk and Citizen Portal
    Clerk)"""
    from seed_registry import CLERK_LOGIN, create_registry_clerk

    from trytond.modules.document_registry.tests.tools import create_registry, create_staff
    create_registry(company)
    staff = create_staff(company)
    out['clerk'] = staff['clerk'].rec_name
    create_registry_clerk(pool, company, password,
        groups=[('citizen_portal', 'group_portal_clerk')])
    out['clerk_login'] = CLERK_LOGIN


if __name__ == '__main__':
    main()
