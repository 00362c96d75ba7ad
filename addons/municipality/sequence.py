# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Gapless numbering per year.

A register, a cash desk's receipts, a municipality's certificates or
decisions are numbered without gaps and from 1 again every year
(Instrucțiunile 217/1996 art. 9 for the registry).  One Tryton strict
sequence (ir.sequence.strict) per owner and year does it: taking a number
locks the sequence's row until the transaction ends, so a number is
consumed only when the transaction commits and a rollback gives it back; a
strict sequence never restarts by itself, hence one per year.

The first number of a year creates the sequence under the lock of its owner
(a register, a desk, a municipality), so that two transactions do not both
create it.  Locks in Tryton restart the transaction: take the lock first
(lock_numbering) and the numbers last, after the checks."""
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access


class YearSequenceMixin:
    """The strict sequences of an owner, one per year.

    The model has a Many2One `sequence` to ir.sequence.strict and the fields
    of its key (_key: the owner and the year); it says how a new sequence is
    made (_sequence_values)."""
    __slots__ = ()

    @classmethod
    def _key(cls, owner, year, **key):
        "The values of the fields that identify the record of owner and year"
        raise NotImplementedError

    @classmethod
    def _sequence_values(cls, owner, year, **key):
        "The values of the strict sequence of owner and year"
        raise NotImplementedError

    @classmethod
    @without_check_access
    def find_sequence(cls, owner, year, **key):
        "The strict sequence of owner and year, or None"
        records = cls.search([(name, '=', value)
                for name, value in cls._key(owner, year, **key).items()],
            limit=1)
        return records[0].sequence if records else None

    @classmethod
    def lock_numbering(cls, owner, year, **key):
        """Lock the numbering of owner and year before any other work: its
        sequence, or the owner while the year has none; returns the
        sequence or None"""
        sequence = cls.find_sequence(owner, year, **key)
        if sequence is not None:
            Pool().get('ir.sequence.strict').lock([sequence])
        else:
            owner.__class__.lock([owner])
        return sequence

    @classmethod
    @without_check_access
    def get_sequence(cls, owner, year, start=None, **key):
        """The strict sequence of owner and year, created on first use;
        start() gives its first number (the numbers given before the
        sequence existed, by another way, go on)"""
        Sequence = Pool().get('ir.sequence.strict')
        sequence = cls.find_sequence(owner, year, **key)
        if sequence is None:
            owner.__class__.lock([owner])
            sequence = cls.find_sequence(owner, year, **key)
        if sequence is None:
            values = cls._sequence_values(owner, year, **key)
            if start is not None:
                values['number_next'] = start()
            sequence, = Sequence.create([values])
            values = cls._key(owner, year, **key)
            values['sequence'] = sequence.id
            cls.create([values])
        return sequence

    @classmethod
    def take_numbers(cls, owner, year, count=1, start=None, **key):
        "The next count numbers of owner and year (strings)"
        sequence = cls.get_sequence(owner, year, start=start, **key)
        return list(sequence.get_many(count))


class YearSequence(YearSequenceMixin, ModelSQL, ModelView):
    """The numbering of one kind of document of a municipality in one year.

    A module that numbers its documents per municipality and year declares
    an ir.sequence.type and takes its numbers with
    take_numbers(company, year, count, sequence_type=type_id)."""
    __name__ = 'municipality.year_sequence'
    __string__ = "Yearly Numbering"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='CASCADE')
    sequence_type = fields.Many2One(
        'ir.sequence.type', "Sequence Type", required=True,
        ondelete='RESTRICT')
    year = fields.Integer("Year", required=True)
    sequence = fields.Many2One(
        'ir.sequence.strict', "Sequence", required=True, readonly=True,
        ondelete='RESTRICT',
        domain=[
            ('sequence_type', '=', Eval('sequence_type', -1)),
            ('company', 'in', [Eval('company', -1), None]),
            ])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_type_year_unique',
                Unique(t, t.company, t.sequence_type, t.year),
                'municipality.msg_year_sequence_unique'),
            ]
        cls._order = [('year', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def _key(cls, company, year, sequence_type):
        return {
            'company': company.id,
            'sequence_type': int(sequence_type),
            'year': year,
            }

    @classmethod
    def _sequence_values(cls, company, year, sequence_type):
        SequenceType = Pool().get('ir.sequence.type')
        return {
            'name': (f'{SequenceType(int(sequence_type)).name} '
                f'{company.rec_name} {year}'),
            'sequence_type': int(sequence_type),
            'company': company.id,
            'prefix': f'{year}/',
            'padding': 0,
            }
