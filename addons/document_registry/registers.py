# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
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
        pool = Pool()
        Year = pool.get('document_registry.register.year')
        Sequence = pool.get('ir.sequence.strict')
        years = Year.search([
                ('register', '=', self.id),
                ('year', '=', year),
                ], limit=1)
        if years:
            Sequence.lock([years[0].sequence])
            return years[0].sequence
        self.__class__.lock([self])

    def take_numbers(self, year, count, sequence=None):
        """The next count numbers of the year (gapless: the strict sequence
        is locked until the transaction ends and a rollback returns them)"""
        Year = Pool().get('document_registry.register.year')
        if sequence is not None:
            return [int(n) for n in sequence.get_many(count)]
        years = Year.search([
                ('register', '=', self.id),
                ('year', '=', year),
                ], limit=1)
        if not years:
            # The first registration of the year creates the sequence under
            # the register's lock, so that two clerks do not both create it
            # (the lock restarts the transaction).
            self.__class__.lock([self])
            years = Year.search([
                    ('register', '=', self.id),
                    ('year', '=', year),
                    ], limit=1)
        if years:
            sequence = years[0].sequence
        else:
            sequence = Year.create_sequence(self, year)
        return [int(n) for n in sequence.get_many(count)]


class RegisterYear(ModelSQL, ModelView):
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
    def create_sequence(cls, register, year):
        pool = Pool()
        Sequence = pool.get('ir.sequence.strict')
        ModelData = pool.get('ir.model.data')
        sequence, = Sequence.create([{
                    'name': f'{register.code} {year}',
                    'sequence_type': ModelData.get_id(
                        'document_registry', 'sequence_type_document'),
                    'company': register.company.id,
                    'padding': 0,
                    'number_next': 1,
                    }])
        cls.create([{
                    'register': register.id,
                    'year': year,
                    'sequence': sequence.id,
                    }])
        return sequence
