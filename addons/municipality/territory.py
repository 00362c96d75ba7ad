# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .common import search_any
from .company import FISCAL_ZONES, LOCALITY_RANKS
from .csv_reader import read_csv
from .exceptions import SirutaImportError, TerritoryError

# SIRUTA TIP codes (INS nomenclature)
SIRUTA_TYPES = [
    (None, ""),
    ('1', "County-seat municipality"),
    ('2', "Town"),
    ('3', "Commune"),
    ('4', "Other municipality"),
    ('5', "County-seat town"),
    ('6', "Bucharest sector"),
    ('9', "Component locality, seat of a municipality"),
    ('10', "Other component locality of a municipality"),
    ('11', "Village belonging to a municipality"),
    ('17', "Component locality, seat of a town"),
    ('18', "Other component locality of a town"),
    ('19', "Village belonging to a town"),
    ('22', "Village, seat of a commune"),
    ('23', "Other village of a commune"),
    ('40', "County"),
    ]

STREET_TYPES = [
    ('strada', "Street (Strada)"),
    ('bulevardul', "Boulevard (Bulevardul)"),
    ('calea', "Road (Calea)"),
    ('soseaua', "Highway (Șoseaua)"),
    ('aleea', "Alley (Aleea)"),
    ('piata', "Square (Piața)"),
    ('splaiul', "Embankment (Splaiul)"),
    ('intrarea', "Passage (Intrarea)"),
    ('drumul', "Way (Drumul)"),
    ('fundatura', "Dead end (Fundătura)"),
    ('prelungirea', "Extension (Prelungirea)"),
    ('ulita', "Lane (Ulița)"),
    ('cartierul', "District (Cartierul)"),
    ]

STREET_TYPE_ABBREVIATIONS = {
    'strada': "Str.",
    'bulevardul': "Bd.",
    'calea': "Calea",
    'soseaua': "Șos.",
    'aleea': "Aleea",
    'piata': "Piața",
    'splaiul': "Splaiul",
    'intrarea': "Intr.",
    'drumul': "Drumul",
    'fundatura': "Fundătura",
    'prelungirea': "Prel.",
    'ulita': "Ulița",
    'cartierul': "Cartierul",
    }


class County(ModelSQL, ModelView):
    __name__ = 'municipality.county'
    __string__ = "County"

    name = fields.Char("Name", required=True)
    code = fields.Char(
        "County Code", size=2, required=True,
        help="The JUD number of the SIRUTA file, also digits 8–9 of the CNP.")
    siruta = fields.Char("SIRUTA Code", size=6)
    abbreviation = fields.Char(
        "Abbreviation", size=2, help="The vehicle registration prefix.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code),
                'municipality.msg_county_code_unique'),
            ]
        cls._order = [('name', 'ASC'), ('id', 'ASC')]


