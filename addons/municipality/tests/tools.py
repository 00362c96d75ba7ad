# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Helpers to build a small municipality in tests of this and later modules"
import datetime as dt
import random
import threading
import time
from contextlib import contextmanager
from decimal import Decimal

from trytond import backend
from trytond.modules.company.tests import create_company
from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError

# A fixture in the INS SIRUTA format (not the official file): one county,
# one commune with two villages and a municipality with one locality.
SIRUTA_CSV = '''SIRUTA,DENLOC,CODP,JUD,SIRSUP,TIP,NIV,MED
120,JUDEŢUL CLUJ,0,12,1,40,1,0
54975,MUNICIPIUL CLUJ-NAPOCA,400001,12,120,1,2,1
54984,CLUJ-NAPOCA,400001,12,54975,9,3,1
57706,FLOREŞTI,0,12,120,3,2,3
57715,FLOREŞTI,407280,12,57706,22,3,3
57724,LUNCA TOMII,407281,12,57706,23,3,3
57733,LUNA DE SUS,407282,12,57706,23,3,3
'''


def create_municipality(
        name="Comuna Florești", cui='18547290',
        uat='57706', seat='57715', village='57724'):
    """Create a commune with its seat and a village, each with a street
    (Avram Iancu, zone A with a zone B section from no. 100; Principală,
    zone C)"""
    pool = Pool()
    Locality = pool.get('municipality.locality')
    Street = pool.get('municipality.street')
    Party = pool.get('party.party')
    if not Locality.search([('siruta', '=', '57715')]):
        Locality.import_siruta(SIRUTA_CSV)
    company = create_company(name=name, currency=get_lei())
    Party.write([company.party], {'person_type': 'legal', 'cui': cui})
    uat, = Locality.search([('siruta', '=', uat)])
    seat, = Locality.search([('siruta', '=', seat)])
    village, = Locality.search([('siruta', '=', village)])
    Locality.write([uat, seat, village], {'municipality': company.id})
    Locality.write([seat], {'rank': 'IV'})
    Locality.write([village], {'rank': 'V'})
    company.siruta = uat.siruta
    company.county = uat.county
    company.uat_kind = 'comuna'
    company.locality_rank = 'IV'
    company.seat = seat
    company.save()
    Street.create([{
                'company': company.id,
                'locality': seat.id,
                'street_type': 'strada',
                'name': "Avram Iancu",
                'fiscal_zone': 'A',
                'postal_code': '407280',
                'sections': [('create', [{
                                'number_from': 100,
                                'fiscal_zone': 'B',
                                }])],
                }, {
                'company': company.id,
                'locality': village.id,
                'street_type': 'strada',
                'name': "Principală",
                'fiscal_zone': 'C',
                }])
    return company


def get_lei():
    "The Romanian leu, created on first use"
    Currency = Pool().get('currency.currency')
    currencies = Currency.search([('code', '=', 'RON')], limit=1)
    if currencies:
        return currencies[0]
    currency, = Currency.create([{
                'name': "Leu românesc",
                'symbol': "lei",
                'code': 'RON',
                'numeric_code': '946',
                'rounding': Decimal('0.01'),
                'digits': 2,
                }])
    return currency


def create_person(last_name, first_name, cnp=None):
    Party = Pool().get('party.party')
    party = Party(
        person_type='natural', last_name=last_name, first_name=first_name,
        cnp=cnp)
    party.save()
    return party


def create_parcel(company, number='100001', area=Decimal('500'), **values):
    pool = Pool()
    Parcel = pool.get('property.parcel')
    Street = pool.get('municipality.street')
    street, = Street.search([
            ('name', '=', "Avram Iancu"), ('company', '=', company.id)])
    parcel = Parcel(
        company=company, cadastral_number=number, area=area,
        locality=street.locality, street=street, street_number='12',
        use_category='built', intravilan=True, fiscal_zone='A', **values)
    parcel.save()
    return parcel


