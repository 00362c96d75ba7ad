"""Create the little data the browser test looks at, directly through trytond.

Run by tests/browser/test_backoffice.py in a subprocess with the venv's python:

    python tests/browser/seed.py -c CONFIG [CONFIG ...] -d DATABASE

It commits, prints what it created and exits non-zero on any error. It reuses the municipality
module's own test fixtures (trytond.modules.municipality.tests.tools), so it follows the model
as it changes. The browser test needs: one municipality (the admin's company), a few persons and
one parcel with a building.
"""
import sys
from pathlib import Path

BUILDING_NAME = "Casă de locuit"         # the browser test waits for it in the form


def seed(pool):
    from trytond.modules.municipality.tests import tools

    User = pool.get('res.user')
    company = tools.create_municipality()
    admin, = User.search([('login', '=', 'admin')])
    User.write([admin], {
            'companies': [('add', [company.id])],
            'company': company.id,
            })
    print(f"municipality: {company.rec_name} (id {company.id}), admin's company")

    persons = [
        tools.create_person("Popescu", "Ion"),
        tools.create_person("Ionescu", "Maria"),
        tools.create_person("Georgescu", "Andrei"),
        ]
    print(f"persons: {', '.join(p.rec_name for p in persons)}")

    parcel = tools.create_parcel(company)
    building = tools.create_building(parcel, name=BUILDING_NAME)
    tools.own(parcel, persons[0])
    tools.own(building, persons[0])
    print(f"parcel {parcel.rec_name} with building {building.rec_name}, "
        f"owned by {persons[0].rec_name}")


def main():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'scripts' / 'lib'))
    from trytond_db import open_pool, parse_args
    args = parse_args(__doc__.splitlines()[0])
    pool = open_pool(args.config, args.database)

    from trytond.transaction import Transaction
    # user 0 (root); leaving the block without an exception commits
    with Transaction().start(args.database, 0):
        seed(pool)

if __name__ == '__main__':
    main()
