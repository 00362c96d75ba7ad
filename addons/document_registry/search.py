# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Full-text search over a normalised text column.

The column search_text holds the searchable text lower-cased and without
diacritics (content.normalize).  On PostgreSQL a generated tsvector column
of a Romanian configuration "openprimarie_ro" (a copy of the built-in
romanian stemmer, with unaccent in front of it when the extension is
available) is indexed with GIN; on SQLite every word must appear in the
text (LIKE)."""
import logging

from sql import Column, Expression, Literal
from sql.functions import Function
from sql.operators import Like

from trytond import backend
from trytond.model import fields
from trytond.transaction import Transaction

from .content import normalize

logger = logging.getLogger(__name__)
TS_CONFIG = 'openprimarie_ro'
# up to this many matches, the matching documents are looked up first
RARE_MATCHES = 2000


class TsConfig(Expression):
    "The configuration as a constant, so that the GIN index expression matches"
    __slots__ = ()

    def __str__(self):
        return f"'{TS_CONFIG}'::regconfig"

    @property
    def params(self):
        return ()


class TsMatchVq(Function):
    """The function behind @@: the same test, but the planner gives a
    function its default selectivity and uses no index for it"""
    __slots__ = ()
    _function = 'TS_MATCH_VQ'


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
    """Adds search_text, searched word by word (the one search box).

    On PostgreSQL the table gets a generated column search_vector (the
    tsvector of search_text, computed by the database on every insert and
    update) with a GIN index, and a search on search_text is a full-text
    match on it, in the main query (no sub-query, no per-row to_tsvector)."""
    __slots__ = ()
    search_text = fields.Text("Search Text", readonly=True)
    # the match is domain_search_text's, not Tryton's generic one (which
    # would compute a 'simple' to_tsvector on every row)
    search_text.search_full_text = False

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        if backend.name != 'postgresql':
            return
        cursor = Transaction().connection.cursor()
        create_text_search_configuration(cursor)
        cursor.execute(
            f'ALTER TABLE "{cls._table}" ADD COLUMN IF NOT EXISTS '
            'search_vector tsvector GENERATED ALWAYS AS '
            f"(TO_TSVECTOR('{TS_CONFIG}'::regconfig, "
            "COALESCE(search_text, ''))) STORED")
        cursor.execute(
            f'CREATE INDEX IF NOT EXISTS "{cls._table}_search_vector_idx" '
            f'ON "{cls._table}" USING GIN (search_vector)')

    @classmethod
    def domain_search_text(cls, domain, tables):
        "Every word of the value, accents and case ignored"
        table, _ = tables[None]
        _, operator, value = domain[:3]
        query = normalize(str(value or '').replace('%', ' '))
        if not query:
            return Literal(True)
        if backend.name == 'postgresql':
            expression = cls._full_text_match(table, query)
        else:
            expression = Literal(True)
            for word in query.split():
                expression &= Like(table.search_text,
                    f'%{escape(word)}%', escape='\\')
        if operator.startswith('not') or operator.startswith('!'):
            expression = ~expression
        return expression


    @classmethod
    def _full_text_match(cls, table, query):
        """The full-text condition, shaped for the planner.  PostgreSQL
        estimates a match of several words as if they were independent, so a
        rare combination ("drumului Horea") looks frequent, and words that
        always come together ("decizia de impunere") look rare: it then
        walks the whole date index for the first, and reads and sorts every
        match of the second.  So the matches are counted first (GIN, up to a
        bound): a rare match is given by id; a frequent one is tested row by
        row (ts_match_vq, no index) while walking the newest documents, which
        finds the first page after a few hundred rows."""
        rare = Transaction().context.get('full_text_rare_matches')
        if rare is None:
            rare = RARE_MATCHES
        vector = Column(table, 'search_vector')
        tsquery = PlainToTsquery(TsConfig(), query)
        matches = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*matches.select(matches.id,
                where=Match(Column(matches, 'search_vector'), tsquery),
                limit=rare + 1))
        ids = [i for i, in cursor]
        if len(ids) <= rare:
            return table.id.in_(ids) if ids else Literal(False)
        return TsMatchVq(vector, tsquery)


def escape(word):
    return (word.replace('\\', '\\\\').replace('%', '\\%')
        .replace('_', '\\_'))