def create_building(parcel, **values):
    Building = Pool().get('property.building')
    values.setdefault('construction_type', 'A')
    values.setdefault('year_built', 1990)
    values.setdefault('built_area', Decimal('120'))
    building = Building(company=parcel.company, parcel=parcel, **values)
    building.save()
    return building


def own(asset, owner, start=dt.date(2020, 1, 1), numerator=1, denominator=1,
        end=None):
    Ownership = Pool().get('ownership.ownership')
    ownership = Ownership(
        owner=owner, share_numerator=numerator,
        share_denominator=denominator, start_date=start, end_date=end,
        **{asset._ownership_field(): asset})
    ownership.save()
    return ownership


# one LibreOffice profile per conversion (a shared one fails in parallel), as in
# config/trytond-test.conf
CONVERT_COMMAND = (
    'soffice -env:UserInstallation=file://%(directory)s/lo-profile '
    '--headless --nolockcheck --nodefault --norestore '
    '--convert-to "%(output_extension)s" --outdir "%(directory)s" '
    '"%(input_path)s"')


def set_config_for_test(test_case, section, option, value):
    "Set a trytond configuration option until the end of the test"
    from trytond.config import config
    if config.has_section(section):
        saved = {o: config.get(section, o) for o in config.options(section)}
    else:
        saved = None
        config.add_section(section)
    config.set(section, option, value)

    def restore():
        config.remove_section(section)
        if saved is not None:
            config.add_section(section)
            for name, saved_value in saved.items():
                config.set(section, name, saved_value)
    test_case.addCleanup(restore)


def run_committed(database, func, user=0, context=None, attempts=200):
    """func() in a committed transaction of its own, the way trytond's
    dispatcher runs a call: restarted with the locks a lock or a strict
    sequence asks for, retried when PostgreSQL refuses a lock
    for now (NOWAIT) or the snapshot is stale"""
    extras = {}
    for attempt in range(attempts):
        try:
            with Transaction().start(database, user, context=context or {},
                    **extras) as transaction:
                try:
                    result = func()
                except TransactionError as error:
                    transaction.rollback()
                    error.fix(extras)
                    continue
                transaction.commit()
                return result
        except backend.DatabaseOperationalError:
            time.sleep(random.uniform(0.001, 0.005) * min(attempt + 1, 10))
    raise AssertionError(f"no transaction succeeded in {attempts} attempts")


def committed_copy(test_class, suffix):
    """The name of a copy of the (activated) test database for the tests of
    test_class that commit (threads, a server, the portal), so that the
    other tests keep their empty database; dropped when the class ends"""
    from trytond.tests.test_tryton import DB_NAME, drop_db
    database = f'{DB_NAME}_{suffix}'
    drop_db(database)
    # a template must have no connection: close the pool of the tests
    backend.Database(DB_NAME).close()
    with Transaction().start(
            None, 0, close=True, autocommit=True) as transaction:
        transaction.database.create(
            transaction.connection, database, DB_NAME)
    test_class.addClassCleanup(drop_db, database)
    Pool(database).init()
    return database


@contextmanager
def committed(context=None, database=None):
    "A transaction on the test database (or database) that commits on success"
    from trytond.tests.test_tryton import DB_NAME
    with Transaction().start(
            database or DB_NAME, 0, context=context or {}) as transaction:
        yield Pool()
        transaction.commit()


@contextmanager
def holding_lock(table, id_, database=None):
    """Another transaction, in its own thread, holds the lock of the row
    (SELECT … FOR UPDATE) while the block runs"""
    from trytond.tests.test_tryton import DB_NAME
    locked, release = threading.Event(), threading.Event()

    def hold():
        with Transaction().start(database or DB_NAME, 0) as transaction:
            cursor = transaction.connection.cursor()
            cursor.execute(
                f'SELECT id FROM "{table}" WHERE id = %s FOR UPDATE', (id_,))
            locked.set()
            release.wait(60)
    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert locked.wait(30), "the lock was not taken"
    try:
        yield
    finally:
        release.set()
        thread.join(30)
