"""The demo data as plain Python values, computed from the seed alone.

Nothing here touches the database: `Plan` draws every person, company,
street, parcel, building, vehicle and ownership from random generators seeded
with (seed, UAT, phase), so the same seed and size give the same data.  The
loader (load.py) maps the plan's indexes to database ids.

Owners are referenced as ('p', index) for a person, ('c', index) for a
company and ('u', None) for the UAT itself (land under blocks of flats).
"""
import csv
import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from pathlib import Path

from . import identifiers as ids

DATA_DIR = Path(__file__).resolve().parents[2] / 'data'
SIRUTA_FILE = DATA_DIR / 'siruta' / 'siruta-demo.csv'
DEMO_DIR = DATA_DIR / 'demo'

# The UATs of the SIRUTA fixture the generator knows how to set up, keyed by
# their SIRUTA code.  Ranks follow Legea 351/2001.
UATS = {
    '55053': {
        'name': 'Dej', 'kind': 'municipiu', 'rank': 'II',
        'party_name': 'Municipiul Dej', 'treasury': '216',
        'treasury_name': 'Trezoreria Dej', 'spclep': 'SPCLEP Dej',
        'seat': '55062', 'seat_share': 0.82, 'block_share': 0.35,
        },
    '57706': {
        'name': 'Florești', 'kind': 'comuna', 'rank': 'IV',
        'party_name': 'Comuna Florești', 'treasury': '218',
        'treasury_name': 'Trezoreria Cluj-Napoca',
        'spclep': 'SPCLEP Florești',
        'seat': '57715', 'seat_share': 0.7, 'block_share': 0.2,
        },
    '55259': {
        'name': 'Apahida', 'kind': 'comuna', 'rank': 'IV',
        'party_name': 'Comuna Apahida', 'treasury': '218',
        'treasury_name': 'Trezoreria Cluj-Napoca',
        'spclep': 'SPCLEP Apahida',
        'seat': '55268', 'seat_share': 0.55, 'block_share': 0.05,
        },
    }
DEFAULT_UAT = '55053'

# Budget revenue codes collected by the municipality (clasificația bugetară)
TREASURY_ACCOUNTS = [
    ('07.02.01.01', "Impozit pe clădiri de la persoane fizice"),
    ('07.02.01.02', "Impozit pe clădiri de la persoane juridice"),
    ('07.02.02.01', "Impozit pe terenuri de la persoane fizice"),
    ('07.02.02.02', "Impozit pe terenuri de la persoane juridice"),
    ('07.02.02.03', "Impozit pe terenul din extravilan"),
    ('16.02.02.01', "Impozit pe mijloacele de transport - persoane fizice"),
    ('16.02.02.02', "Impozit pe mijloacele de transport - persoane juridice"),
    ('35.02.01.02', "Amenzi contravenționale"),
    ]

# CNP county codes of people born elsewhere; 12 = Cluj dominates
OTHER_COUNTIES = [f'{i:02d}' for i in range(1, 47) if i != 12] + ['51', '52']
NEIGHBOUR_COUNTIES = ['01', '05', '06', '24', '26', '31']   # AB BH BN MM MS SJ

BLOCK_LETTERS = 'ABCDEFGHIJKLMN'
DOCUMENT_KINDS = {
    'sale', 'inheritance', 'title', 'permit', 'vehicle', 'new_vehicle',
    'l112', 'public'}
ANNEXES = [
    ('Garaj', 'C', 12, 30), ('Bucătărie de vară', 'C', 15, 35),
    ('Magazie', 'D', 8, 25), ('Grajd', 'D', 20, 60), ('Șură', 'D', 30, 90),
    ('Anexă gospodărească', 'C', 10, 40),
    ]
COMPANY_BUILDINGS = [
    'Spațiu comercial', 'Birouri', 'Depozit', 'Hală producție',
    'Atelier auto', 'Pensiune', 'Cabinet medical',
    ]
NAME_PARTS_A = [
    'Agro', 'Construct', 'Trans', 'Auto', 'Dental', 'Medica', 'Info',
    'Tehno', 'Eco', 'Euro', 'Mega', 'Nord', 'Someș', 'Transilvania',
    'Carpați', 'Apuseni', 'Sare', 'Dej', 'Lemn', 'Metal', 'Gaz', 'Electro',
    ]
NAME_PARTS_B = [
    'Com', 'Serv', 'Impex', 'Prod', 'Design', 'Consult', 'Logistic',
    'Instal', 'Grup', 'Market', 'Tur', 'Vet', 'Farm', 'Star', 'Plus',
    'Center', 'Expert', 'Net', 'Trade', 'Build',
    ]


def _lines(name):
    with open(DEMO_DIR / name, encoding='utf-8') as f:
        return [line.strip() for line in f
            if line.strip() and not line.startswith('#')]


def _vehicle_models(name):
    models = []
    for line in _lines(name):
        (category, make, model, wmi, fuel, cc_min, cc_max, co2, seats,
            mass_min, mass_max, weight) = line.split(';')
        models.append({
                'category': category, 'make': make, 'model': model,
                'wmi': wmi, 'fuel': fuel, 'cc': (int(cc_min), int(cc_max)),
                'co2': int(co2) if co2 else None, 'seats': int(seats),
                'mass': (int(mass_min), int(mass_max)),
                'weight': int(weight),
                })
    return models


def read_siruta(path=SIRUTA_FILE):
    with open(path, encoding='utf-8') as f:
        return list(csv.DictReader(f, delimiter=';'))


def euro_norm(model_year):
    for limit, norm in [(1993, 'non_euro'), (1997, 'euro1'), (2001, 'euro2'),
            (2006, 'euro3'), (2010, 'euro4'), (2015, 'euro5')]:
        if model_year < limit:
            return norm
    return 'euro6'


