# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Rate limits of the portal's public forms (registration, password reset,
public lookups, payment without an account), shared by every portal process
through the database.  Logins are throttled by web_user itself."""
import datetime as dt
import hashlib

from sql import Literal

from trytond.model import Index, ModelSQL, fields
from trytond.transaction import Transaction


class Throttle(ModelSQL):
    __name__ = 'citizen_portal.throttle'
    __string__ = "Portal Rate Limit"

    bucket = fields.Char("Bucket", required=True)
    key = fields.Char("Key", required=True, help="A hash of the client.")
    window = fields.Timestamp("Window", required=True)
    hits = fields.Integer("Hits", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.bucket, Index.Equality()), (t.key, Index.Equality()),
                (t.window, Index.Range())))

    @classmethod
    def hit(cls, bucket, client, limit, period):
        """Count one request of the client in the bucket; False when it is
        over the limit of the period (seconds).  Committed at once in its
        own transaction, so a refused or failed request still counts."""
        key = hashlib.sha256(f'{bucket}:{client}'.encode()).hexdigest()
        now = dt.datetime.now()
        window = dt.datetime.fromtimestamp(
            int(now.timestamp()) // period * period)
        transaction = Transaction()
        with transaction.new_transaction() as new:
            table = cls.__table__()
            cursor = new.connection.cursor()
            cursor.execute(*table.update(
                    [table.hits], [table.hits + Literal(1)],
                    where=(table.bucket == bucket) & (table.key == key)
                    & (table.window == window)))
            if not cursor.rowcount:
                # a new window: old windows are dropped then, not on every
                # request
                cursor.execute(*table.delete(
                        where=table.window < now - dt.timedelta(days=1)))
                cursor.execute(*table.insert(
                        [table.bucket, table.key, table.window, table.hits,
                            table.create_uid, table.create_date],
                        [[bucket, key, window, 1, 0, now]]))
                hits = 1
            else:
                cursor.execute(*table.select(table.hits,
                        where=(table.bucket == bucket) & (table.key == key)
                        & (table.window == window)))
                hits, = cursor.fetchone()
            new.commit()
        return hits <= limit