class Locality(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'municipality.locality'
    __string__ = "Locality"

    name = fields.Char("Name", required=True)
    siruta = fields.Char("SIRUTA Code", size=6, required=True)
    county = fields.Many2One(
        'municipality.county', "County", required=True, ondelete='RESTRICT')
    parent = fields.Many2One(
        'municipality.locality', "UAT", ondelete='RESTRICT',
        domain=[('level', '=', 2)],
        help="The administrative-territorial unit the locality belongs to "
        "(SIRSUP).")
    level = fields.Integer(
        "Level", required=True,
        help="NIV in the SIRUTA file: 2 for a UAT, 3 for a locality.")
    siruta_type = fields.Selection(SIRUTA_TYPES, "SIRUTA Type")
    urban = fields.Boolean("Urban", help="MED = 1 in the SIRUTA file.")
    postal_code = fields.Char("Postal Code", size=6)
    rank = fields.Selection(
        [(None, "")] + LOCALITY_RANKS, "Rank",
        help="Locality rank under Legea 351/2001.")
    municipality = fields.Many2One(
        'company.company', "Municipality", ondelete='SET NULL',
        help="The municipality of this installation that administers the "
        "locality, if any.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('siruta_unique', Unique(t, t.siruta),
                'municipality.msg_locality_siruta_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.name, Index.Similarity())))
        cls._order = [('name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_level(cls):
        return 3

    def get_rec_name(self, name):
        if self.parent and self.parent.name != self.name:
            return f'{self.name} ({self.parent.name})'
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'name',
                'siruta',
                ])

    @classmethod
    def import_siruta(cls, data):
        """Create or update counties and localities from an INS SIRUTA file.

        The file has the columns SIRUTA, DENLOC, CODP, JUD, SIRSUP, TIP, NIV,
        MED (and others that are ignored); re-importing updates in place.
        Returns the number of localities created and updated."""
        pool = Pool()
        County = pool.get('municipality.county')
        rows = _read_siruta_rows(data)
        counties = {c.code: c for c in County.search([])}
        by_siruta = {l.siruta: l for l in cls.search(
                [], order=[('id', 'ASC')])}

        new_counties = []
        for row in rows:
            if row['NIV'] == '1':
                code = row['JUD'].zfill(2)
                county = counties.get(code)
                if not county:
                    county = County(code=code)
                    counties[code] = county
                    new_counties.append(county)
                county.name = _title(row['DENLOC'])
                county.siruta = row['SIRUTA']
        County.save(new_counties + [
                c for c in counties.values() if c not in new_counties])

        created = updated = 0
        to_save = []
        for level in ('2', '3'):
            for row in rows:
                if row['NIV'] != level:
                    continue
                code = row['JUD'].zfill(2)
                if code not in counties:
                    raise SirutaImportError(gettext(
                            'municipality.msg_siruta_unknown_county',
                            county=code, siruta=row['SIRUTA']))
                locality = by_siruta.get(row['SIRUTA'])
                if locality is None:
                    locality = cls(siruta=row['SIRUTA'])
                    by_siruta[row['SIRUTA']] = locality
                    created += 1
                else:
                    updated += 1
                locality.name = _title(row['DENLOC'])
                locality.county = counties[code]
                locality.level = int(level)
                locality.siruta_type = row.get('TIP') or None
                locality.urban = row.get('MED') == '1'
                locality.postal_code = (row.get('CODP') or '').strip() or None
                if locality.postal_code == '0':
                    locality.postal_code = None
                parent = by_siruta.get(row.get('SIRSUP'))
                locality.parent = (
                    parent if level == '3' and parent else None)
                to_save.append(locality)
            cls.save(to_save)
            to_save = []
        return created, updated


def _title(name):
    "INS writes names in upper case; keep the Romanian diacritics"
    name = ' '.join(name.split())
    prefixes = ('MUNICIPIUL ', 'ORAŞ ', 'ORAȘ ', 'JUDEŢUL ', 'JUDEȚUL ')
    for prefix in prefixes:
        if name.upper().startswith(prefix):
            name = name[len(prefix):]
    name = name.replace('Ş', 'Ș').replace('ş', 'ș')
    name = name.replace('Ţ', 'Ț').replace('ţ', 'ț')
    words = []
    for i, word in enumerate(name.split(' ')):
        word = '-'.join(part.capitalize() for part in word.split('-'))
        if i and word.lower() in _LOWER_WORDS:
            word = word.lower()
        words.append(word)
    return ' '.join(words)


# Prepositions stay in lower case inside names: "Luna de Sus", "Valea lui Mihai"
_LOWER_WORDS = {'de', 'din', 'la', 'lui', 'cu', 'pe', 'sub', 'peste', 'și'}


SIRUTA_COLUMNS = ['SIRUTA', 'DENLOC', 'JUD', 'SIRSUP', 'NIV']


def _read_siruta_rows(data):
    rows = []
    for line, row in read_csv(data, required=SIRUTA_COLUMNS,
            header=str.upper, error=SirutaImportError, messages={
                'empty': 'municipality.msg_siruta_empty',
                'columns': 'municipality.msg_siruta_missing_columns',
                }):
        if not row['SIRUTA'].isdigit() or row['NIV'] not in {'1', '2', '3'}:
            raise SirutaImportError(gettext(
                    'municipality.msg_siruta_bad_row', line=line))
        rows.append(row)
    return rows


class SirutaImportStart(ModelView):
    __name__ = 'municipality.siruta.import.start'
    __string__ = "Import SIRUTA"
    file = fields.Binary(
        "File", required=True,
        help="The SIRUTA extract published by the INS, as CSV "
        "(comma or semicolon separated, UTF-8 or Windows-1250).")


class SirutaImport(Wizard):
    "Import SIRUTA"
    __name__ = 'municipality.siruta.import'
    start = StateView(
        'municipality.siruta.import.start',
        'municipality.siruta_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()

    def transition_import_(self):
        pool = Pool()
        Locality = pool.get('municipality.locality')
        Locality.import_siruta(self.start.file)
        return 'end'


class Street(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'municipality.street'
    __string__ = "Street"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='CASCADE')
    locality = fields.Many2One(
        'municipality.locality', "Locality", required=True,
        ondelete='RESTRICT', domain=[('level', '=', 3)])
    street_type = fields.Selection(STREET_TYPES, "Type", required=True)
    street_type_string = street_type.translated('street_type')
    name = fields.Char("Name", required=True)
    fiscal_zone = fields.Selection(
        FISCAL_ZONES, "Fiscal Zone", required=True,
        help="Zona fiscală A–D set by the local council (HCL) for the "
        "whole street; sections may override it.")
    postal_code = fields.Char("Postal Code", size=6)
    sections = fields.One2Many(
        'municipality.street.section', 'street', "Sections",
        help="Parts of the street, by house numbers, in another fiscal zone "
        "or with another postal code.")
    council_decision = fields.Char(
        "Council Decision", help="The HCL that approved the name and zone.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('name_unique',
                Unique(t, t.company, t.locality, t.street_type, t.name),
                'municipality.msg_street_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.name, Index.Similarity())))
        cls._order = [('name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_street_type(cls):
        return 'strada'

    @classmethod
    def default_fiscal_zone(cls):
        return 'A'

    def get_rec_name(self, name):
        return (f'{STREET_TYPE_ABBREVIATIONS[self.street_type]} {self.name}, '
            f'{self.locality.name}')

    @property
    def short_name(self):
        return f'{STREET_TYPE_ABBREVIATIONS[self.street_type]} {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'name',
                'locality.name',
                ])

    def section_for(self, number):
        "Return the section that contains the house number, if any"
        value = _house_number(number)
        if value is None:
            return
        for section in self.sections:
            if section.contains(value):
                return section

    def fiscal_zone_for(self, number):
        section = self.section_for(number)
        return section.fiscal_zone if section else self.fiscal_zone

    def postal_code_for(self, number):
        section = self.section_for(number)
        if section and section.postal_code:
            return section.postal_code
        return self.postal_code or self.locality.postal_code

    @classmethod
    def validate_fields(cls, streets, field_names):
        super().validate_fields(streets, field_names)
        if field_names & {'locality', 'company'}:
            for street in streets:
                if (street.locality.municipality
                        and street.locality.municipality != street.company):
                    raise TerritoryError(gettext(
                            'municipality.msg_street_locality_municipality',
                            street=street.name,
                            locality=street.locality.name))


def _house_number(number):
    "The numeric part of a house number such as '12', '12A' or '12 bis'"
    digits = ''
    for char in (number or '').strip():
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else None


class StreetSection(ModelSQL, ModelView):
    __name__ = 'municipality.street.section'
    __string__ = "Street Section"

    street = fields.Many2One(
        'municipality.street', "Street", required=True, ondelete='CASCADE')
    number_from = fields.Integer("From Number", required=True)
    number_to = fields.Integer(
        "To Number", help="Leave empty for 'to the end of the street'.")
    parity = fields.Selection([
            ('all', "All numbers"),
            ('odd', "Odd numbers"),
            ('even', "Even numbers"),
            ], "Numbers", required=True)
    fiscal_zone = fields.Selection(FISCAL_ZONES, "Fiscal Zone", required=True)
    postal_code = fields.Char("Postal Code", size=6)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('street')
        cls._order = [('number_from', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_parity(cls):
        return 'all'

    def contains(self, number):
        if number < self.number_from:
            return False
        if self.number_to is not None and number > self.number_to:
            return False
        if self.parity == 'odd':
            return number % 2 == 1
        if self.parity == 'even':
            return number % 2 == 0
        return True

    @classmethod
    def validate_fields(cls, sections, field_names):
        super().validate_fields(sections, field_names)
        for section in sections:
            if (section.number_from < 0
                    or (section.number_to is not None
                        and section.number_to < section.number_from)):
                raise TerritoryError(gettext(
                        'municipality.msg_street_section_range',
                        street=section.street.name))