class Plan:
    "Everything to create, drawn from the seed"

    def __init__(self, persons, seed=42, uat=DEFAULT_UAT, year=None,
            today=None, taken=None):
        self.today = today or dt.date.today()
        self.year = year or self.today.year
        self.n_persons = persons
        self.seed = seed
        self.uat = uat
        self.uat_info = UATS[uat]
        # identifiers already in the database (another municipality)
        taken = taken or {}
        self.cnps = set(taken.get('cnp', ()))
        self.cuis = set(taken.get('cui', ()))
        self.onrcs = set(taken.get('onrc', ()))
        self.plates = set(taken.get('plate', ()))
        self.vins = set(taken.get('vin', ()))

        self.year_start = dt.date(self.year, 1, 1)
        self.last_year_end = dt.date(self.year - 1, 12, 31)
        # Transfers and new assets of the year fall between 2 January and
        # the end of the year, or today when the year is not over: a demo
        # has no deeds in the future.  Only these dates depend on the day
        # of the run; every other value depends on the seed alone.
        window_end = dt.date(self.year, 12, 31)
        if self.today.year == self.year and self.today > dt.date(
                self.year, 1, 15):
            window_end = self.today
        self.window = (dt.date(self.year, 1, 2), window_end)

        self.male_names = _lines('first-names-male.txt')
        self.female_names = _lines('first-names-female.txt')
        self.last_names = _lines('last-names.txt')
        self.street_names = _lines('streets.txt')
        self.vehicle_models = _vehicle_models('vehicles.csv')
        self.company_vehicle_models = _vehicle_models('company-vehicles.csv')

        self.siruta_rows = read_siruta()
        self.localities = [r for r in self.siruta_rows
            if r['NIV'] == '3' and r['SIRSUP'] == uat]
        self.uat_row, = [r for r in self.siruta_rows if r['SIRUTA'] == uat]

        self.streets = []
        self.persons = []
        self.households = []
        self.companies = []
        self.parcels = []
        self.buildings = []
        self.vehicles = []
        self._cadastral = 50000 + int(uat) % 7919
        self._document_no = Counter()

        self.plan_streets()
        self.plan_persons()
        self.plan_companies()
        self.plan_homes()
        self.plan_land()
        self.plan_company_assets()
        self.plan_vehicles()
        self.plan_acquisitions()
        self.plan_sales()

    # -- helpers ---------------------------------------------------------
    def rng(self, phase):
        return random.Random(f'{self.seed}:{self.uat}:{phase}')

    def window_date(self, fraction):
        start, end = self.window
        return start + dt.timedelta(days=int(fraction * (end - start).days))

    def document(self, kind, date):
        "The reference of a deed of that kind and date"
        if kind not in DOCUMENT_KINDS:
            return kind         # already a reference
        self._document_no[kind, date.year] += 1
        number = self._document_no[kind, date.year]
        if kind == 'sale':
            return (f"Contract de vânzare-cumpărare, încheiere de "
                f"autentificare nr. {number}/{date:%d.%m.%Y}")
        if kind == 'inheritance':
            return f"Certificat de moștenitor nr. {number}/{date:%d.%m.%Y}"
        if kind == 'title':
            return f"Titlu de proprietate nr. {number}/{date:%d.%m.%Y}"
        if kind == 'permit':
            return (f"Autorizație de construire nr. {number}/{date.year}, "
                f"proces-verbal de recepție din {date:%d.%m.%Y}")
        if kind == 'vehicle':
            return f"Contract de vânzare-cumpărare auto din {date:%d.%m.%Y}"
        if kind == 'new_vehicle':
            return f"Factură nr. {number} din {date:%d.%m.%Y} (vehicul nou)"
        if kind == 'l112':
            return (f"Contract de vânzare-cumpărare nr. {number}/"
                f"{date:%d.%m.%Y} (Legea 85/1992)")
        if kind == 'public':
            return "HCL de inventariere a domeniului public"
        raise ValueError(kind)

    def next_cadastral(self, rng):
        self._cadastral += rng.randint(1, 9)
        return str(self._cadastral)

    def age(self, person, date):
        birth = person['birth_date']
        return date.year - birth.year - (
            (date.month, date.day) < (birth.month, birth.day))

    def alive_on(self, person, date):
        return not person['date_of_death'] or person['date_of_death'] > date

    # -- streets ---------------------------------------------------------
    def plan_streets(self):
        rng = self.rng('streets')
        info = self.uat_info
        total = max(40, round(self.n_persons / 250))
        seat = info['seat']
        villages = [l['SIRUTA'] for l in self.localities
            if l['SIRUTA'] != seat]
        n_villages = max(2 * len(villages), round(
                total * (1 - info['seat_share'])))
        counts = {seat: total - n_villages}
        for i, village in enumerate(villages):
            counts[village] = n_villages // len(villages) + (
                i < n_villages % len(villages))
        self.locality_weight = {}
        for locality in self.localities:
            code = locality['SIRUTA']
            self.locality_weight[code] = (
                info['seat_share'] if code == seat
                else (1 - info['seat_share']) / len(villages))
        used = set()
        for locality in self.localities:
            code = locality['SIRUTA']
            urban = code == seat and info['kind'] != 'comuna'
            names = self.street_names[:]
            rng.shuffle(names)
            for i in range(counts[code]):
                j = i
                while True:
                    name = names[j % len(names)]
                    if urban:
                        street_type = rng.choices(
                            ['strada', 'bulevardul', 'aleea', 'piata',
                                'calea', 'intrarea'],
                            [80, 4, 8, 2, 2, 4])[0]
                    else:
                        street_type = rng.choices(
                            ['strada', 'ulita', 'aleea', 'drumul'],
                            [85, 6, 5, 4])[0]
                    if (code, street_type, name) not in used:
                        break
                    j += len(names) // 3 + 1
                used.add((code, street_type, name))
                if code == seat:
                    zone = rng.choices('ABC', [20, 50, 30])[0]
                    if i < 3:
                        zone = 'A'
                else:
                    zone = rng.choices('BCD', [10, 45, 45])[0]
                sections = []
                if rng.random() < 0.18:
                    other = rng.choice([z for z in 'ABCD' if z != zone])
                    start = rng.randrange(20, 80, 2)
                    if rng.random() < 0.7:
                        sections.append({
                                'number_from': start + 1, 'number_to': None,
                                'parity': 'all', 'fiscal_zone': other})
                    else:
                        sections.append({
                                'number_from': 1, 'number_to': start,
                                'parity': rng.choice(['odd', 'even']),
                                'fiscal_zone': other})
                blocks = (code == seat and i >= 2
                    and rng.random() < info['block_share'])
                self.streets.append({
                        'locality': code, 'street_type': street_type,
                        'name': name, 'fiscal_zone': zone,
                        'postal_code': locality['CODP'],
                        'sections': sections, 'blocks': blocks,
                        'council_decision': (
                            f"HCL nr. {rng.randint(10, 150)}/"
                            f"{rng.choice([2008, 2012, 2016, 2020, 2023])}"),
                        'next_number': 1, 'block': None,
                        })
        self.streets_by_locality = {}
        for index, street in enumerate(self.streets):
            self.streets_by_locality.setdefault(
                street['locality'], []).append(index)
        # the city hall is at number 1 of the first street of the seat
        self.city_hall = self.streets_by_locality[seat][0]
        self.streets[self.city_hall]['next_number'] = 3

    def fiscal_zone(self, street_index, number):
        street = self.streets[street_index]
        for section in street['sections']:
            if number < section['number_from']:
                continue
            if (section['number_to'] is not None
                    and number > section['number_to']):
                continue
            if section['parity'] == 'odd' and number % 2 == 0:
                continue
            if section['parity'] == 'even' and number % 2 == 1:
                continue
            return section['fiscal_zone']
        return street['fiscal_zone']

    def house_number(self, rng, street_index):
        street = self.streets[street_index]
        number = street['next_number']
        street['next_number'] += rng.choice([1, 1, 2, 2, 3])
        return number

    # -- persons ---------------------------------------------------------
    def new_cnp(self, rng, sex, birth_date):
        if birth_date.year >= 2000 and rng.random() < 0.12:
            county = '70'
        else:
            county = rng.choices(
                ['12', rng.choice(NEIGHBOUR_COUNTIES),
                    rng.choice(OTHER_COUNTIES)], [80, 10, 10])[0]
        while True:
            cnp = ids.make_cnp(sex, birth_date, county, rng.randint(1, 999))
            if cnp not in self.cnps:
                self.cnps.add(cnp)
                return cnp

    def new_person(self, rng, sex, born_from, born_to, last_name=None,
            household=None):
        start, end = dt.date(*born_from), dt.date(*born_to)
        start = max(start, dt.date(1935, 1, 1))
        end = min(end, dt.date(2007, 12, 31))
        if start > end:
            return None
        birth_date = ids.random_date(rng, start, end)
        names = self.male_names if sex == 'male' else self.female_names
        first_name = rng.choice(names)
        if rng.random() < 0.1:
            second = rng.choice(names)
            if second != first_name:
                first_name = f'{first_name} {second}'
        person = {
            'last_name': last_name or rng.choice(self.last_names),
            'first_name': first_name,
            'sex': sex,
            'birth_date': birth_date,
            'cnp': self.new_cnp(rng, sex, birth_date),
            'date_of_death': None,
            'household': household,
            }
        self.persons.append(person)
        return len(self.persons) - 1

    def plan_persons(self):
        rng = self.rng('persons')
        y = self.year
        while len(self.persons) < self.n_persons:
            kind = rng.choices(
                ['single', 'couple', 'family', 'single_parent', 'elderly'],
                [22, 16, 42, 8, 12])[0]
            household = {'members': [], 'couple': None, 'children': []}
            h = len(self.households)
            last_name = rng.choice(self.last_names)
            sex = rng.choice(['male', 'female'])
            if kind == 'single':
                members = [self.new_person(
                        rng, sex, (1935, 1, 1), (min(y - 19, 2006), 12, 31),
                        household=h)]
            elif kind == 'elderly':
                a = self.new_person(rng, 'male', (1935, 1, 1), (1958, 12, 31),
                    last_name, h)
                b = self.new_person(rng, 'female', (1936, 1, 1),
                    (1960, 12, 31), last_name, h)
                members = [a, b]
                household['couple'] = (a, b)
            else:
                head = self.new_person(
                    rng, 'male' if kind != 'single_parent' else sex,
                    (1950, 1, 1), (1990, 12, 31), last_name, h)
                members = [head]
                if kind != 'single_parent':
                    born = self.persons[head]['birth_date'].year
                    spouse = self.new_person(
                        rng, 'female', (born - 4, 1, 1), (born + 6, 12, 31),
                        last_name, h)
                    members.append(spouse)
                    household['couple'] = (head, spouse)
                if kind != 'couple':
                    born = self.persons[head]['birth_date'].year
                    for _ in range(rng.choices([1, 2, 3], [40, 45, 15])[0]):
                        child = self.new_person(
                            rng, rng.choice(['male', 'female']),
                            (born + 20, 1, 1), (born + 40, 12, 31),
                            last_name, h)
                        if child is not None:
                            members.append(child)
                            household['children'].append(child)
            household['members'] = [m for m in members if m is not None]
            self.households.append(household)
        # the last household may overshoot the size asked for
        del self.persons[self.n_persons:]
        for household in self.households:
            household['members'] = [
                m for m in household['members'] if m < self.n_persons]
            household['children'] = [
                m for m in household['children'] if m < self.n_persons]
            if household['couple'] and any(
                    m >= self.n_persons for m in household['couple']):
                household['couple'] = None
        self.households = [h for h in self.households if h['members']]
        for h, household in enumerate(self.households):
            for m in household['members']:
                self.persons[m]['household'] = h

        # about 3 % deceased, mostly the elderly
        rng = self.rng('deaths')
        last_day = min(self.last_year_end, self.today - dt.timedelta(days=1))
        for person in self.persons:
            born = person['birth_date'].year
            p = 0.2 if born < 1950 else 0.05 if born < 1965 else 0.006
            if rng.random() < p:
                start = max(dt.date(born + 45, 1, 1),
                    dt.date(self.year - 15, 1, 1))
                if start <= last_day:
                    person['date_of_death'] = ids.random_date(
                        rng, start, last_day)

        # addresses, identity cards
        rng = self.rng('addresses')
        localities = list(self.locality_weight)
        weights = [self.locality_weight[l] for l in localities]
        for household in self.households:
            locality = rng.choices(localities, weights)[0]
            street = rng.choice(self.streets_by_locality[locality])
            household['street'] = street
            if self.streets[street]['blocks'] and rng.random() < 0.75:
                household['home'] = 'apartment'
                household['address'] = self.new_apartment(rng, street)
            else:
                household['home'] = 'house'
                number = self.house_number(rng, street)
                household['address'] = {
                    'street': street, 'building_number': str(number)}
            household['address']['locality'] = locality
        for person in self.persons:
            household = self.households[person['household']]
            person['address'] = household['address']
            self.id_card(rng, person)

        # the mayor and the secretary general are residents aged 35–65
        rng = self.rng('officials')
        candidates = [p for p, person in enumerate(self.persons)
            if not person['date_of_death']
            and 35 <= self.age(person, self.year_start) <= 65]
        self.mayor, self.secretary = rng.sample(
            candidates or list(range(len(self.persons))), 2)

    def new_apartment(self, rng, street_index):
        street = self.streets[street_index]
        block = street['block']
        if block is None or block['next'] >= len(block['units']):
            number = self.house_number(rng, street_index)
            floors = rng.choice([4, 4, 4, 8, 10])
            staircases = rng.choice([1, 2, 2, 3, 4])
            per_floor = rng.choice([2, 3, 4])
            units = []
            ap = 0
            for staircase in range(1, staircases + 1):
                for floor in range(0, floors + 1):
                    for _ in range(per_floor):
                        ap += 1
                        units.append((str(staircase), str(floor), str(ap)))
            rng.shuffle(units)
            built = rng.choices(
                [rng.randint(1962, 1989), rng.randint(1990, 2007),
                    rng.randint(2008, self.year - 1)], [75, 10, 15])[0]
            block = street['block'] = {
                'number': number,
                'name': f'{rng.choice(BLOCK_LETTERS)}{rng.randint(1, 30)}',
                'floors': floors, 'units': units, 'next': 0,
                'year_built': built, 'parcel': None,
                'heating': rng.random() < 0.6,
                }
            block['parcel'] = self.new_parcel(
                rng, street=street_index, number=number,
                area=rng.randint(350, 1500), use='built',
                owners=[(('u', None), 1, 1)],
                start=dt.date(max(built, 1990), 1, 1), document='public')
        staircase, floor, ap = block['units'][block['next']]
        block['next'] += 1
        return {
            'street': street_index,
            'building_number': str(block['number']),
            'block': block['name'], 'staircase': staircase,
            'floor_number': floor, 'unit_number': ap,
            'block_info': block,
            }

    def id_card(self, rng, person):
        reference = self.today
        if person['date_of_death']:
            reference = person['date_of_death']
        age = self.age(person, reference)
        if age < 14:
            return
        kind = rng.choices(['ci', 'cie', 'bi', 'passport'], [86, 9, 1, 4])[0]
        if kind == 'cie' and reference.year < 2022:
            kind = 'ci'
        if kind == 'bi' and person['birth_date'].year > 1950:
            kind = 'ci'
        # the card in force: issued some years ago, valid 4/7/10 years or
        # for life after 55 (Legea 97/2005 art. 16)
        issued = ids.random_date(
            rng, max(reference - dt.timedelta(days=3650),
                person['birth_date'] + dt.timedelta(days=14 * 366)),
            reference)
        age_at_issue = self.age(person, issued)
        if age_at_issue >= 55 and kind in {'ci', 'cie'}:
            expiry = None
        else:
            years = (4 if age_at_issue < 18 else 7 if age_at_issue < 25
                else 10 if kind != 'passport' else 10)
            try:
                expiry = issued.replace(year=issued.year + years)
            except ValueError:
                expiry = issued.replace(year=issued.year + years, day=28)
            expiry = expiry - dt.timedelta(days=1)
        person['id_document'] = {
            'id_document_type': kind,
            'id_document_series': (
                rng.choice(['CJ', 'KX']) if kind in {'ci', 'cie', 'bi'}
                else None),
            'id_document_number': (
                f'{rng.randint(100000, 999999)}' if kind != 'passport'
                else f'0{rng.randint(10000000, 59999999)}'),
            'id_document_issuer': (
                self.uat_info['spclep'] if kind != 'passport'
                else 'DGP Cluj'),
            'id_document_expiry': expiry,
            }

    # -- companies -------------------------------------------------------
    def new_cui(self, rng, digits=8):
        while True:
            cui = ids.make_cui(rng.randrange(
                    10 ** (digits - 2), 5 * 10 ** (digits - 2)))
            if cui not in self.cuis:
                self.cuis.add(cui)
                return cui

    def plan_companies(self):
        rng = self.rng('companies')
        self.uat_cui = self.new_cui(rng, 7)
        n = max(3, round(self.n_persons / 20))
        localities = list(self.locality_weight)
        weights = [self.locality_weight[l] for l in localities]
        for _ in range(n):
            form = rng.choices(['SRL', 'SA', 'PFA', 'II'], [72, 4, 19, 5])[0]
            registered = rng.randint(1991 if form != 'PFA' else 2005,
                self.year - 1)
            if form in {'PFA', 'II'}:
                owner = rng.randrange(len(self.persons))
                person = self.persons[owner]
                name = (f"{person['last_name']} "
                    f"{person['first_name'].split()[0]} "
                    + ("PFA" if form == 'PFA'
                        else "Întreprindere Individuală"))
                prefix = 'F'
                activity = rng.choice(['services', 'transport', 'agro'])
            else:
                if rng.random() < 0.3:
                    a = rng.choice(self.last_names)
                    b = rng.choice(NAME_PARTS_B + ['& Fiii', 'Construct'])
                    name = f"{a} {b} {form}"
                else:
                    name = (f"{rng.choice(NAME_PARTS_A)}"
                        f"{rng.choice(NAME_PARTS_B).lower()} {form}")
                prefix = 'J'
                activity = ('transport' if 'Trans' in name
                    or 'Logistic' in name
                    else rng.choices(['services', 'transport', 'agro',
                            'production'], [60, 12, 10, 18])[0])
            while True:
                onrc = ids.make_onrc(
                    prefix, 12, rng.randint(1, 4999), registered)
                if onrc not in self.onrcs:
                    self.onrcs.add(onrc)
                    break
            locality = rng.choices(localities, weights)[0]
            street = rng.choice(self.streets_by_locality[locality])
            number = self.house_number(rng, street)
            self.companies.append({
                    'name': name, 'form': form, 'activity': activity,
                    'cui': self.new_cui(rng), 'onrc': onrc,
                    'registered': registered,
                    'address': {'street': street, 'locality': locality,
                        'building_number': str(number)},
                    })

    # -- property --------------------------------------------------------
    def new_parcel(self, rng, street=None, number=None, locality=None,
            area=None, use='built', intravilan=True, owners=None,
            start=None, document='sale'):
        cadastral = self.next_cadastral(rng)
        if street is not None:
            locality = self.streets[street]['locality']
            zone = self.fiscal_zone(street, number)
        else:
            zone = rng.choices('ABCD', [5, 15, 35, 45])[0]
        parcel = {
            'cadastral_number': cadastral,
            'land_book_number': (cadastral if rng.random() < 0.85
                else f'{rng.randint(100, 9999)}'),
            'area': Decimal(area).quantize(Decimal('0.01')),
            'intravilan': intravilan, 'use_category': use,
            'locality': locality, 'street': street,
            'street_number': str(number) if number is not None else None,
            'fiscal_zone': zone,
            'tarla': (None if street is not None else
                f'T{rng.randint(1, 80)} P{rng.randint(1, 400)}'
                + (f'/{rng.randint(1, 9)}' if rng.random() < 0.4 else '')),
            'owners': owners, 'start': start,
            'document': self.document(document, start),
            'sale': None, 'buildings': [],
            }
        if street is not None and rng.random() < 0.1:
            x, y = rng.randint(390000, 400000), rng.randint(620000, 630000)
            side = int(float(area) ** 0.5)
            parcel['geometry'] = (
                '{"type": "Polygon", "coordinates": [[[%d, %d], [%d, %d], '
                '[%d, %d], [%d, %d], [%d, %d]]]}' % (
                    x, y, x + side, y, x + side, y + side, x, y + side, x, y))
        self.parcels.append(parcel)
        return len(self.parcels) - 1

    def new_building(self, rng, parcel, start, owners, document='permit',
            **values):
        building = {
            'parcel': parcel, 'owners': owners, 'start': start,
            'document': self.document(document, start), 'sale': None,
            }
        building.update(values)
        self.buildings.append(building)
        self.parcels[parcel]['buildings'].append(len(self.buildings) - 1)
        return len(self.buildings) - 1

    def household_owners(self, rng, household, date, p_couple=0.3):
        "The owners of the home: the couple in halves, or one adult"
        couple = household.get('couple')
        if couple and rng.random() < p_couple and all(
                self.age(self.persons[m], date) >= 18 for m in couple):
            return [(('p', couple[0]), 1, 2), (('p', couple[1]), 1, 2)]
        adults = [m for m in household['members']
            if self.age(self.persons[m], max(date, self.year_start)) >= 18]
        owner = adults[0] if adults else household['members'][0]
        return [(('p', owner), 1, 1)]

    def acquired(self, rng, household, earliest):
        "A date before the current year when the household acquired a home"
        born = min(self.persons[m]['birth_date'] for m in household['members'])
        start = max(earliest, dt.date(born.year + 20, 1, 1),
            dt.date(1990, 1, 1))
        end = self.last_year_end
        if start > end:
            start = dt.date(self.year - 2, 1, 1)
        return ids.random_date(rng, start, end)

    def plan_homes(self):
        rng = self.rng('homes')
        for household in self.households:
            address = household['address']
            if household['home'] == 'apartment':
                block = address['block_info']
                built = block['year_built']
                start = self.acquired(rng, household, dt.date(built, 6, 1))
                owners = self.household_owners(rng, household, start)
                rooms = rng.choices([1, 2, 3, 4], [15, 40, 35, 10])[0]
                useful = Decimal(rng.randint(18, 26) * rooms + 8)
                self.new_building(
                    rng, block['parcel'], start, owners,
                    document='l112' if built < 1990 and start.year < 1998
                    else 'sale',
                    name=f'Apartament {rooms} camere',
                    cadastral_number=(
                        f"{self.parcels[block['parcel']]['cadastral_number']}"
                        f"-C1-U{address['unit_number']}"),
                    construction_type='A', year_built=built,
                    built_area=(useful * Decimal('1.25')).quantize(
                        Decimal('0.01')),
                    useful_area=useful, floors=block['floors'],
                    block_apartments=len(block['units']),
                    use='residential', apartment_in_block=True,
                    unit_number=address['unit_number'],
                    water=True, sewerage=True, electricity=True,
                    heating=block['heating'] or rng.random() < 0.5)
                continue
            street = address['street']
            number = int(address['building_number'])
            urban = street in self.streets_by_locality[self.uat_info['seat']]
            built = rng.choices(
                [rng.randint(1900, 1949), rng.randint(1950, 1989),
                    rng.randint(1990, 2009), rng.randint(2010, self.year - 1)],
                [10, 40, 30, 20])[0]
            start = self.acquired(rng, household, dt.date(1990, 1, 1))
            if start.year < built:
                start = ids.random_date(rng, dt.date(built, 1, 1),
                    self.last_year_end)
            owners = self.household_owners(rng, household, start)
            how = rng.choices(
                ['sale', 'inheritance', 'permit'], [50, 30, 20])[0]
            parcel = self.new_parcel(
                rng, street=street, number=number,
                area=rng.randint(250, 900 if urban else 2500),
                owners=owners, start=start,
                document='sale' if how == 'permit' else how)
            self.add_house(rng, parcel, built, start, owners, urban,
                'permit' if how == 'permit' else None)
            # a second house, inherited with brothers and sisters
            if rng.random() < 0.06:
                self.plan_inherited_house(rng, household)

    def add_house(self, rng, parcel, built, start, owners, urban,
            document=None):
        cadastral = self.parcels[parcel]['cadastral_number']
        # the house passes with the land, by the same deed, unless it was
        # built by the owners (construction permit)
        document = self.document(
            document or self.parcels[parcel]['document'], start)
        kind = 'A' if built >= 1970 or rng.random() < 0.5 else 'B'
        if not urban and built < 1960 and rng.random() < 0.6:
            kind = 'B'
        floors = rng.choices([1, 2, 3], [60, 35, 5])[0]
        useful = Decimal(rng.randint(45, 110) * floors)
        use = 'residential'
        values = {}
        if rng.random() < 0.04:
            use = 'mixed'
            values['non_residential_area'] = (useful * Decimal(
                    rng.randint(15, 50)) / 100).quantize(Decimal('0.01'))
        self.new_building(
            rng, parcel, start, owners,
            document=document,
            name='Casă de locuit' if use == 'residential'
            else 'Casă cu spațiu comercial',
            cadastral_number=f'{cadastral}-C1',
            construction_type=kind, year_built=built,
            year_renovated=(rng.randint(max(built + 15, 1990), self.year - 1)
                if built < self.year - 30 and rng.random() < 0.2 else None),
            built_area=(useful * Decimal('1.2')).quantize(Decimal('0.01'))
            if rng.random() < 0.85 else None,
            useful_area=useful, floors=floors, use=use,
            apartment_in_block=False,
            water=rng.random() < (0.95 if urban else 0.75),
            sewerage=rng.random() < (0.9 if urban else 0.45),
            electricity=rng.random() < 0.99,
            heating=rng.random() < (0.6 if urban else 0.3), **values)
        for c in range(2, 2 + rng.choices([0, 1, 2], [45, 40, 15])[0]):
            name, annex_type, low, high = rng.choice(ANNEXES)
            annex_built = rng.randint(min(built, self.year - 1),
                self.year - 1)
            self.new_building(
                rng, parcel, start, owners, document=document,
                name=name, cadastral_number=f'{cadastral}-C{c}',
                construction_type=annex_type, year_built=annex_built,
                built_area=Decimal(rng.randint(low, high)),
                floors=1, use='residential', apartment_in_block=False,
                electricity=rng.random() < 0.7)

    def heirs(self, rng, household):
        children = [c for c in household['children']
            if self.age(self.persons[c], self.year_start) >= 18]
        if len(children) >= 2:
            return children[:3]
        last_name = self.persons[household['members'][0]]['last_name']
        heirs = list(household['members'][:1])
        for _ in range(30):
            other = rng.randrange(len(self.persons))
            if (self.persons[other]['last_name'] == last_name
                    and other not in heirs
                    and self.age(self.persons[other], self.year_start) >= 18):
                heirs.append(other)
                if len(heirs) == 3:
                    break
        return heirs

    def plan_inherited_house(self, rng, household):
        heirs = self.heirs(rng, household)
        k = len(heirs)
        villages = [l for l in self.locality_weight
            if l != self.uat_info['seat']] or list(self.locality_weight)
        street = rng.choice(self.streets_by_locality[rng.choice(villages)])
        start = ids.random_date(rng, dt.date(2000, 1, 1), self.last_year_end)
        owners = [(('p', h), 1, k) for h in heirs]
        parcel = self.new_parcel(
            rng, street=street, number=self.house_number(rng, street),
            area=rng.randint(800, 3000), owners=owners, start=start,
            document='inheritance')
        self.add_house(rng, parcel, rng.randint(1920, 1985), start, owners,
            False)

    def plan_land(self):
        "Arable land, pastures, orchards … mostly extravilan"
        rng = self.rng('land')
        localities = list(self.locality_weight)
        for household in self.households:
            rural = household['address']['locality'] != self.uat_info['seat']
            mean = 2.0 if rural else 0.8
            count = 0
            while rng.random() < mean / (1 + mean) and count < 6:
                count += 1
            for _ in range(count):
                use = rng.choices(
                    ['arable', 'pasture', 'hayfield', 'orchard', 'vineyard',
                        'forest'], [45, 15, 20, 10, 3, 7])[0]
                intravilan = use in {'arable', 'orchard'} and (
                    rng.random() < 0.25)
                title = ids.random_date(
                    rng, dt.date(1991, 3, 1), dt.date(2005, 12, 31))
                how = rng.choices(['title', 'inheritance', 'sale'],
                    [50, 20, 30])[0]
                if how == 'title':
                    start = title
                    owners = self.household_owners(rng, household, start,
                        p_couple=0.15)
                elif how == 'inheritance':
                    start = ids.random_date(rng, title, self.last_year_end)
                    heirs = self.heirs(rng, household)
                    owners = [(('p', h), 1, len(heirs)) for h in heirs]
                else:
                    start = ids.random_date(rng, title, self.last_year_end)
                    owners = self.household_owners(rng, household, start)
                if intravilan:
                    street = rng.choice(self.streets_by_locality[
                            household['address']['locality']])
                    self.new_parcel(
                        rng, street=street,
                        number=self.house_number(rng, street),
                        area=rng.randint(300, 5000), use=use,
                        owners=owners, start=start, document=how)
                else:
                    self.new_parcel(
                        rng, locality=rng.choice(localities),
                        area=rng.randint(1000, 40000), use=use,
                        intravilan=False, owners=owners, start=start,
                        document=how)

    def plan_company_assets(self):
        rng = self.rng('company-assets')
        for c, company in enumerate(self.companies):
            if company['form'] in {'PFA', 'II'} or rng.random() > 0.4:
                continue
            street = rng.choice(self.streets_by_locality[
                    company['address']['locality']])
            number = self.house_number(rng, street)
            start = ids.random_date(rng, dt.date(company['registered'], 1, 1),
                self.last_year_end)
            owners = [(('c', c), 1, 1)]
            parcel = self.new_parcel(
                rng, street=street, number=number,
                area=rng.randint(300, 6000), owners=owners, start=start,
                document='sale')
            built = rng.randint(1960, self.year - 1)
            area = Decimal(rng.randint(60, 2500))
            use = 'non_residential' if rng.random() < 0.8 else 'mixed'
            values = {}
            if use == 'mixed':
                values['non_residential_area'] = (
                    area * Decimal(rng.randint(30, 80)) / 100).quantize(
                    Decimal('0.01'))
            self.new_building(
                rng, parcel, start, owners, document='sale',
                name=rng.choice(COMPANY_BUILDINGS),
                cadastral_number=f"{self.parcels[parcel]['cadastral_number']}"
                "-C1",
                construction_type=rng.choice('AAAB'), year_built=built,
                built_area=area, floors=rng.choice([1, 1, 2, 3]), use=use,
                apartment_in_block=False, water=True,
                sewerage=rng.random() < 0.8, electricity=True,
                heating=rng.random() < 0.7, **values)
        # a few people own a shop or an office of their own
        for household in self.households:
            if rng.random() < 0.02:
                street = rng.choice(self.streets_by_locality[
                        self.uat_info['seat']])
                start = self.acquired(rng, household, dt.date(1995, 1, 1))
                owners = self.household_owners(rng, household, start)
                parcel = self.new_parcel(
                    rng, street=street,
                    number=self.house_number(rng, street),
                    area=rng.randint(60, 400), owners=owners, start=start)
                self.new_building(
                    rng, parcel, start, owners, document='sale',
                    name=rng.choice(COMPANY_BUILDINGS[:3]),
                    cadastral_number=(
                        f"{self.parcels[parcel]['cadastral_number']}-C1"),
                    construction_type='A',
                    year_built=rng.randint(1970, self.year - 1),
                    built_area=Decimal(rng.randint(30, 250)), floors=1,
                    use='non_residential', apartment_in_block=False,
                    water=True, sewerage=True, electricity=True,
                    heating=True)

    # -- vehicles --------------------------------------------------------
    def new_plate(self, rng):
        while True:
            plate = ids.make_plate(rng)
            if plate not in self.plates:
                self.plates.add(plate)
                return plate

    def new_vehicle(self, rng, model, owners, registered, start, document):
        model_year = max(1985, registered.year - rng.choices(
                [0, rng.randint(1, 6), rng.randint(7, 15)], [35, 45, 20])[0])
        while True:
            vin = ids.make_vin(rng, model['wmi'], model_year)
            if vin not in self.vins:
                self.vins.add(vin)
                break
        category = model['category']
        fuel = model['fuel']
        cc = None
        if fuel != 'electric' and model['cc'][1]:
            cc = rng.randint(*model['cc'])
        mass = rng.randint(*model['mass'])
        vehicle = {
            'registration_number': self.new_plate(rng), 'vin': vin,
            'make': model['make'], 'model': model['model'],
            'category': category, 'fuel': fuel, 'cylinder_capacity': cc,
            'euro_norm': (None if fuel in {'electric', 'other'}
                or category == 'trailer' else euro_norm(model_year)),
            'co2_emissions': (model['co2'] + rng.randint(-8, 12)
                if fuel == 'hybrid' else None),
            'max_mass': mass, 'seats': model['seats'] or None,
            'axles': None, 'air_suspension': False,
            'registration_date': registered,
            'owners': owners, 'start': start,
            'document': self.document(document, start), 'sale': None,
            }
        if category in {'truck_ge12t', 'road_train'}:
            vehicle['axles'] = 2 if mass < 19000 else rng.choice([3, 3, 4])
            vehicle['air_suspension'] = rng.random() < 0.7
        elif category == 'trailer':
            vehicle['axles'] = 1 if mass <= 1000 else rng.choice([2, 3])
        self.vehicles.append(vehicle)
        return len(self.vehicles) - 1

    def registration(self, rng, earliest):
        registered = ids.random_date(
            rng, max(earliest, dt.date(self.year - 25, 1, 1)),
            self.last_year_end)
        if rng.random() < 0.7:
            start = registered
            document = 'new_vehicle' if rng.random() < 0.3 else 'vehicle'
        else:
            start = ids.random_date(rng, registered, self.last_year_end)
            document = 'vehicle'
        return registered, start, document

    def plan_vehicles(self):
        rng = self.rng('vehicles')
        cars = [m for m in self.vehicle_models if m['category'] == 'car']
        car_weights = [m['weight'] for m in cars]
        bikes = [m for m in self.vehicle_models
            if m['category'] == 'motorcycle']
        tractors = [m for m in self.vehicle_models
            if m['category'] == 'tractor']
        trailers = [m for m in self.vehicle_models
            if m['category'] == 'trailer']
        seat = self.uat_info['seat']
        for p, person in enumerate(self.persons):
            if person['date_of_death']:
                continue
            age = self.age(person, self.year_start)
            if age < 18:
                continue
            adult_from = dt.date(person['birth_date'].year + 18, 6, 1)
            chance = 0.3 if age < 25 else 0.25 if age > 72 else 0.47
            models = []
            if rng.random() < chance:
                models.append(rng.choices(cars, car_weights)[0])
            if age < 55 and person['sex'] == 'male' and rng.random() < 0.06:
                models.append(rng.choice(bikes))
            rural = person['address']['locality'] != seat
            if rural and rng.random() < 0.04:
                models.append(rng.choice(tractors))
            if rng.random() < 0.03:
                models.append(rng.choice(trailers))
            for model in models:
                registered, start, document = self.registration(
                    rng, adult_from)
                owners = [(('p', p), 1, 1)]
                household = self.households[person['household']]
                couple = household.get('couple')
                if couple and p in couple and rng.random() < 0.04:
                    owners = [(('p', couple[0]), 1, 2),
                        (('p', couple[1]), 1, 2)]
                self.new_vehicle(rng, model, owners, registered, start,
                    document)
        models = self.company_vehicle_models
        heavy = [m for m in models if m['category'] in {
                'truck_ge12t', 'road_train', 'trailer'}]
        light = [m for m in models if m not in heavy]
        light_weights = [m['weight'] for m in light]
        heavy_weights = [m['weight'] for m in heavy]
        for c, company in enumerate(self.companies):
            earliest = dt.date(company['registered'], 1, 1)
            if company['form'] in {'PFA', 'II'}:
                count = 1 if rng.random() < 0.3 else 0
            elif rng.random() < 0.55:
                count = rng.choices([1, 2, 3, 5, 8], [45, 25, 15, 10, 5])[0]
                if company['form'] == 'SA':
                    count += 3
            else:
                count = 0
            for _ in range(count):
                if company['activity'] == 'transport' and rng.random() < 0.6:
                    model = rng.choices(heavy, heavy_weights)[0]
                elif company['activity'] == 'agro' and rng.random() < 0.3:
                    model = rng.choice(tractors)
                else:
                    model = rng.choices(light, light_weights)[0]
                registered, start, document = self.registration(
                    rng, earliest)
                self.new_vehicle(rng, model, [(('c', c), 1, 1)], registered,
                    start, document)

    # -- the current year ------------------------------------------------
    def plan_acquisitions(self):
        "New cars registered and new buildings finished this year"
        rng = self.rng('acquisitions')
        cars = [m for m in self.vehicle_models if m['category'] == 'car']
        weights = [m['weight'] for m in cars]
        adults = [p for p, person in enumerate(self.persons)
            if not person['date_of_death']
            and self.age(person, self.year_start) >= 18]
        for _ in range(round(len(self.vehicles) * 0.04)):
            owner = rng.choice(adults)
            date = self.window_date(rng.random())
            self.new_vehicle(rng, rng.choices(cars, weights)[0],
                [(('p', owner), 1, 1)], date, date, 'new_vehicle')
        houses = [i for i, parcel in enumerate(self.parcels)
            if parcel['use_category'] == 'built' and parcel['buildings']
            and parcel['owners'][0][0][0] == 'p'
            and not self.buildings[parcel['buildings'][0]].get(
                'apartment_in_block')]
        for parcel in rng.sample(houses, round(len(houses) * 0.02)):
            values = self.parcels[parcel]
            date = self.window_date(rng.random())
            name, annex_type, low, high = rng.choice(ANNEXES)
            self.new_building(
                rng, parcel, date, values['owners'], document='permit',
                name=name, cadastral_number=(
                    f"{values['cadastral_number']}-C9"),
                construction_type=annex_type, year_built=self.year,
                built_area=Decimal(rng.randint(low, high)), floors=1,
                use='residential', apartment_in_block=False,
                electricity=True)

    def plan_sales(self):
        """About 5 % of the assets owned before the year change hands on a
        date of the year; a parcel is sold with its buildings"""
        rng = self.rng('sales')
        adults = [p for p, person in enumerate(self.persons)
            if not person['date_of_death']
            and self.age(person, self.year_start) >= 18]
        couples = [h['couple'] for h in self.households
            if h.get('couple') and all(self.alive_on(self.persons[m],
                        self.window[1]) for m in h['couple'])]

        def sellable(asset):
            return (asset['start'] < self.year_start
                and all(ref[0] != 'u' and (ref[0] != 'p'
                        or self.alive_on(self.persons[ref[1]],
                            self.window[1]))
                    for ref, _, _ in asset['owners']))

        def buyers(sellers):
            while True:
                kind = rng.choices(['one', 'couple', 'company'],
                    [72, 18, 10])[0]
                if kind == 'one':
                    new = [(('p', rng.choice(adults)), 1, 1)]
                elif kind == 'couple' and couples:
                    a, b = rng.choice(couples)
                    new = [(('p', a), 1, 2), (('p', b), 1, 2)]
                else:
                    new = [(('c', rng.randrange(len(self.companies))), 1, 1)]
                if not {r for r, _, _ in new} & {r for r, _, _ in sellers}:
                    return new

        for parcel in self.parcels:
            if rng.random() >= 0.05 or not sellable(parcel):
                continue
            buildings = [self.buildings[b] for b in parcel['buildings']]
            if buildings and buildings[0].get('apartment_in_block'):
                continue
            if not all(sellable(b) and b['owners'] == parcel['owners']
                    for b in buildings):
                continue
            date = self.window_date(rng.random())
            sale = {'date': date, 'document': self.document('sale', date),
                'owners': buyers(parcel['owners'])}
            parcel['sale'] = sale
            for building in buildings:
                building['sale'] = sale
        for building in self.buildings:
            if (building.get('apartment_in_block') and rng.random() < 0.05
                    and sellable(building)):
                date = self.window_date(rng.random())
                building['sale'] = {
                    'date': date, 'document': self.document('sale', date),
                    'owners': buyers(building['owners'])}
        for vehicle in self.vehicles:
            if rng.random() < 0.055 and sellable(vehicle):
                date = self.window_date(rng.random())
                vehicle['sale'] = {
                    'date': date, 'document': self.document('vehicle', date),
                    'owners': buyers(vehicle['owners'])}

    # -- summary ---------------------------------------------------------
    def stats(self):
        assets = self.parcels + self.buildings + self.vehicles
        co_owned = sum(len(a['owners']) > 1 for a in assets)
        sold = sum(a['sale'] is not None for a in assets)
        new = sum(a['start'] >= self.year_start for a in assets)
        n = len(self.persons)
        return {
            'persons': n,
            'households': len(self.households),
            'deceased': sum(bool(p['date_of_death']) for p in self.persons),
            'companies': len(self.companies),
            'streets': len(self.streets),
            'parcels': len(self.parcels),
            'parcels/person': round(len(self.parcels) / n, 2),
            'buildings': len(self.buildings),
            'apartments': sum(bool(b.get('apartment_in_block'))
                for b in self.buildings),
            'vehicles': len(self.vehicles),
            'vehicles/person': round(len(self.vehicles) / n, 2),
            'ownerships': sum(len(a['owners']) + (
                    len(a['sale']['owners']) if a['sale'] else 0)
                for a in assets),
            'co-owned %': round(100 * co_owned / len(assets), 1),
            'sold in year %': round(100 * sold / len(assets), 1),
            'acquired in year %': round(100 * new / len(assets), 1),
            }
