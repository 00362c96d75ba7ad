# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The tables of Codul fiscal, Titlul IX, per fiscal year.

The Code values are data, never constants in the code: each line holds one
value (or one range left to the council) with the article that sets it and
how sure we are of it (V verified, S one secondary source, R unverified).  The files
are in data/local_tax/ of the repository; see its README for the columns."""
import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.modules.municipality.common import search_any
from trytond.modules.municipality.company import FISCAL_ZONES, LOCALITY_RANKS
from trytond.modules.municipality.csv_reader import read_csv
from trytond.pool import Pool
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import CertificateError, CodeTableError, CodeTableImportError

# What a line is: the table of the Code it belongs to, or the bounds of a
# parameter the council chooses.
KINDS = [
    ('building_rate_residential',
        "Rate, residential building of a natural person (bounds)"),
    ('building_rate_non_residential',
        "Rate, non-residential building of a natural person (bounds)"),
    ('building_rate_agricultural',
        "Rate, agricultural building of a natural person"),
    ('building_rate_fallback',
        "Rate, non-residential building without a value"),
    ('declared_value_years',
        "Years a declared value of a non-residential building is used"),
    ('pj_building_rate_residential',
        "Rate, residential building of a legal person (bounds)"),
    ('pj_building_rate_non_residential',
        "Rate, non-residential building of a legal person (bounds)"),
    ('pj_building_rate_agricultural',
        "Rate, agricultural building of a legal person"),
    ('pj_building_rate_not_revalued',
        "Rate, building of a legal person not revalued in 5 years"),
    ('building_value', "Building value per m²"),
    ('building_value_share', "Share of the value for types E and F"),
    ('building_coefficient', "Coefficient by zone and rank"),
    ('block_reduction', "Reduction of the coefficient, apartment in block"),
    ('block_min_levels', "Block reduction: levels of the block, more than"),
    ('block_min_apartments',
        "Block reduction: apartments of the block, more than"),
    ('age_reduction', "Reduction by age of the building"),
    ('land_built', "Intravilan built land (range)"),
    ('land_other_threshold', "Intravilan land of other categories: area "
        "taxed as built land"),
    ('land_other', "Intravilan land of other categories"),
    ('land_rank_coefficient', "Coefficient by rank, intravilan land"),
    ('land_extravilan', "Extravilan land (range)"),
    ('vehicle_capacity', "Vehicle, per 200 cm³"),
    ('vehicle_electric', "Electric vehicle, per year"),
    ('vehicle_trailer', "Trailer, per year"),
    ('hybrid_reduction', "Reduction for hybrid vehicles (bounds)"),
    ('bonification', "Bonification for early payment (bounds)"),
    ('instalment', "Payment instalment: last day of the month"),
    ('small_tax_threshold', "Annual tax paid whole by the first instalment"),
    ('late_payment_surcharge', "Late-payment surcharge per month or fraction"),
    ('difference_due_day', "Day of the next month a difference is due"),
    ('certificate_validity', "Validity of the fiscal certificate"),
    ]

VARIANTS = [
    (None, ""),
    ('with_utilities', "With utilities"),
    ('without_utilities', "Without utilities"),
    ('euro3', "Up to Euro 3 (incl. non-Euro)"),
    ('euro4', "Euro 4"),
    ('euro5', "Euro 5"),
    ('euro6', "Euro 6"),
    ('hybrid', "Hybrid"),
    ]

UNITS = [
    ('percent', "%"),
    ('coefficient', "Coefficient"),
    ('lei_m2', "lei/m²"),
    ('lei_ha', "lei/ha"),
    ('lei_200cm3', "lei/200 cm³"),
    ('lei_year', "lei/year"),
    ('m2', "m²"),
    ('years', "years"),
    ('levels', "levels"),
    ('apartments', "apartments"),
    ('month', "Month"),
    ('day', "Day of the month"),
    ('days', "days"),
    ]

CONFIDENCES = [
    ('V', "V – verified"),
    ('S', "S – single source"),
    ('R', "R – recalled, unverified"),
    ]

CSV_COLUMNS = [
    'year', 'kind', 'category', 'variant', 'zone', 'rank', 'band_min',
    'band_max', 'value', 'minimum', 'maximum', 'unit', 'indexable',
    'valid_from', 'valid_to', 'article', 'law', 'confidence', 'note']
# The columns that identify a line: a re-import updates it in place
KEY_FIELDS = [
    'kind', 'category', 'variant', 'zone', 'rank', 'band_min', 'band_max',
    'valid_from']
SHIPPED_DIR = Path(__file__).resolve().parent / 'data'


def format_number(value):
    "A Decimal without trailing zeros: 0.08, 2677, 1.05"
    if value is None:
        return ''
    return format(value.normalize(), 'f')


class CodeTable(ModelSQL, ModelView):
    __name__ = 'local_tax.code_table'
    __string__ = "Code Table"
    _rec_name = 'legal_basis'

    year = fields.Integer(
        "Fiscal Year", required=True,
        help="The fiscal year whose Code values these are.")
    legal_basis = fields.Char(
        "Legal Basis",
        help="The acts the values come from (filled by the import).")
    notes = fields.Text("Notes")
    lines = fields.One2Many(
        'local_tax.code_table.line', 'code_table', "Lines")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('year_unique', Unique(t, t.year),
                'local_tax.msg_code_table_year_unique'),
            ]
        cls._order = [('year', 'DESC'), ('id', 'DESC')]

    def get_rec_name(self, name):
        if self.legal_basis:
            return f'{self.year} ({self.legal_basis})'
        return str(self.year)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        try:
            year = int(str(operand).strip('%'))
        except ValueError:
            return [('legal_basis', operator, operand, *extra)]
        return ['OR',
            ('year', '=', year),
            ('legal_basis', operator, operand, *extra),
            ]

    @classmethod
    def import_csv(cls, data):
        """Create or update the Code tables from a CSV file in the format of
        data/local_tax/ (one row per value, several years allowed).

        Lines are matched on their key columns and updated in place, so that
        the council decisions referring to them keep pointing at them; lines
        of the year that are no longer in the file are deleted.  Returns the
        tables."""
        pool = Pool()
        Line = pool.get('local_tax.code_table.line')
        Amount = pool.get('local_tax.council_decision.amount')
        Decision = pool.get('local_tax.council_decision')
        rows_by_year = _read_code_rows(data)

        tables = []
        for year, rows in sorted(rows_by_year.items()):
            table = cls.search([('year', '=', year)], limit=1)
            table = table[0] if table else cls(year=year, lines=[])
            laws = sorted({r['law'] for r in rows if r['law']})
            table.legal_basis = '; '.join(laws) or None
            table.save()
            existing = {line.key: line for line in Line.search(
                    [('code_table', '=', table.id)])}
            to_save = []
            for row in rows:
                key = tuple(row[f] for f in KEY_FIELDS)
                line = existing.pop(key, None) or Line(code_table=table)
                for name, value in row.items():
                    if name != 'year':
                        setattr(line, name, value)
                to_save.append(line)
            if existing:
                used = Amount.search(
                    [('code_line', 'in', [l.id for l in existing.values()])],
                    limit=1)
                if used:
                    amount, = used
                    raise CodeTableImportError(gettext(
                            'local_tax.msg_code_line_in_use',
                            line=amount.code_line.rec_name,
                            year=year,
                            decision=amount.decision.rec_name))
                Line.delete(list(existing.values()))
            Line.save(to_save)
            tables.append(table)
        # The bounds may have changed under decisions already entered
        decisions = Decision.search(
            [('code_table', 'in', [t.id for t in tables])])
        Decision.check_parameters(decisions)
        Amount.check_bounds([a for d in decisions for a in d.amounts])
        return tables

    @classmethod
    def import_shipped(cls, years=None):
        """Import the Code tables shipped with the module (the files of
        data/local_tax/ in the repository), all or those of the years."""
        paths = sorted(SHIPPED_DIR.glob('code-table-*.csv'))
        if years is not None:
            paths = [p for p in paths
                if p.stem.rsplit('-', 1)[-1] in {str(y) for y in years}]
        if not paths:
            raise CodeTableImportError(gettext(
                    'local_tax.msg_code_tables_not_shipped',
                    years=', '.join(map(str, years or [])) or '*'))
        tables = []
        for path in paths:
            tables.extend(cls.import_csv(path.read_bytes()))
        return tables

    @classmethod
    def certificate_validity(cls, date):
        """The days a fiscal certificate is valid (30, tagged S: the practice
        of the DITLs for a notarial sale), from the Code table of the year of
        the date or of the latest year before it"""
        for table in cls.search(
                [('year', '<=', date.year)], order=[('year', 'DESC')]):
            for line in table.lines:
                if (line.kind == 'certificate_validity'
                        and line.value is not None and line.matches(date)):
                    return int(line.value)
        raise CertificateError(gettext(
                'local_tax.msg_certificate_no_validity',
                date=date.strftime('%d.%m.%Y')))


def read_csv_rows(data, columns):
    """The non-empty rows of a UTF-8 CSV file of our data formats, with
    their line number, as dictionaries of stripped values; the columns are
    required"""
    return read_csv(data, required=columns, encodings=('utf-8-sig',),
        error=CodeTableImportError, messages={
            'encoding': 'local_tax.msg_code_import_encoding',
            'empty': 'local_tax.msg_code_import_empty',
            'columns': 'local_tax.msg_code_import_missing_columns',
            })


def _read_code_rows(data):
    "Parse and check the rows of a Code table file, grouped by year"
    pool = Pool()
    Line = pool.get('local_tax.code_table.line')
    selections = {
        'kind': {k for k, _ in KINDS},
        'variant': {k for k, _ in VARIANTS if k},
        'zone': {k for k, _ in FISCAL_ZONES},
        'rank': {k for k, _ in LOCALITY_RANKS},
        'unit': {k for k, _ in UNITS},
        'confidence': {k for k, _ in CONFIDENCES},
        }
    rows, keys = {}, set()
    for number, raw in read_csv_rows(data, CSV_COLUMNS):

        def bad(column):
            return CodeTableImportError(gettext(
                    'local_tax.msg_code_import_bad_value',
                    line=number, column=column, value=raw.get(column, '')))
        row = {}
        try:
            row['year'] = int(raw['year'])
        except ValueError:
            raise bad('year')
        for column, allowed in selections.items():
            value = raw[column] or None
            if value is not None and value not in allowed:
                raise bad(column)
            row[column] = value
        for column in ['kind', 'unit', 'confidence']:
            if row[column] is None:
                raise bad(column)
        row['category'] = ' '.join(raw['category'].split()) or None
        for column in ['band_min', 'band_max']:
            try:
                row[column] = int(raw[column]) if raw[column] else None
            except ValueError:
                raise bad(column)
        for column in ['value', 'minimum', 'maximum']:
            try:
                row[column] = Decimal(raw[column]) if raw[column] else None
            except InvalidOperation:
                raise bad(column)
        for column in ['valid_from', 'valid_to']:
            try:
                row[column] = (dt.date.fromisoformat(raw[column])
                    if raw[column] else None)
            except ValueError:
                raise bad(column)
        indexable = raw['indexable'].lower()
        if indexable not in {'yes', 'no', ''}:
            raise bad('indexable')
        row['indexable'] = indexable == 'yes'
        if not raw['article']:
            raise bad('article')
        row['article'] = raw['article']
        row['law'] = raw['law'] or None
        row['note'] = raw['note'] or None
        key = (row['year'],) + tuple(row[f] for f in KEY_FIELDS)
        if key in keys:
            raise CodeTableImportError(gettext(
                    'local_tax.msg_code_import_duplicate', line=number))
        keys.add(key)
        # the same checks as on a line entered by hand
        line = Line(**{k: v for k, v in row.items() if k != 'year'})
        line.check_values(line_number=number)
        rows.setdefault(row['year'], []).append(row)
    if not rows:
        raise CodeTableImportError(gettext('local_tax.msg_code_import_empty'))
    return rows


class CodeTableLine(ModelSQL, ModelView):
    __name__ = 'local_tax.code_table.line'
    __string__ = "Code Table Line"

    code_table = fields.Many2One(
        'local_tax.code_table', "Code Table", required=True,
        ondelete='CASCADE')
    kind = fields.Selection(KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    category = fields.Char(
        "Category",
        help="The building type, land category or vehicle category the value "
        "is for; several codes separated by spaces when the Code gives one "
        "value for several; empty for all.")
    variant = fields.Selection(
        VARIANTS, "Variant",
        help="With or without utilities (buildings), emission norm column "
        "(vehicles, from 2026).")
    variant_string = variant.translated('variant')
    zone = fields.Selection(
        [(None, "")] + FISCAL_ZONES, "Zone", help="Empty for all zones.")
    rank = fields.Selection(
        [(None, "")] + LOCALITY_RANKS, "Rank", help="Empty for all ranks.")
    band_min = fields.Integer(
        "From", help="Lower end of the band, included: age in years, "
        "cylinder capacity in cm³, maximum mass in kg.")
    band_max = fields.Integer(
        "To", help="Upper end of the band, included; empty for no limit. "
        "For the hybrid reduction: the CO₂ limit in g/km.")
    value = fields.Numeric(
        "Value", digits=(16, 4),
        help="The value set by the Code; empty when the Code gives a range.")
    minimum = fields.Numeric(
        "Minimum", digits=(16, 4),
        help="Lower bound of the range left to the council.")
    maximum = fields.Numeric(
        "Maximum", digits=(16, 4),
        help="Upper bound of the range left to the council.")
    unit = fields.Selection(UNITS, "Unit", required=True)
    unit_string = unit.translated('unit')
    indexable = fields.Boolean(
        "Indexable",
        help="The council indexes this amount yearly by the inflation rate "
        "(Codul fiscal art. 491); not for building, land and vehicle taxes "
        "from 2026.")
    valid_from = fields.Date(
        "Valid From",
        help="First day the value is in force, when it changed during the "
        "year; empty for the whole year.")
    valid_to = fields.Date(
        "Valid To", help="Last day the value is in force; empty for no end.")
    article = fields.Char(
        "Article", required=True, help="The article of Codul fiscal.")
    law = fields.Char("Law", help="The act that set the value.")
    confidence = fields.Selection(
        CONFIDENCES, "Confidence", required=True,
        help="V: read in the law or in several sources that agree; "
        "S: one secondary source; R: recalled, not found in a source: "
        "unverified, to be checked against the Monitorul Oficial.")
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t,
                (t.code_table, Index.Range()), (t.kind, Index.Equality())))
        cls._order = [('code_table', 'DESC'), ('id', 'ASC')]

    @classmethod
    def default_indexable(cls):
        return False

    @classmethod
    def default_confidence(cls):
        return 'R'

    @property
    def key(self):
        return tuple(getattr(self, f) for f in KEY_FIELDS)

    @property
    def is_range(self):
        return self.value is None

    @property
    def bounds_string(self):
        if self.is_range:
            return (f'{format_number(self.minimum)}–'
                f'{format_number(self.maximum)}')
        return format_number(self.value)

    def get_rec_name(self, name):
        parts = [self.kind_string]
        location = '/'.join(v for v in [self.zone, self.rank] if v)
        for value in [self.category, self.variant_string, location]:
            if value:
                parts.append(value)
        if self.band_min is not None or self.band_max is not None:
            parts.append(
                f'{self.band_min if self.band_min is not None else ""}–'
                f'{self.band_max if self.band_max is not None else ""}')
        if self.valid_from:
            parts.append(f'≥ {self.valid_from.strftime("%d.%m.%Y")}')
        return (f'{", ".join(parts)}: {self.bounds_string} '
            f'{self.unit_string} ({self.article})')

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, ['kind', 'category', 'article'])

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        for line in lines:
            line.check_values()

    def check_values(self, line_number=None):
        "A value, or a range whose minimum is not above its maximum"
        where = (gettext('local_tax.msg_code_line_where_file',
                line=line_number) if line_number is not None
            else self.rec_name)
        if self.value is None:
            if self.minimum is None or self.maximum is None:
                raise CodeTableError(gettext(
                        'local_tax.msg_code_line_no_value', line=where))
            if self.minimum > self.maximum:
                raise CodeTableError(gettext(
                        'local_tax.msg_code_line_range', line=where,
                        minimum=format_number(self.minimum),
                        maximum=format_number(self.maximum)))
        elif self.minimum is not None or self.maximum is not None:
            raise CodeTableError(gettext(
                    'local_tax.msg_code_line_value_and_range', line=where))
        for value in [self.value, self.minimum, self.maximum]:
            if value is not None and value < 0:
                raise CodeTableError(gettext(
                        'local_tax.msg_code_line_negative', line=where))
        if (self.band_min is not None and self.band_max is not None
                and self.band_min > self.band_max):
            raise CodeTableError(gettext(
                    'local_tax.msg_code_line_band', line=where))
        if (self.valid_from and self.valid_to
                and self.valid_from > self.valid_to):
            raise CodeTableError(gettext(
                    'local_tax.msg_code_line_validity', line=where))

    @classmethod
    def on_modification(cls, mode, lines, field_names=None):
        super().on_modification(mode, lines, field_names=field_names)
        if mode == 'write':
            # A corrected bound must still hold the council's choices
            pool = Pool()
            Amount = pool.get('local_tax.council_decision.amount')
            Decision = pool.get('local_tax.council_decision')
            Amount.check_bounds(Amount.search(
                    [('code_line', 'in', [l.id for l in lines])]))
            Decision.check_parameters(Decision.search([
                        ('code_table', 'in',
                            list({l.code_table.id for l in lines})),
                        ]))

    def matches(self, date=None, category=None, variant=None, zone=None,
            rank=None, band=None):
        """Whether the line applies to the keys on the date.

        An empty category, zone or rank on the line applies to all; the
        variant must be equal; a band must contain the value."""
        if self.category and (
                category is None or category not in self.category.split()):
            return False
        if self.variant != variant:
            return False
        if self.zone and self.zone != zone:
            return False
        if self.rank and self.rank != rank:
            return False
        if self.band_min is not None or self.band_max is not None:
            if band is None:
                return False
            if self.band_min is not None and band < self.band_min:
                return False
            if self.band_max is not None and band > self.band_max:
                return False
        if date is not None:
            if self.valid_from and date < self.valid_from:
                return False
            if self.valid_to and date > self.valid_to:
                return False
        return True


class CodeTableImportStart(ModelView):
    __name__ = 'local_tax.code_table.import.start'
    __string__ = "Import Code Tables"

    file = fields.Binary(
        "File",
        help="A CSV file in the format of data/local_tax/ (see its README). "
        "Leave empty to load the tables shipped with the module.")


class CodeTableImport(Wizard):
    "Import Code Tables"
    __name__ = 'local_tax.code_table.import'
    start = StateView(
        'local_tax.code_table.import.start',
        'local_tax.code_table_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()

    def transition_import_(self):
        CodeTable = Pool().get('local_tax.code_table')
        if self.start.file:
            CodeTable.import_csv(self.start.file)
        else:
            CodeTable.import_shipped()
        return 'end'
