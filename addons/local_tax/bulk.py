# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Set-based inserts for the annual assessment.

The batch writes hundreds of thousands of decision lines and obligations
that it computed and checked itself; through the ORM that would take
minutes (guide §4.1: 3 000 records/s), with multi-row INSERTs seconds.
The rows get the same create_uid/create_date the ORM would give them, and
the instance caches are invalidated afterwards."""
import datetime as dt

from sql import Table

from trytond.transaction import Transaction

CHUNK = 1000


def allocate_ids(Model, count):
    "Reserve `count` ids of the model's table"
    transaction = Transaction()
    if not count:
        return []
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


def insert(Model, columns, rows):
    """Insert the rows (tuples in the order of `columns`, with `id` first)
    and invalidate the caches; returns the number of rows"""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    table = Table(Model._table)
    now = dt.datetime.now()
    user = transaction.user
    sql_columns = [getattr(table, c) for c in columns] + [
        table.create_uid, table.create_date]
    count = 0
    for start in range(0, len(rows), CHUNK):
        chunk = [tuple(r) + (user, now) for r in rows[start:start + CHUNK]]
        cursor.execute(*table.insert(sql_columns, chunk))
        count += len(chunk)
    if rows:
        transaction.create_records[Model.__name__].extend(
            r[0] for r in rows)
        transaction.counter += 1
    return count
