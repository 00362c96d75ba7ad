# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import re
from collections import defaultdict

from stdnum.ro import cnp as stdnum_cnp

from trytond.i18n import gettext
from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If, Or
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, record_cache_size

from .exceptions import AddressError, DuplicateIdentifier, PersonError
from .unaccent import create_extension, register_on_sqlite
from .vehicle import normalize_registration

register_on_sqlite()

# One person or company = one party: these identifiers may appear only once.
UNIQUE_IDENTIFIER_TYPES = {'ro_cnp', 'ro_cui', 'ro_onrc'}
# "Avram Iancu 12", "str. Principală 7A": a street and a house number
HOUSE_NUMBER = re.compile(r'^\d+[A-Za-z]?$')
STREET_AND_NUMBER = re.compile(r'^(.*[^\d\s])\s+(\d+[A-Za-z]?)$')

NATURAL_STATES = {
    'invisible': Eval('person_type') != 'natural',
    }
LEGAL_STATES = {
    'invisible': Eval('person_type') != 'legal',
    }

ID_DOCUMENT_TYPES = [
    (None, ""),
    ('ci', "Identity card (CI)"),
    ('cie', "Electronic identity card (CEI)"),
    ('bi', "Identity booklet (BI)"),
    ('cip', "Provisional identity card"),
    ('passport', "Passport"),
    ('residence', "Residence permit"),
    ('other', "Other"),
    ]


