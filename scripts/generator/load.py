"""Write a Plan into a Tryton database through the ORM, in batches.

Every batch runs in its own transaction (committed at the end of the batch)
with a lock-retry loop (scripts/lib/trytond_db.run_committed), so a long run never
holds one giant transaction.  All writes go through Model.create / write /
Ownership.transfer: the model's validation stays on.
"""
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal

from tqdm import tqdm

from trytond.modules.municipality.territory import STREET_TYPE_ABBREVIATIONS
from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError

from .identifiers import treasury_iban
from .plan import SIRUTA_FILE, TREASURY_ACCOUNTS

ASSET_MODELS = [
    ('parcel', 'property.parcel'),
    ('building', 'property.building'),
    ('vehicle', 'vehicle.vehicle'),
    ]


class AlreadyGenerated(Exception):
    pass


def run_in_transaction(database, func, context=None):
    "Run func in a committed transaction, restarting it when a lock asks"
    extras = {}
    while True:
        with Transaction().start(
                database, 0, context=context or {}, **extras) as transaction:
            try:
                result = func()
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            transaction.commit()
            return result


# -- work done per batch, in this process or in worker processes ----------
_worker = {}


def init_worker(config, database, context):
    "Set up a worker process: configuration and pool"
    from trytond.config import update_etc
    if config:
        update_etc(config)
    Pool.start()
    pool = Pool(database)
    with Transaction().start(database, 0, readonly=True):
        pool.init()
    _worker.update(database=database, context=context)


def call(task):
    "Run one batch (a committed transaction of its own)"
    name, args = task
    function = TASKS[name]
    return run_in_transaction(
        _worker['database'], lambda: function(*args), _worker['context'])


def task_parties(rows, identifiers):
    """Create the parties, then their identifiers and addresses in one call
    each (cheaper than nested One2Many values, which the ORM compares
    pairwise)"""
    pool = Pool()
    Party = pool.get('party.party')
    Identifier = pool.get('party.identifier')
    Address = pool.get('party.address')
    addresses = [row.pop('address') for row in rows]
    parties = Party.create(rows)
    Identifier.create([
            {'party': party.id, 'type': type_, 'code': code}
            for party, party_identifiers in zip(parties, identifiers)
            for type_, code in party_identifiers])
    Address.create([
            {'party': party.id, **address}
            for party, address in zip(parties, addresses)])
    return [p.id for p in parties]


def task_assets(field, model, rows, owners):
    """Create the assets, their ownerships with the share check deferred,
    then check the shares of the whole batch once"""
    pool = Pool()
    Model = pool.get(model)
    Ownership = pool.get('ownership.ownership')
    records = Model.create(rows)
    ownerships = []
    for record, record_owners in zip(records, owners):
        for values in record_owners:
            ownerships.append({field: record.id, **values})
    with Transaction().set_context(_defer_share_check=True):
        Ownership.create(ownerships)
    Ownership.check_shares_of(field, records)
    return [r.id for r in records]


def task_transfers(sales):
    """The sales of a batch, through Ownership.transfer_many.
    sales: [(field, asset id, date, document,
    [(party id, numerator, denominator), ...]), ...]"""
    pool = Pool()
    Ownership = pool.get('ownership.ownership')
    by_field = defaultdict(list)
    for field, id_, date, document, new_owners in sales:
        by_field[field].append((id_, date, document, new_owners))
    count = 0
    for field, items in by_field.items():
        Asset = pool.get(dict(ASSET_MODELS)[field])
        assets = Asset.browse([id_ for id_, *_ in items])
        Ownership.transfer_many(field, [
                (asset, date, document, new_owners)
                for asset, (_, date, document, new_owners)
                in zip(assets, items)])
        count += sum(len(new_owners) for *_, new_owners in items)
    return count

TASKS = {
    'parties': task_parties,
    'assets': task_assets,
    'transfers': task_transfers,
    }


def existing_identifiers(database):
    "Identifiers already in the database, so a second UAT does not clash"
    def read():
        pool = Pool()
        Identifier = pool.get('party.identifier')
        Vehicle = pool.get('vehicle.vehicle')
        taken = {'cnp': set(), 'cui': set(), 'onrc': set()}
        names = {'ro_cnp': 'cnp', 'ro_cui': 'cui', 'ro_onrc': 'onrc'}
        for row in Identifier.search_read(
                [('type', 'in', list(names))],
                fields_names=['type', 'code', 'code_compact']):
            taken[names[row['type']]].add(
                row['code'] if row['type'] == 'ro_onrc'
                else row['code_compact'])
        taken['plate'] = set()
        taken['vin'] = set()
        for row in Vehicle.search_read(
                [], fields_names=['registration_number', 'vin']):
            taken['plate'].add(row['registration_number'])
            taken['vin'].add(row['vin'])
        return taken
    return run_in_transaction(database, read)


