# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Rate limits of the portal (logins, registration, password reset, public
lookups, payment without an account), shared by every portal process
through the database."""
import datetime as dt
import hashlib
from contextlib import contextmanager

from sql import Conflict, Literal
from sql.conditionals import Case

from trytond import backend
from trytond.model import ModelSQL, Unique, fields
from trytond.transaction import Transaction


class Throttle(ModelSQL):
    __name__ = 'citizen_portal.throttle'
    __string__ = "Portal Rate Limit"

    bucket = fields.Char("Bucket", required=True)
    key = fields.Char("Key", required=True, help="A hash of the client.")
    window = fields.Timestamp(
        "Window", required=True, help="When the period counted began.")
    hits = fields.Integer("Hits", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('bucket_key_unique', Unique(t, t.bucket, t.key),
                'citizen_portal.msg_throttle_unique'),
            ]

    @classmethod
    def __register__(cls, module):
        # counters of minutes: dropped at an update of the module rather
        # than migrated (one row a key since the unique constraint)
        if backend.TableHandler.table_exist(cls._table):
            cursor = Transaction().connection.cursor()
            cursor.execute(*cls.__table__().delete())
        super().__register__(module)

    @staticmethod
    def _key(bucket, client):
        return hashlib.sha256(f'{bucket}:{client}'.encode()).hexdigest()

    @classmethod
    def hit(cls, bucket, client, limit, period):
        """Count one request of the client in the bucket; False when it is
        over the limit of the period (seconds) begun at its first request.
        Counted by one atomic statement committed at once, before the
        request does anything: a refused, failed or parallel request counts
        too."""
        now = dt.datetime.now()
        table = cls.__table__()
        expired = table.window <= now - dt.timedelta(seconds=period)
        key = cls._key(bucket, client)
        with counting() as (database, cursor):
            query = table.insert(
                [table.bucket, table.key, table.window, table.hits,
                    table.create_uid, table.create_date],
                [[bucket, key, now, 1, 0, now]],
                on_conflict=Conflict(table,
                    indexed_columns=[table.bucket, table.key],
                    columns=[table.window, table.hits],
                    values=[
                        Case((expired, now), else_=table.window),
                        Case((expired, Literal(1)),
                            else_=table.hits + Literal(1)),
                        ]))
            if database.has_returning():
                query.returning = [table.hits]
                cursor.execute(*query)
            else:
                # SQLite: one writer at a time, the row read after is ours
                cursor.execute(*query)
                cursor.execute(*table.select(table.hits,
                        where=(table.bucket == bucket) & (table.key == key)))
            hits, = cursor.fetchone()
            if hits == 1:
                # a new period: old ones are dropped then, not on every
                # request
                cursor.execute(*table.delete(
                        where=table.window < now - dt.timedelta(days=1)))
        return hits <= limit

    @classmethod
    def refund(cls, bucket, client):
        "Uncount one request of the client (a login that succeeded)"
        table = cls.__table__()
        with counting() as (_, cursor):
            cursor.execute(*table.update(
                    [table.hits], [table.hits - Literal(1)],
                    where=(table.bucket == bucket)
                    & (table.key == cls._key(bucket, client))
                    & (table.hits > 0)))


@contextmanager
def counting():
    """A cursor in a transaction of its own, committed at once; on
    PostgreSQL in autocommit (READ COMMITTED), so that parallel requests wait
    for the row instead of failing to serialise (REPEATABLE READ)"""
    with Transaction().new_transaction(
            autocommit=backend.name == 'postgresql') as transaction:
        yield transaction.database, transaction.connection.cursor()
        transaction.commit()
