# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Set-based inserts for the annual assessment.

The batch writes hundreds of thousands of decision lines and obligations
that it computed and checked itself; through the ORM that would take
minutes (about 3 000 records/s measured), with multi-row INSERTs seconds.
The rows get the same create_uid/create_date the ORM would give them, and
the instance caches are invalidated afterwards.

On PostgreSQL the rows are sent with COPY … FROM STDIN (psycopg 3
Cursor.copy), CHUNK rows per COPY: a multi-row INSERT of a thousand rows
carries some 14 000 placeholders, which psycopg parses on every execution
(it caches only statements of up to 50 parameters): that parsing cost more
than the whole computation.  Elsewhere (SQLite) multi-row INSERTs, whose
statement is written once per table and chunk size."""
import datetime as dt

from sql import Flavor

from trytond import backend
from trytond.transaction import Transaction

CHUNK = 1000


def allocate_ids(Model, count):
    "Reserve `count` ids of the model's table"
    transaction = Transaction()
    if not count:
        return []
    if backend.name == 'postgresql':
        # the ids through COPY: psycopg (pure Python) builds the rows of a
        # plain SELECT of a hundred thousand ids slower than the server
        # draws them
        cursor = transaction.connection.cursor()
        with cursor.copy(
                "COPY (SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                "FROM generate_series(1, %s)) TO STDOUT",
                (f'"{Model._table}"', count)) as copy:
            data = b''.join(copy)
        return [int(i) for i in data.split()]
    ids = transaction.database.nextid(
        transaction.connection, Model._table, count)
    if ids is None:
        # SQLite: no sequence; the write lock of the transaction serialises
        table = Model.__table__()
        cursor = transaction.connection.cursor()
        cursor.execute(*table.select(table.id, order_by=[table.id.desc],
                limit=1))
        row = cursor.fetchone()
        start = (row[0] if row else 0) + 1
        return list(range(start, start + count))
    if count == 1:
        return [ids]
    return ids


def insert_statement(table, columns, count):
    "INSERT INTO table (columns) VALUES (…), … for `count` rows"
    param = Flavor.get().param
    row = '(' + ', '.join([param] * len(columns)) + ')'
    return (f'INSERT INTO "{table}" ('
        + ', '.join(f'"{c}"' for c in columns) + ') VALUES '
        + ', '.join([row] * count))


def insert(Model, columns, rows):
    """Insert the rows (tuples in the order of `columns`, with `id` first)
    and invalidate the caches; returns the number of rows"""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    now = dt.datetime.now()
    user = transaction.user
    columns = list(columns) + ['create_uid', 'create_date']
    write = _copy if backend.name == 'postgresql' else _insert
    count = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        write(cursor, Model._table, columns,
            [tuple(r) + (user, now) for r in chunk])
        count += len(chunk)
    if rows:
        transaction.create_records[Model.__name__].extend(
            r[0] for r in rows)
        transaction.counter += 1
    return count


def copy_statement(table, columns):
    return (f'COPY "{table}" ('
        + ', '.join(f'"{c}"' for c in columns) + ') FROM STDIN')


# COPY's text format: a backslash, newline, carriage return and tab are
# escaped, NULL is \N (PostgreSQL documentation, COPY, "Text Format")
_ESCAPES = str.maketrans({
        '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t'})


def copy_text(value):
    """A value in COPY's text format: the text PostgreSQL reads for int,
    Decimal, str, bool, date and datetime (formatted here rather than by
    psycopg's row writer, which costs several times more in pure Python)"""
    if value is None:
        return '\\N'
    if value is True:
        return 't'
    if value is False:
        return 'f'
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)


def copy_rows(cursor, table, columns, rows):
    "COPY the rows (tuples in the order of columns) into the table"
    # copy_text inlined: a call per value costs as much as its work
    escapes = _ESCAPES
    data = ''.join(
        '\t'.join([
                '\\N' if v is None
                else 't' if v is True
                else 'f' if v is False
                else v.translate(escapes) if isinstance(v, str)
                else str(v)
                for v in row]) + '\n'
        for row in rows)
    with cursor.copy(copy_statement(table, columns)) as copy:
        copy.write(data)


_copy = copy_rows


_statements = {}


def _insert(cursor, table, columns, rows):
    key = (table, tuple(columns), len(rows), Flavor.get().param)
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = insert_statement(
            table, columns, len(rows))
    cursor.execute(statement, [v for row in rows for v in row])