class Configuration(metaclass=PoolMeta):
    __name__ = 'party.configuration'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cui = ('ro_cui', "Romanian Unique Registration Code (CUI)")
        if cui not in cls.identifier_types.selection:
            cls.identifier_types.selection.append(cui)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    person_type = fields.Selection([
            ('natural', "Natural person"),
            ('legal', "Legal person"),
            ], "Person Type", required=True,
        help="Persoană fizică or persoană juridică.")
    person_type_string = person_type.translated('person_type')
    last_name = fields.Char("Last Name", states=NATURAL_STATES)
    first_name = fields.Char("First Name", states=NATURAL_STATES)
    cnp = fields.Function(
        fields.Char("CNP", size=13, states=NATURAL_STATES,
            help="Codul numeric personal (13 digits)."),
        'get_identifier_code', setter='set_identifier_code',
        searcher='search_identifier_code')
    cui = fields.Function(
        fields.Char("CUI", states=LEGAL_STATES,
            help="Codul unic de înregistrare / codul de identificare "
            "fiscală, without the RO prefix."),
        'get_identifier_code', setter='set_identifier_code',
        searcher='search_identifier_code')
    trade_register_number = fields.Function(
        fields.Char("Trade Register Number", states=LEGAL_STATES,
            help="Numărul de ordine în registrul comerțului "
            "(e.g. J40/1234/2010)."),
        'get_identifier_code', setter='set_identifier_code',
        searcher='search_identifier_code')
    fiscal_code = fields.Function(
        fields.Char("Fiscal Code", help="The CNP or the CUI."),
        'get_fiscal_code', searcher='search_fiscal_code')
    birth_date = fields.Function(
        fields.Date("Birth Date", states=NATURAL_STATES),
        'get_cnp_facts')
    sex = fields.Function(
        fields.Selection([
                (None, ""),
                ('male', "Male"),
                ('female', "Female"),
                ], "Sex", states=NATURAL_STATES),
        'get_cnp_facts')
    id_document_type = fields.Selection(
        ID_DOCUMENT_TYPES, "Identity Document", states=NATURAL_STATES)
    id_document_series = fields.Char(
        "Series", size=4, states=NATURAL_STATES)
    id_document_number = fields.Char(
        "Number", size=20, states=NATURAL_STATES)
    id_document_issuer = fields.Char("Issued By", states=NATURAL_STATES)
    id_document_expiry = fields.Date("Valid Until", states=NATURAL_STATES)
    date_of_death = fields.Date("Date of Death", states=NATURAL_STATES)

    _identifier_fields = {
        'cnp': 'ro_cnp',
        'cui': 'ro_cui',
        'trade_register_number': 'ro_onrc',
        }

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(
                t, (t.person_type, Index.Equality(cardinality='low'))))

    @classmethod
    def view_attributes(cls):
        # a person's name is made of the last and first names
        return super().view_attributes() + [
            ('/form/group[@id="header"]/group[@id="legal_name"]', 'states',
                LEGAL_STATES),
            ]

    @classmethod
    def default_person_type(cls):
        return 'natural'

    @classmethod
    def get_identifier_code(cls, parties, names):
        pool = Pool()
        Identifier = pool.get('party.identifier')
        result = {n: {p.id: None for p in parties} for n in names}
        type2name = {cls._identifier_fields[n]: n for n in names}
        for sub_parties in grouped_slice(
                parties, record_cache_size(Transaction())):
            for identifier in Identifier.search([
                        ('party', 'in', [p.id for p in sub_parties]),
                        ('type', 'in', list(type2name)),
                        ], order=[('sequence', 'DESC'), ('id', 'DESC')]):
                name = type2name[identifier.type]
                result[name][identifier.party.id] = identifier.code_compact
        return result

    @classmethod
    def set_identifier_code(cls, parties, name, value):
        pool = Pool()
        Identifier = pool.get('party.identifier')
        type_ = cls._identifier_fields[name]
        existing = Identifier.search([
                ('party', 'in', [p.id for p in parties]),
                ('type', '=', type_),
                ])
        by_party = defaultdict(list)
        for identifier in existing:
            by_party[identifier.party.id].append(identifier)
        to_delete, to_save = [], []
        for party in parties:
            identifiers = by_party[party.id]
            if not value:
                to_delete.extend(identifiers)
            elif identifiers:
                identifier = identifiers[0]
                identifier.code = value.strip()
                to_save.append(identifier)
                to_delete.extend(identifiers[1:])
            else:
                to_save.append(Identifier(
                        party=party, type=type_, code=value.strip()))
        Identifier.delete(to_delete)
        Identifier.save(to_save)

    @classmethod
    def search_identifier_code(cls, name, clause):
        _, operator, operand, *extra = clause
        type_ = cls._identifier_fields[name]
        if isinstance(operand, str):
            operand = operand.replace(' ', '')
        return [('identifiers', 'where', [
                    ('type', '=', type_),
                    ('code_compact', operator, operand, *extra),
                    ])]

    def get_fiscal_code(self, name):
        if self.person_type == 'natural':
            return self.cnp
        return self.cui

    @classmethod
    def search_fiscal_code(cls, name, clause):
        _, operator, operand, *extra = clause
        if isinstance(operand, str):
            operand = operand.replace(' ', '')
            if operand.upper().startswith('RO'):
                operand = operand[2:]
        return [('identifiers', 'where', [
                    ('type', 'in', ['ro_cnp', 'ro_cui']),
                    ('code_compact', operator, operand, *extra),
                    ])]

    @classmethod
    def get_cnp_facts(cls, parties, names):
        result = {n: {} for n in names}
        cnps = cls.get_identifier_code(parties, ['cnp'])['cnp']
        for party in parties:
            birth_date, sex = cnp_facts(cnps[party.id])
            if 'birth_date' in names:
                result['birth_date'][party.id] = birth_date
            if 'sex' in names:
                result['sex'][party.id] = sex
        return result

    @classmethod
    def __register__(cls, module):
        create_extension(Transaction().connection.cursor())
        super().__register__(module)

    @classmethod
    def search_rec_name(cls, name, clause):
        "The one search box: name, codes, address, assets, as typed"
        domain = super().search_rec_name(name, clause)
        _, operator, operand, *extra = clause
        if (not isinstance(operand, str)
                or operator.startswith('!') or operator.startswith('not ')):
            return domain
        text = operand.strip('%').strip()
        keys = [k for k in cls._search_keys(text, operator, operand, extra)
            if k]
        if text and keys:
            domain = ['OR', domain, *keys]
        return domain

    @classmethod
    def _search_keys(cls, text, operator, operand, extra):
        """The clauses beside Tryton's for the text typed in the search box:
        the CNP, the CUI with or without RO and, with like, the street
        and house number of an address, the plate or VIN of a vehicle and
        the cadastral or land-book number of a parcel or a building the
        party owns or owned.  sao sends each word typed as a clause of its
        own ("cj 12 abc": %cj%, %12%, %abc%), so each key is tried on a
        word too."""
        code = text.replace(' ', '').upper()
        if code.startswith('RO') and code[2:].isdigit():
            code = code[2:]
        if code.isdigit():
            yield ('identifiers.code_compact', '=', code)
        if not operator.endswith('like'):
            return
        yield from cls._search_address(text, operator, extra)
        yield cls._search_owned(text, operator, extra)

    @classmethod
    def _search_address(cls, text, operator, extra):
        yield ('addresses.street_name', operator, f'%{text}%', *extra)
        yield ('addresses.ro_street.name', operator, f'%{text}%', *extra)
        if HOUSE_NUMBER.match(text):
            yield ('addresses.building_number', 'ilike', text)
        match = STREET_AND_NUMBER.match(text)
        if match:
            street, number = match.groups()
            yield ('addresses', 'where', [
                    ['OR',
                        ('street_name', operator, f'%{street}%', *extra),
                        ('ro_street.name', operator, f'%{street}%', *extra),
                        ],
                    ('building_number', 'ilike', number),
                    ])

    @classmethod
    def _search_owned(cls, text, operator, extra):
        plate = normalize_registration(text)
        domain = ['OR',
            ('vehicle.registration_number', operator, f'%{plate}%'),
            ('vehicle.vin', operator, f'%{plate}%'),
            ]
        if any(c.isdigit() for c in text):
            domain += [
                ('parcel.cadastral_number', operator, f'%{text}%', *extra),
                ('parcel.land_book_number', operator, f'%{text}%', *extra),
                ('building.cadastral_number', operator, f'%{text}%', *extra),
                ]
        return cls._search_owners_of(domain)

    @classmethod
    def _search_owners_of(cls, domain):
        """Clause of the parties with a share (current or past) in an asset
        of the ownership domain; None for a user who may not read the
        shares"""
        pool = Pool()
        Ownership = pool.get('ownership.ownership')
        ModelAccess = pool.get('ir.model.access')
        if not ModelAccess.check(
                Ownership.__name__, 'read', raise_exception=False):
            return None
        ownership = Ownership.__table__()
        shares = Ownership.search(domain, order=[], query=True)
        return ('id', 'in', ownership.select(
                ownership.owner, where=ownership.id.in_(shares)))

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if (field_names is None
                or field_names & {'person_type', 'first_name', 'last_name'}):
            if (getattr(self, 'person_type', None) == 'natural'
                    and (getattr(self, 'last_name', None)
                        or getattr(self, 'first_name', None))):
                name = ' '.join(filter(None, [
                            self.last_name, self.first_name]))
                if getattr(self, 'name', None) != name:
                    values['name'] = name
        return values

    @fields.depends('person_type', 'first_name', 'last_name')
    def on_change_with_name(self):
        if self.person_type == 'natural':
            return ' '.join(filter(None, [self.last_name, self.first_name]))

    @classmethod
    def validate_fields(cls, parties, field_names):
        super().validate_fields(parties, field_names)
        if field_names & {'person_type', 'date_of_death'}:
            cls.check_person_type(parties)

    @classmethod
    def check_person_type(cls, parties):
        codes = cls.get_identifier_code(
            parties, ['cnp', 'cui', 'trade_register_number'])
        today = Pool().get('ir.date').today()
        for party in parties:
            if party.person_type == 'legal' and codes['cnp'][party.id]:
                raise PersonError(gettext(
                        'municipality.msg_cnp_legal_person',
                        party=party.rec_name))
            if party.person_type == 'natural' and (
                    codes['cui'][party.id]
                    or codes['trade_register_number'][party.id]):
                raise PersonError(gettext(
                        'municipality.msg_cui_natural_person',
                        party=party.rec_name))
            if party.date_of_death:
                birth_date, _ = cnp_facts(codes['cnp'][party.id])
                if (party.date_of_death > today
                        or (birth_date and party.date_of_death < birth_date)):
                    raise PersonError(gettext(
                            'municipality.msg_invalid_date_of_death',
                            party=party.rec_name))


