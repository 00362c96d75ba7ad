# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .exceptions import EmployeeError


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    department = fields.Many2One(
        'staff.department', "Department", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    position = fields.Many2One(
        'staff.position', "Position", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    headed_departments = fields.One2Many(
        'staff.department', 'head', "Headed Departments", readonly=True)
    users = fields.Many2Many(
        'res.user-company.employee', 'employee', 'user', "Users",
        help="The back-office users who act as this employee.")

    @classmethod
    def validate_fields(cls, employees, field_names):
        super().validate_fields(employees, field_names)
        if field_names & {'company', 'department', 'position'}:
            for employee in employees:
                for record in [employee.department, employee.position]:
                    if record and record.company != employee.company:
                        raise EmployeeError(gettext(
                                'municipal_staff.msg_employee_company',
                                employee=employee.rec_name,
                                record=record.rec_name))

    def get_head(self):
        "The head this employee reports to for routed documents"
        if self.department:
            return self.department.get_head()
