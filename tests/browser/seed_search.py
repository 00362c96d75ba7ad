"""Create the taxpayers the clerk's search test looks for, directly through trytond.

Run by tests/browser/test_clerk_search.py in a subprocess with the venv's python:

    python tests/browser/seed_search.py -c CONFIG [CONFIG ...] -d DATABASE --out FILE.json

It commits and writes what the test types and expects to FILE.json. It reuses the modules' own
test fixtures, so it follows the model as it changes: a municipality with its 2026 council
decision; Pușcaș Ștefan with a CNP, an address on a street of the nomenclature, a car, an
apartment and his 2026 tax decision; a neighbour who has each of those too, so that a search
that finds everyone is seen.
"""
import argparse
import datetime as dt
import json
import sys
from pathlib import Path

PERSONS = [
    # key, last name, first name, CNP, street, number, plate, cadastral number of the apartment
    ('taxpayer', "Pușcaș", "Ștefan", '1630615123457', "Avram Iancu", '12', 'CJ 12 ABC',
        '123987-C1-U5'),
    ('neighbour', "Popescu", "Ion", '2700116065277', "Principală", '7', 'CJ 99 XYZ',
        '456321-C1-U7'),
    ]
YEAR = 2026


def seed(pool, out):
    from trytond.modules.local_tax.tests.test_module import (
        AFTER_OUG, create_apartment, set_rank)
    from trytond.modules.local_tax.tests.tools import create_decision, load_code_tables
    from trytond.modules.municipality.tests import tools

    User = pool.get('res.user')
    Street = pool.get('municipality.street')
    Address = pool.get('party.address')
    Vehicle = pool.get('vehicle.vehicle')
    Assessment = pool.get('local_tax.assessment')

    load_code_tables(YEAR)
    company = tools.create_municipality()
    set_rank(company, '0')
    create_decision(company, YEAR)
    admin, = User.search([('login', '=', 'admin')])
    User.write([admin], {'companies': [('add', [company.id])], 'company': company.id})

    people = {}
    for key, last, first, cnp, street_name, number, plate, cadastral in PERSONS:
        person = tools.create_person(last, first, cnp=cnp)
        street, = Street.search([('name', '=', street_name), ('company', '=', company.id)])
        Address.create([{
                    'party': person.id,
                    'locality': street.locality.id,
                    'ro_street': street.id,
                    'building_number': number,
                    }])
        vehicle = Vehicle(company=company, registration_number=plate, category='car',
            fuel='petrol', cylinder_capacity=1400, euro_norm='euro4',
            registration_date=dt.date(2020, 5, 1))
        vehicle.save()
        tools.own(vehicle, person)
        tools.own(create_apartment(company, cadastral_number=cadastral), person)
        people[key] = person
        out[key] = {'name': person.rec_name, 'cnp': cnp, 'street': street_name,
            'number': number, 'plate': plate, 'cadastral': cadastral}
    assessments = Assessment.assess(company, YEAR, AFTER_OUG, taxpayers=list(people.values()))
    for key, person in people.items():
        decision, = [a for a in assessments if a.taxpayer == person]
        out[key]['decision'] = decision.number
    out['company'] = company.id
    out['municipality'] = {'name': company.party.rec_name, 'cui': company.party.cui}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', nargs='+', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'scripts' / 'lib'))
    from trytond_db import open_pool, run_committed
    pool = open_pool(args.config, args.database)
    out = {}
    run_committed(args.database, lambda: seed(pool, out))
    Path(args.out).write_text(json.dumps(out, indent=2, default=str))
    print(json.dumps(out, indent=2, default=str))


if __name__ == '__main__':
    main()
