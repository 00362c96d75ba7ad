"""Create the reference data a registry clerk works with, directly through trytond.

Run by tests/browser/test_clerk_registry.py in a subprocess with the venv's python:

    python tests/browser/seed_registry.py -c CONFIG [CONFIG ...] -d DATABASE --out FILE.json
        --password PASSWORD

It commits and writes what the test needs to FILE.json. It reuses the modules' own test
fixtures, so it follows the model as it changes: a municipality (admin's company) with its
general register, the departments of document_registry's tests (a tax directorate with a
service and its clerk, urbanism), a person who sends a petition, and the registry clerk — a
back-office user in the Registry Clerk group, with the password given.
"""
import json
import sys
from pathlib import Path

CLERK_LOGIN = 'registratura'


def create_registry_clerk(pool, company, password, groups=()):
    """Marin Elena of the registry office, a back-office user (login CLERK_LOGIN, Romanian) in
    the Registry Clerk group and the groups given as (module, XML id); her employee"""
    from trytond.modules.municipal_staff.tests.tools import (
        create_department, create_employee)
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    Lang = pool.get('ir.lang')
    registry_office = create_department(company, "Registratura", 'REG')
    employee = create_employee(company, "Marin", "Elena", department=registry_office,
        login=CLERK_LOGIN)
    clerk_user, = User.search([('login', '=', CLERK_LOGIN)])
    romanian, = Lang.search([('code', '=', 'ro')])
    User.write([clerk_user], {
            'groups': [('add', [ModelData.get_id(module, xml_id) for module, xml_id in
                        [('document_registry', 'group_registry_clerk'), *groups]])],
            'password': password,
            'language': romanian.id,
            })
    return employee


def seed(pool, password):
    from trytond.modules.document_registry.tests.tools import (
        create_registry, create_staff)
    from trytond.modules.municipality.tests import tools

    User = pool.get('res.user')
    company = tools.create_municipality()
    admin, = User.search([('login', '=', 'admin')])
    User.write([admin], {'companies': [('add', [company.id])], 'company': company.id})
    register = create_registry(company)
    staff = create_staff(company)
    employee = create_registry_clerk(pool, company, password)
    sender = tools.create_person("Popescu", "Ion", cnp='1850315125790')
    return {
        'company': company.id,
        'register': register.rec_name,
        'clerk_login': CLERK_LOGIN,
        'clerk_employee': employee.rec_name,
        'department': staff['service'].rec_name,
        'department_id': staff['service'].id,
        'assignee': staff['clerk'].rec_name,
        'assignee_id': staff['clerk'].id,
        'sender': sender.rec_name,
        'sender_id': sender.id,
        }


def main():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'scripts' / 'lib'))
    from trytond_db import open_pool, parse_args, run_committed
    args = parse_args(__doc__.splitlines()[0], lambda parser: (
            parser.add_argument('--out', required=True),
            parser.add_argument('--password', required=True)))
    pool = open_pool(args.config, args.database)
    out = run_committed(args.database, lambda: seed(pool, args.password))
    Path(args.out).write_text(json.dumps(out, indent=2, ensure_ascii=False))
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == '__main__':
    main()
