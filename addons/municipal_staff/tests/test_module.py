# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model.exceptions import SQLConstraintError, ValidationError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.municipality.tests.tools import create_municipality
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from .tools import create_department, create_employee


class MunicipalStaffTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Municipal Staff module"
    module = 'municipal_staff'

    @property
    def _skip_company_rule(self):
        return super()._skip_company_rule | {
            ('municipality.locality', 'municipality'),
            }

    def chart(self, company):
        "A directorate with a service and a compartment under it"
        tax = create_department(
            company, "Direcția economică", 'DE', kind='directorate')
        service = create_department(
            company, "Serviciul impozite și taxe", 'SIT', kind='service',
            parent=tax)
        office = create_department(
            company, "Compartimentul urmărire", 'CU', parent=service)
        return tax, service, office

    @with_transaction()
    def test_department_tree_and_head(self):
        "A department without a head escalates to the nearest parent's head"
        company = create_municipality()
        with set_company(company):
            tax, service, office = self.chart(company)
            director = create_employee(
                company, "Pop", "Dana", department=tax)
            tax.head = director
            tax.save()
            clerk = create_employee(
                company, "Ion", "Vasile", department=office)
            self.assertEqual(office.get_head(), director)
            self.assertEqual(clerk.get_head(), director)
            chief = create_employee(
                company, "Rus", "Ana", department=service)
            service.head = chief
            service.save()
            self.assertEqual(clerk.get_head(), chief)
            self.assertEqual(tax.rec_name, "[DE] Direcția economică")
            Department = Pool().get('staff.department')
            self.assertEqual(
                Department.search([('rec_name', 'ilike', 'SIT')]), [service])

    @with_transaction()
    def test_departments_of_user(self):
        "A user sees the departments of his employees and their children"
        pool = Pool()
        Department = pool.get('staff.department')
        User = pool.get('res.user')
        Rule = pool.get('ir.rule')
        company = create_municipality()
        with set_company(company):
            tax, service, office = self.chart(company)
            other = create_department(company, "Urbanism", 'URB')
            create_employee(
                company, "Ion", "Vasile", department=service, login='vasile')
            user, = User.search([('login', '=', 'vasile')])
            self.assertEqual(
                Department.of_user(user.id), sorted([service.id, office.id]))
            with Transaction().set_user(user.id):
                context = Rule._get_context('staff.department')
            self.assertEqual(
                context['departments'], sorted([service.id, office.id]))
            self.assertNotIn(other.id, context['departments'])

    @with_transaction()
    def test_department_other_municipality_refused(self):
        "A department cannot hang under another municipality's department"
        first = create_municipality()
        second = create_company(name="Municipiul Dej")
        with set_company(first):
            tax, _, _ = self.chart(first)
        with set_company(second):
            with self.assertRaises(ValidationError):
                create_department(second, "Registratură", 'REG', parent=tax)

    @with_transaction()
    def test_employee_department_other_municipality_refused(self):
        "An employee cannot be placed in another municipality's department"
        first = create_municipality()
        second = create_company(name="Municipiul Dej")
        with set_company(first):
            tax, _, _ = self.chart(first)
        with set_company(second):
            with self.assertRaises(ValidationError):
                create_employee(second, "Pop", "Ion", department=tax)

    @with_transaction()
    def test_department_code_unique(self):
        "Two departments of a municipality cannot share a code"
        company = create_municipality()
        with set_company(company):
            create_department(company, "Registratură", 'REG')
            with self.assertRaises(SQLConstraintError):
                create_department(company, "Registratura generală", 'REG')


del ModuleTestCase