def cnp_facts(code):
    "Return birth date and sex encoded in a valid CNP"
    if not code or not stdnum_cnp.is_valid(code):
        return None, None
    birth_date = stdnum_cnp.get_birth_date(code)
    first = int(code[0])
    if first == 9:
        sex = None
    else:
        sex = 'male' if first % 2 else 'female'
    return birth_date, sex


class Identifier(metaclass=PoolMeta):
    __name__ = 'party.identifier'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(
                t,
                (t.code_compact, Index.Equality()),
                (t.type, Index.Equality(cardinality='low'))))

    @classmethod
    def validate_fields(cls, identifiers, field_names):
        super().validate_fields(identifiers, field_names)
        if field_names & {'code', 'type', 'party'}:
            cls.check_unique(identifiers)
            cls.check_party_type(identifiers)

    @classmethod
    def check_unique(cls, identifiers):
        "Refuse a second party with the same CNP, CUI or trade register no."
        identifiers = [i for i in identifiers
            if i.type in UNIQUE_IDENTIFIER_TYPES and i.active]
        seen = {}
        for identifier in identifiers:
            key = (identifier.type, identifier.code_compact)
            other = seen.setdefault(key, identifier)
            if other.party != identifier.party:
                cls._raise_duplicate(identifier, other)
        for sub_identifiers in grouped_slice(
                identifiers, record_cache_size(Transaction())):
            sub_identifiers = list(sub_identifiers)
            others = cls.search([
                    ('code_compact', 'in',
                        list({i.code_compact for i in sub_identifiers})),
                    ('type', 'in', list(UNIQUE_IDENTIFIER_TYPES)),
                    ('id', 'not in', [i.id for i in sub_identifiers]),
                    ])
            for other in others:
                identifier = seen.get((other.type, other.code_compact))
                if identifier and other.party != identifier.party:
                    cls._raise_duplicate(identifier, other)

    @classmethod
    def _raise_duplicate(cls, identifier, other):
        raise DuplicateIdentifier(gettext(
                'municipality.msg_duplicate_identifier',
                type=identifier.type_string,
                code=identifier.code,
                party=other.party.rec_name))

    @classmethod
    def check_party_type(cls, identifiers):
        Party = Pool().get('party.party')
        Party.check_person_type(list({i.party for i in identifiers}))


