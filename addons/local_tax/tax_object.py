# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The tax objects read in bulk for the assessment: buildings, parcels,
vehicles and localities with the fields the tax rules use, in a few
queries (bulk.py writes the decisions the same way)."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from trytond import backend
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction


class TaxObject:
    """A building, parcel, vehicle or locality read in bulk with the fields
    the tax rules use; any other attribute (rec_name in a message …) is
    read from the record.  Equal to the record it stands for."""

    def __init__(self, model, id_, values):
        self.__name__ = model
        self.id = id_
        self.__dict__.update(values)

    def __getattr__(self, name):
        if name.startswith('__') or name == '_record':
            raise AttributeError(name)
        record = self.__dict__.get('_record')
        if record is None:
            record = self._record = Pool().get(self.__name__)(self.id)
        return getattr(record, name)

    def __eq__(self, other):
        try:
            return (self.__name__, self.id) == (other.__name__, other.id)
        except AttributeError:
            return NotImplemented

    def __hash__(self):
        return hash(self.__name__) ^ hash(self.id)

    def __repr__(self):
        return f'TaxObject({self.__name__!r}, {self.id})'


class BuildingObject(TaxObject):

    @property
    def taxable_area(self):
        return Pool().get('property.building').taxable_area.fget(self)

    @property
    def has_all_utilities(self):
        return Pool().get(
            'property.building').on_change_with_has_all_utilities(self)


# The fields of the tax objects that the rules read (rules.py), and the
# class standing for their records
TAX_OBJECT_FIELDS = {
    'property.building': (BuildingObject, [
            'parcel', 'construction_type', 'base_construction_type',
            'year_built', 'year_renovated', 'built_area', 'useful_area',
            'use', 'non_residential_area', 'water', 'sewerage',
            'electricity', 'heating', 'apartment_in_block', 'floors',
            'block_apartments', 'tax_value',
            'tax_value_date', 'agricultural_use', 'activity_utilities']),
    'property.parcel': (TaxObject, [
            'locality', 'area', 'intravilan', 'use_category',
            'fiscal_zone']),
    'vehicle.vehicle': (TaxObject, [
            'category', 'cylinder_capacity', 'euro_norm', 'fuel',
            'co2_emissions', 'max_mass', 'registration_date',
            'deregistration_date']),
    'municipality.locality': (TaxObject, ['rank']),
    }


def _unescape(value):
    "A text value of COPY's text format"
    if '\\' not in value:
        return value
    return value.encode('latin-1', 'backslashreplace').decode(
        'unicode_escape')


def _boolean(value):
    return value == 't'


DATE_OID = 1082
# How the values of a field type are read from COPY's text format
COPY_CONVERTERS = {
    'integer': int,
    'many2one': int,
    'numeric': Decimal,
    'date': dt.date.fromisoformat,
    'boolean': _boolean,
    'char': _unescape,
    'selection': _unescape,
    }


def fetch(query, converters):
    """The rows of a python-sql select as tuples.  On PostgreSQL through
    COPY (…) TO STDOUT, each value converted from its text by the
    converter of its column: psycopg (pure Python here) spends ten times
    longer building the rows of a plain query than PostgreSQL running it."""
    cursor = Transaction().connection.cursor()
    if backend.name != 'postgresql':
        cursor.execute(*query)
        return cursor.fetchall()
    if dt.date.fromisoformat in converters:
        # the dates are written in the DateStyle of the server: read them
        # as psycopg does
        from psycopg.types.datetime import DateLoader
        load = DateLoader(DATE_OID, cursor.connection).load

        def date(value):
            return load(value.encode())
        converters = [date if c is dt.date.fromisoformat else c
            for c in converters]
    statement, params = tuple(query)
    with cursor.copy(f'COPY ({statement}) TO STDOUT', params) as copy:
        data = b''.join(copy).decode('utf-8')
    rows = []
    for line in data.split('\n'):
        if line:
            rows.append(tuple(
                    None if v == '\\N' else c(v)
                    for c, v in zip(converters, line.split('\t'))))
    return rows


def read_tax_objects(model, ids, objects):
    """Read the records of the model into TaxObjects added to objects
    ({(model, id): object}), and the targets of their Many2One fields, in
    a few queries"""
    pool = Pool()
    Model = pool.get(model)
    class_, names = TAX_OBJECT_FIELDS[model]
    ids = sorted({i for i in ids if (model, i) not in objects})
    if not ids:
        return
    table = Model.__table__()
    tables = {None: (table, None)}
    columns = [table.id.as_('id')]
    for name in names:
        field = Model._fields[name]
        column = field.sql_column(tables, Model).as_(name)
        if backend.name == 'sqlite':
            column.output_name += ' [%s]' % field.sql_type().base
        columns.append(column)
    targets = {n: Model._fields[n].model_name for n in names
        if Model._fields[n]._type == 'many2one'}
    converters = [int] + [
        COPY_CONVERTERS[Model._fields[n]._type] for n in names]
    read = []
    for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
        read.extend(fetch(table.select(*columns,
                    where=SQL_OPERATORS['in'](table.id, list(sub_ids))),
                converters))
    target_ids = defaultdict(set)
    for row in read:
        values = dict(zip(names, row[1:]))
        for name, target in targets.items():
            if values[name] is not None:
                target_ids[target].add(values[name])
        objects[(model, row[0])] = class_(model, row[0], values)
    if not targets:
        return
    for target, sub_ids in target_ids.items():
        read_tax_objects(target, sub_ids, objects)
    for row in read:
        object_ = objects[(model, row[0])]
        for name, target in targets.items():
            value = getattr(object_, name)
            if value is not None:
                setattr(object_, name, objects[(target, value)])