class Loader:

    def __init__(self, database, plan, batch_size=1000, progress=True,
            jobs=1, config=None):
        self.database = database
        self.plan = plan
        self.batch_size = batch_size
        self.progress = progress
        self.jobs = jobs
        self.config = config
        self.executor = None
        self.context = {'_record_cache_size': max(2000, batch_size)}
        self.counts = {}
        self.timings = {}

    # -- plumbing --------------------------------------------------------
    def run(self, func):
        return run_in_transaction(self.database, func, self.context)

    def start_workers(self):
        "Batches run here (jobs=1) or in a pool of worker processes"
        _worker.update(database=self.database, context=self.context)
        if self.jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor
            self.executor = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=multiprocessing.get_context('spawn'),
                initializer=init_worker,
                initargs=(self.config, self.database, self.context))

    def stop_workers(self):
        if self.executor:
            self.executor.shutdown()
            self.executor = None

    def execute(self, name, payloads, bar, sizes):
        "Yield the result of each batch, in order"
        tasks = [(name, args) for args in payloads]
        if self.executor:
            results = self.executor.map(call, tasks)
        else:
            results = map(call, tasks)
        for result, size in zip(results, sizes):
            bar.update(size)
            yield result

    @contextmanager
    def phase(self, name, total):
        start = time.monotonic()
        bar = tqdm(total=total, desc=f'{name:<10}', unit=' rec',
            file=sys.stderr, disable=not self.progress, mininterval=0.5,
            dynamic_ncols=True)
        try:
            yield bar
        finally:
            bar.close()
            self.timings[name] = time.monotonic() - start

    def batches(self, items, size=None):
        size = size or self.batch_size
        for i in range(0, len(items), size):
            yield i, items[i:i + size]

    def party_id(self, ref):
        kind, index = ref
        if kind == 'p':
            return self.person_ids[index]
        if kind == 'c':
            return self.company_party_ids[index]
        return self.uat_party_id

    # -- 1. territory and the municipality -------------------------------
    def setup(self):
        with self.phase('setup', 1) as bar:
            self.run(self._setup)
            bar.update(1)

    def _setup(self):
        pool = Pool()
        Locality = pool.get('municipality.locality')
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Party = pool.get('party.party')
        Address = pool.get('party.address')
        Street = pool.get('municipality.street')
        User = pool.get('res.user')
        Parcel = pool.get('property.parcel')
        Vehicle = pool.get('vehicle.vehicle')
        plan = self.plan
        info = plan.uat_info

        with open(SIRUTA_FILE, 'rb') as f:
            Locality.import_siruta(f.read())
        localities = {l.siruta: l for l in Locality.search([
                    ('siruta', 'in', [r['SIRUTA'] for r in plan.siruta_rows]),
                    ])}
        uat = localities[plan.uat]

        companies = Company.search([('siruta', '=', plan.uat)])
        if companies:
            # made by hand: fill it, unless it has data already
            company, = companies
            if any(M.search([('company', '=', company.id)], limit=1)
                    for M in [Street, Parcel, Vehicle]):
                raise AlreadyGenerated(
                    f"the municipality {company.rec_name} already has "
                    "streets or property; use a fresh database")
        else:
            company = None

        currencies = Currency.search([('code', '=', 'RON')])
        if currencies:
            currency, = currencies
        else:
            currency, = Currency.create([{
                        'name': "Leu românesc", 'code': 'RON',
                        'numeric_code': '946', 'symbol': 'lei',
                        'rounding': Decimal('0.01'), 'digits': 2,
                        }])

        if company is None:
            code, = Party._code_sequence().get_many(1)
            party, = Party.create([{
                        'code': code, 'person_type': 'legal',
                        'name': info['party_name'],
                        'identifiers': [('create', [{
                                        'type': 'ro_cui',
                                        'code': plan.uat_cui}])],
                        }])
            company, = Company.create([{
                        'party': party.id, 'currency': currency.id,
                        'timezone': 'Europe/Bucharest',
                        'siruta': plan.uat, 'county': uat.county.id,
                        'uat_kind': info['kind'],
                        'locality_rank': info['rank'],
                        'treasury_accounts': [('create', [{
                                        'revenue_code': revenue_code,
                                        'name': name,
                                        'iban': treasury_iban(
                                            info['treasury'], revenue_code),
                                        'treasury': info['treasury_name'],
                                        } for revenue_code, name
                                    in TREASURY_ACCOUNTS])],
                        }])
        self.company_id = company.id
        self.uat_party_id = company.party.id
        self.context['company'] = company.id

        # the localities this municipality administers, and their ranks
        to_write = []
        for siruta, locality in localities.items():
            if locality.parent == uat or locality == uat:
                rank = (info['rank']
                    if siruta in {plan.uat, info['seat']} else 'V')
                to_write.extend(([locality], {
                            'municipality': company.id, 'rank': rank}))
        Locality.write(*to_write)
        Company.write([company], {'seat': localities[info['seat']].id})
        self.locality_ids = {s: l.id for s, l in localities.items()}
        self.locality_names = {s: l.name for s, l in localities.items()}

        admin = User(1)
        values = {'companies': [('add', [company.id])]}
        if not admin.company:
            values['company'] = company.id
        User.write([admin], values)

        streets = Street.create([{
                    'company': company.id,
                    'locality': self.locality_ids[s['locality']],
                    'street_type': s['street_type'], 'name': s['name'],
                    'fiscal_zone': s['fiscal_zone'],
                    'postal_code': s['postal_code'],
                    'council_decision': s['council_decision'],
                    'sections': [('create', s['sections'])],
                    } for s in plan.streets])
        self.street_ids = [s.id for s in streets]

        if not company.party.addresses:
            Address.create([{
                        'party': company.party.id,
                        **self.address_values({
                                'street': plan.city_hall,
                                'building_number': '1',
                                'locality': info['seat']}),
                        }])

    def address_values(self, address):
        street = self.plan.streets[address['street']]
        # street_name and city are what Address.compute_fields would set:
        # giving them saves a second write and validation of each address
        return {
            'locality': self.locality_ids[address['locality']],
            'city': self.locality_names[address['locality']],
            'ro_street': self.street_ids[address['street']],
            'street_name': (
                f"{STREET_TYPE_ABBREVIATIONS[street['street_type']]} "
                f"{street['name']}"),
            'building_number': address['building_number'],
            'block': address.get('block'),
            'staircase': address.get('staircase'),
            'floor_number': address.get('floor_number'),
            'unit_number': address.get('unit_number'),
            'postal_code': street['postal_code'],
            }

    # -- 2. persons and companies ----------------------------------------
    def parties(self, name, items, to_row, to_identifiers):
        def reserve():
            # the party codes the ORM would take, reserved in one call
            Party = Pool().get('party.party')
            return list(Party._code_sequence().get_many(len(items)))
        codes = self.run(reserve)
        payloads, sizes = [], []
        for start, batch in self.batches(items):
            rows = []
            for item, code in zip(batch, codes[start:]):
                row = to_row(item)
                row['code'] = code
                rows.append(row)
            payloads.append((rows, [to_identifiers(i) for i in batch]))
            sizes.append(len(batch))
        ids = []
        with self.phase(name, len(items)) as bar:
            for batch_ids in self.execute('parties', payloads, bar, sizes):
                ids.extend(batch_ids)
        self.counts[name] = len(ids)
        return ids

    def persons(self):
        plan = self.plan

        def row(person):
            values = {
                'person_type': 'natural',
                'name': f"{person['last_name']} {person['first_name']}",
                'last_name': person['last_name'],
                'first_name': person['first_name'],
                'date_of_death': person['date_of_death'],
                'address': self.address_values(person['address']),
                }
            values.update(person.get('id_document', {}))
            return values
        self.person_ids = self.parties('persons', plan.persons, row,
            lambda person: [('ro_cnp', person['cnp'])])

        def officials():
            Company = Pool().get('company.company')
            Company.write([Company(self.company_id)], {
                    'mayor': self.person_ids[plan.mayor],
                    'secretary_general': self.person_ids[plan.secretary],
                    })
        self.run(officials)

    def companies(self):
        def row(company):
            return {
                'person_type': 'legal',
                'name': company['name'],
                'address': self.address_values(company['address']),
                }
        self.company_party_ids = self.parties(
            'companies', self.plan.companies, row,
            lambda company: [('ro_cui', company['cui']),
                ('ro_onrc', company['onrc'])])

    # -- 3. assets with their owners -------------------------------------
    def owner_values(self, asset):
        return [{
                'company': self.company_id,
                'owner': self.party_id(ref),
                'share_numerator': numerator,
                'share_denominator': denominator,
                'start_date': asset['start'],
                'document': asset['document'],
                } for ref, numerator, denominator in asset['owners']]

    def assets(self, field, model, items, to_values):
        payloads, sizes = [], []
        for _, batch in self.batches(items):
            payloads.append((field, model, [to_values(i) for i in batch],
                    [self.owner_values(i) for i in batch]))
            sizes.append(len(batch))
        ids = []
        with self.phase(f'{field}s', len(items)) as bar:
            for batch_ids in self.execute('assets', payloads, bar, sizes):
                ids.extend(batch_ids)
        self.counts[f'{field}s'] = len(ids)
        self.counts['ownerships'] = self.counts.get('ownerships', 0) + sum(
            len(i['owners']) for i in items)
        return ids

    def parcels(self):
        def values(parcel):
            return {
                'company': self.company_id,
                'cadastral_number': parcel['cadastral_number'],
                'land_book_number': parcel['land_book_number'],
                'area': parcel['area'],
                'intravilan': parcel['intravilan'],
                'use_category': parcel['use_category'],
                'locality': self.locality_ids[parcel['locality']],
                'street': (self.street_ids[parcel['street']]
                    if parcel['street'] is not None else None),
                'street_number': parcel['street_number'],
                'fiscal_zone': parcel['fiscal_zone'],
                'tarla': parcel['tarla'],
                'geometry': parcel.get('geometry'),
                }
        self.parcel_ids = self.assets(
            'parcel', 'property.parcel', self.plan.parcels, values)

    BUILDING_FIELDS = [
        'cadastral_number', 'name', 'construction_type', 'year_built',
        'year_renovated', 'built_area', 'useful_area', 'floors', 'use',
        'non_residential_area', 'water', 'sewerage', 'electricity',
        'heating', 'apartment_in_block', 'unit_number', 'block_apartments']

    def buildings(self):
        def values(building):
            row = {f: building.get(f) for f in self.BUILDING_FIELDS}
            for name in ['water', 'sewerage', 'electricity', 'heating',
                    'apartment_in_block']:
                row[name] = bool(row[name])
            row['company'] = self.company_id
            row['parcel'] = self.parcel_ids[building['parcel']]
            return row
        self.building_ids = self.assets(
            'building', 'property.building', self.plan.buildings, values)

    VEHICLE_FIELDS = [
        'registration_number', 'vin', 'make', 'model', 'category', 'fuel',
        'cylinder_capacity', 'euro_norm', 'co2_emissions', 'max_mass',
        'axles', 'air_suspension', 'seats', 'registration_date']

    def vehicles(self):
        def values(vehicle):
            row = {f: vehicle[f] for f in self.VEHICLE_FIELDS}
            row['company'] = self.company_id
            return row
        self.vehicle_ids = self.assets(
            'vehicle', 'vehicle.vehicle', self.plan.vehicles, values)

    # -- 4. sales of the year --------------------------------------------
    def sales(self):
        plan = self.plan
        sales = []
        for field, items, ids in [
                ('parcel', plan.parcels, self.parcel_ids),
                ('building', plan.buildings, self.building_ids),
                ('vehicle', plan.vehicles, self.vehicle_ids)]:
            for item, id_ in zip(items, ids):
                sale = item['sale']
                if sale:
                    sales.append((field, id_, sale['date'], sale['document'],
                            [(self.party_id(ref), numerator, denominator)
                                for ref, numerator, denominator
                                in sale['owners']]))
        # in date order, as a clerk would record them
        sales.sort(key=lambda s: (s[2], s[3], s[0], s[1]))
        payloads, sizes = [], []
        for _, batch in self.batches(sales):
            payloads.append((batch,))
            sizes.append(len(batch))
        with self.phase('sales', len(sales)) as bar:
            for count in self.execute('transfers', payloads, bar, sizes):
                self.counts['ownerships'] += count
        self.counts['sales'] = len(sales)
