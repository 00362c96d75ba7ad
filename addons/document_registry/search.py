# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Full-text search over a normalised text column.

The column search_text holds the searchable text lower-cased and without
diacritics (content.normalize).  On PostgreSQL it is indexed with GIN over
to_tsvector of a Romanian configuration "openprimarie_ro" (a copy of the
built-in romanian stemmer, with unaccent in front of it when the extension
is available); on SQLite every word must appear in the text (LIKE)."""
import logging

from sql import Expression, Literal
from sql.functions import Function
from sql.operators import Like

from trytond import backend
from trytond.model import fields
from trytond.transaction import Transaction

from .content import normalize

logger = logging.getLogger(__name__)
TS_CONFIG = 'openprimarie_ro'


class TsConfig(Expression):
    "The configuration as a constant, so that the GIN index expression matches"
    __slots__ = ()

    def __str__(self):
        return f"'{TS_CONFIG}'::regconfig"

    @property
    def params(self):
        return ()


class ToTsvector(Function):
    __slots__ = ()
    _function = 'TO_TSVECTOR'


class PlainToTsquery(Function):
    __slots__ = ()
    _function = 'PLAINTO_TSQUERY'


class Match(Function):
    "left @@ right"
    __slots__ = ()

    def __str__(self):
        left, right = self.args
        return f'({self._format(left)} @@ {self._format(right)})'


def create_text_search_configuration(cursor):
    "Create the Romanian accent-insensitive configuration once per database"
    cursor.execute(
        "SELECT 1 FROM pg_ts_config WHERE cfgname = %s", (TS_CONFIG,))
    if cursor.fetchone():
        return
    cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'romanian'")
    template = 'romanian' if cursor.fetchone() else 'simple'
    cursor.execute(
        f'CREATE TEXT SEARCH CONFIGURATION {TS_CONFIG} (COPY = {template})')
    unaccent = False
    cursor.execute('SAVEPOINT openprimarie_unaccent')
    try:
        cursor.execute('CREATE EXTENSION IF NOT EXISTS unaccent')
        cursor.execute('RELEASE SAVEPOINT openprimarie_unaccent')
        unaccent = True
    except backend.DatabaseOperationalError:
        cursor.execute('ROLLBACK TO SAVEPOINT openprimarie_unaccent')
    except Exception:
        cursor.execute('ROLLBACK TO SAVEPOINT openprimarie_unaccent')
        logger.warning("unaccent extension unavailable", exc_info=True)
    if unaccent:
        stemmer = 'romanian_stem' if template == 'romanian' else 'simple'
        cursor.execute(
            f'ALTER TEXT SEARCH CONFIGURATION {TS_CONFIG} '
            'ALTER MAPPING FOR hword, hword_part, word '
            f'WITH unaccent, {stemmer}')


class FullTextMixin:
    "Adds search_text and a text searcher (the one search box)"
    __slots__ = ()
    search_text = fields.Text("Search Text", readonly=True)
    text = fields.Function(
        fields.Char("Text"), 'get_text', searcher='search_text_words')

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        transaction = Transaction()
        if backend.name != 'postgresql':
            return
        cursor = transaction.connection.cursor()
        create_text_search_configuration(cursor)
        cursor.execute(
            f'CREATE INDEX IF NOT EXISTS "{cls._table}_fts_idx" '
            f'ON "{cls._table}" USING GIN '
            f"(TO_TSVECTOR('{TS_CONFIG}'::regconfig, search_text))")

    def get_text(self, name):
        return None

    @classmethod
    def search_text_words(cls, name, clause):
        _, operator, operand, *_ = clause
        query = normalize((operand or '').replace('%', ' '))
        if not query:
            return []
        table = cls.__table__()
        if backend.name == 'postgresql':
            vector = ToTsvector(TsConfig(), table.search_text)
            where = Match(vector, PlainToTsquery(TsConfig(), query))
        else:
            where = Literal(True)
            for word in query.split():
                where &= Like(table.search_text, f'%{escape(word)}%',
                    escape='\\')
        sub = table.select(table.id, where=where)
        if operator.startswith('not') or operator.startswith('!'):
            return [('id', 'not in', sub)]
        return [('id', 'in', sub)]


def escape(word):
    return (word.replace('\\', '\\\\').replace('%', '\\%')
        .replace('_', '\\_'))
