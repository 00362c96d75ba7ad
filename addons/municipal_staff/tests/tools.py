# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Helpers to build the staff of a municipality in tests of later modules"
from trytond.modules.municipality.tests.tools import create_person
from trytond.pool import Pool


def create_department(company, name, code, kind='compartment', parent=None,
        head=None):
    Department = Pool().get('staff.department')
    department = Department(
        company=company, name=name, code=code, kind=kind, parent=parent,
        head=head)
    department.save()
    return department


def create_employee(company, last_name, first_name, department=None,
        login=None, position=None):
    """Create an employee (a person of the shared model) in the department,
    with a back-office user of that login when given"""
    pool = Pool()
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    party = create_person(last_name, first_name)
    employee = Employee(
        company=company, party=party, department=department,
        position=position)
    employee.save()
    if login:
        user = User(
            login=login, name=party.name, companies=[company],
            company=company, employees=[employee], employee=employee)
        user.save()
    return employee
