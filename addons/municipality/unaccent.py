# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Searching without diacritics: "Puscas" finds "Pușcaș".

Tryton's ilike compares unaccent(column) with unaccent(value) when the
database has an unaccent function.  On PostgreSQL that is the extension of
the same name, created here when the database user may create it (the
docker "init" and the tests create it too).  trytond's SQLite backend (the
demo) has none and compares with SQLite's UPPER and LIKE, which fold the
case of ASCII letters only: this module registers a Python unaccent on
each SQLite connection, after which every letter we use is ASCII."""
import logging
import unicodedata

from sql.functions import Function

from trytond import backend

logger = logging.getLogger(__name__)


class Unaccent(Function):
    __slots__ = ()
    _function = 'unaccent'


def unaccent(text):
    "The text without its combining marks: ă â î ș ț ş ţ ő ű → a a i s t s t o u"
    if text is None:
        return None
    return ''.join(c for c in unicodedata.normalize('NFKD', str(text))
        if not unicodedata.combining(c))


def register_on_sqlite():
    "Give trytond's SQLite backend an unaccent function (once per process)"
    if backend.name != 'sqlite':
        return
    Database = backend.Database
    if getattr(Database, 'openprimarie_unaccent', False):
        return

    def unaccent_expression(self, value):
        # the connection may be older than this module's import: register
        # the function on the connection that runs the query, once
        connection = self.connect()._conn
        if not getattr(connection, 'openprimarie_unaccent', False):
            connection.create_function(
                'unaccent', 1, unaccent, deterministic=True)
            connection.openprimarie_unaccent = True
        return Unaccent(value)

    Database.has_unaccent = lambda self: True
    Database.unaccent = unaccent_expression
    Database.openprimarie_unaccent = True


def create_extension(cursor):
    "Create PostgreSQL's unaccent extension if it is missing and allowed"
    if backend.name != 'postgresql':
        return
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
    if cursor.fetchone():
        return
    cursor.execute('SAVEPOINT openprimarie_unaccent')
    try:
        cursor.execute('CREATE EXTENSION IF NOT EXISTS unaccent')
    except Exception:           # not installed, or the user may not create it
        cursor.execute('ROLLBACK TO SAVEPOINT openprimarie_unaccent')
        logger.warning("could not create the unaccent extension: searches "
            "will need the diacritics", exc_info=True)
    else:
        cursor.execute('RELEASE SAVEPOINT openprimarie_unaccent')
        # trytond remembers per process whether the function exists
        backend.Database._has_proc.clear()