class Address(metaclass=PoolMeta):
    __name__ = 'party.address'

    locality = fields.Many2One(
        'municipality.locality', "Locality", ondelete='RESTRICT',
        domain=[('level', '=', 3)])
    county = fields.Function(
        fields.Many2One('municipality.county', "County"),
        'on_change_with_county')
    ro_street = fields.Many2One(
        'municipality.street', "Street (nomenclature)",
        ondelete='RESTRICT',
        domain=[If(Bool(Eval('locality')),
                ('locality', '=', Eval('locality', -1)),
                ())],
        help="The street from the municipality's nomenclature. Leave empty "
        "and type the street in the free text when it is not there yet.")
    block = fields.Char("Block")
    staircase = fields.Char("Staircase")
    ro_address = fields.Function(
        fields.Char("Romanian Address"), 'get_ro_address')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the locality of the nomenclature names the city and its county
        for field in [cls.city, cls.subdivision]:
            field.states = {
                **field.states,
                'invisible': Or(
                    field.states.get('invisible', False),
                    Bool(Eval('locality'))),
                }
        # the street of the nomenclature names the street
        cls.street_name.states = {
            **cls.street_name.states,
            'invisible': Or(
                cls.street_name.states.get('invisible', False),
                Bool(Eval('ro_street'))),
            }

    @fields.depends('locality')
    def on_change_with_county(self, name=None):
        return self.locality.county if self.locality else None

    @fields.depends('ro_street', 'building_number', 'locality')
    def on_change_ro_street(self):
        if self.ro_street:
            self.locality = self.ro_street.locality
            self.street_name = self.ro_street.short_name
            self.postal_code = self.ro_street.postal_code_for(
                self.building_number)

    @fields.depends('locality')
    def on_change_locality(self):
        if self.locality:
            self.city = self.locality.name
            if self.locality.postal_code:
                self.postal_code = self.locality.postal_code

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if field_names is None or field_names & {'ro_street', 'locality'}:
            street = getattr(self, 'ro_street', None)
            if street and getattr(self, 'street_name', None) != (
                    street.short_name):
                values['street_name'] = street.short_name
            locality = getattr(self, 'locality', None)
            if locality and getattr(self, 'city', None) != locality.name:
                values['city'] = locality.name
        return values

    def get_ro_address(self, name):
        parts = []
        if self.ro_street:
            parts.append(self.ro_street.short_name)
        elif self.street_name or self.street_unstructured:
            parts.append(self.street_name or self.street_unstructured)
        for label, value in [
                ("nr.", self.building_number),
                ("bl.", self.block),
                ("sc.", self.staircase),
                ("et.", self.floor_number),
                ("ap.", self.unit_number),
                ]:
            if value:
                parts.append(f'{label} {value}')
        if self.locality:
            parts.append(self.locality.name)
            parts.append(f'jud. {self.locality.county.name}')
        elif self.city:
            parts.append(self.city)
        return ', '.join(parts)

    @classmethod
    def validate_fields(cls, addresses, field_names):
        super().validate_fields(addresses, field_names)
        if field_names & {'ro_street', 'locality'}:
            for address in addresses:
                if (address.ro_street and address.locality
                        and address.ro_street.locality != address.locality):
                    raise AddressError(gettext(
                            'municipality.msg_street_not_in_locality',
                            street=address.ro_street.rec_name,
                            locality=address.locality.rec_name,
                            party=address.party.rec_name))
