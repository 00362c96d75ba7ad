# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields, tree)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import DepartmentError

# The organisation chart (organigrama) of the mayor's specialist apparatus is
# approved by the local council, Codul administrativ art. 129(3)(c).
DEPARTMENT_KINDS = [
    ('directorate', "Directorate (direcție)"),
    ('service', "Service (serviciu)"),
    ('office', "Office (birou)"),
    ('compartment', "Compartment (compartiment)"),
    ]

# Codul administrativ art. 390-394 (civil servants), Codul muncii and
# Legea-cadru 153/2017 (contract staff); elected officials apart.
POSITION_KINDS = [
    ('civil_servant', "Civil Servant (funcție publică)"),
    ('contract', "Contract Staff (personal contractual)"),
    ('elected', "Elected Official"),
    ]

POSITION_CATEGORIES = [
    (None, ""),
    ('management', "Management"),
    ('execution', "Execution"),
    ]


class Department(DeactivableMixin, tree(), ModelSQL, ModelView):
    __name__ = 'staff.department'
    __string__ = "Department"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT')
    name = fields.Char("Name", required=True)
    code = fields.Char(
        "Code", help="Short code of the department, used in registers "
        "and in the archival nomenclature.")
    kind = fields.Selection(DEPARTMENT_KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    parent = fields.Many2One(
        'staff.department', "Parent", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    children = fields.One2Many('staff.department', 'parent', "Children")
    head = fields.Many2One(
        'company.employee', "Head", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="The head of the department (director, șef serviciu, "
        "șef birou); documents are escalated to this person.")
    employees = fields.One2Many(
        'company.employee', 'department', "Employees")
    positions = fields.One2Many('staff.position', 'department', "Positions")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.company, t.code),
                'municipal_staff.msg_department_code_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.parent, Index.Range())))
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'compartment'

    def get_rec_name(self, name):
        if self.code:
            return f'[{self.code}] {self.name}'
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('name', operator, operand, *extra),
            ('code', operator, operand, *extra),
            ]

    @classmethod
    def validate_fields(cls, departments, field_names):
        super().validate_fields(departments, field_names)
        if field_names & {'company', 'parent', 'head'}:
            for department in departments:
                department.check_company()

    def check_company(self):
        if self.parent and self.parent.company != self.company:
            raise DepartmentError(gettext(
                    'municipal_staff.msg_department_parent_company',
                    department=self.rec_name))
        if self.head and self.head.company != self.company:
            raise DepartmentError(gettext(
                    'municipal_staff.msg_department_head_company',
                    department=self.rec_name, head=self.head.rec_name))

    def get_head(self):
        "The head of the department, else of the nearest parent that has one"
        department = self
        while department:
            if department.head:
                return department.head
            department = department.parent

    @classmethod
    def descendants(cls, departments):
        "The departments with all their sub-departments"
        if not departments:
            return []
        return cls.search([
                ('parent', 'child_of', [d.id for d in departments]),
                ])

    @classmethod
    def of_user(cls, user_id=None):
        "Ids of the departments of the user's employees and their children"
        pool = Pool()
        User = pool.get('res.user')
        Employee = pool.get('company.employee')
        with without_check_access(), \
                Transaction().set_user(user_id or Transaction().user):
            employees = Employee.browse(User.get_employees())
            departments = {e.department for e in employees if e.department}
            departments |= {
                d for e in employees for d in e.headed_departments}
            return sorted({d.id for d in cls.descendants(list(departments))})


class Position(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'staff.position'
    __string__ = "Position"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT')
    name = fields.Char("Name", required=True)
    code = fields.Char(
        "Code", help="Number of the post in the staffing plan "
        "(stat de funcții).")
    department = fields.Many2One(
        'staff.department', "Department", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    kind = fields.Selection(POSITION_KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    category = fields.Selection(
        POSITION_CATEGORIES, "Category",
        help="Management or execution post (Codul administrativ art. 394).")
    employees = fields.One2Many('company.employee', 'position', "Employees")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'civil_servant'

    @classmethod
    def validate_fields(cls, positions, field_names):
        super().validate_fields(positions, field_names)
        if field_names & {'company', 'department'}:
            for position in positions:
                if (position.department
                        and position.department.company != position.company):
                    raise DepartmentError(gettext(
                            'municipal_staff.msg_position_department_company',
                            position=position.rec_name))
