# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.modules.municipality.sequence import YearSequenceMixin
from trytond.pool import Pool
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction


class Register(DeactivableMixin, ModelSQL, ModelView):
    """A register of incoming, outgoing and internal documents.

    Instrucțiunile 217/1996 art. 9: one general register or several, without
    repeating numbers; registration is chronological and numbering restarts
    on 1 January.  Each register keeps one gapless sequence per year."""
    __name__ = 'document_registry.register'
    __string__ = "Register"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT')
    name = fields.Char("Name", required=True)
    code = fields.Char("Code", required=True)
    department = fields.Many2One(
        'staff.department', "Department", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="For the register of one department (a high-volume "
        "compartment); empty for the general register.")
    years = fields.One2Many(
        'document_registry.register.year', 'register', "Years",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.company, t.code),
                'document_registry.msg_register_code_unique'),
            ]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return f'{self.code} – {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('name', operator, operand, *extra),
            ('code', operator, operand, *extra),
            ]

    def lock_year(self, year):
        """Take the lock of the year's numbering (the strict sequence, or the
        register when the year has none yet) before any other work: taking a
        lock restarts the transaction, so what follows runs once,
        with the lock held, and the number is taken only after the checks"""
        Year = Pool().get('document_registry.register.year')
        return Year.lock_numbering(self, year)

    def take_numbers(self, year, count, sequence=None):
        """The next count numbers of the year (gapless: the strict sequence
        is locked until the transaction ends and a rollback returns them)"""
        Year = Pool().get('document_registry.register.year')
        if sequence is not None:
            numbers = sequence.get_many(count)
        else:
            numbers = Year.take_numbers(self, year, count)
        return [int(n) for n in numbers]


class RegisterYear(YearSequenceMixin, ModelSQL, ModelView):
    "The numbering of a register in one year"
    __name__ = 'document_registry.register.year'
    __string__ = "Register Year"

    register = fields.Many2One(
        'document_registry.register', "Register", required=True,
        ondelete='CASCADE')
    year = fields.Integer("Year", required=True)
    sequence = fields.Many2One(
        'ir.sequence.strict', "Sequence", required=True,
        ondelete='RESTRICT',
        domain=[('sequence_type', '=',
                Id('document_registry', 'sequence_type_document'))])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('register_year_unique', Unique(t, t.register, t.year),
                'document_registry.msg_register_year_unique'),
            ]
        cls._order.insert(0, ('year', 'DESC'))

    @classmethod
    def _key(cls, register, year):
        return {'register': register.id, 'year': year}

    @classmethod
    def _sequence_values(cls, register, year):
        ModelData = Pool().get('ir.model.data')
        return {
            'name': f'{register.code} {year}',
            'sequence_type': ModelData.get_id(
                'document_registry', 'sequence_type_document'),
            'company': register.company.id,
            'padding': 0,
            'number_next': 1,
            }
