# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import re
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model.exceptions import (
    AccessError, RequiredValidationError, SQLConstraintError, ValidationError)
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction, check_access

from .tools import (
    SIRUTA_CSV, create_building, create_municipality, create_parcel,
    create_person, own)

# Valid CNPs (the CNP's check digit, weights 279146358279)
CNP_MALE_1963 = '1630615123457'    # male, 15.06.1963, county 12
CNP_FEMALE_1970 = '2700116065277'  # female, 16.01.1970, county 06
CNP_COUNTY_70 = '1800101700011'    # male, 01.01.1980, SIIEASC county 70
CNP_BAD_CHECKSUM = '1630615123458'
CEDILLA = re.compile('[\u015e\u015f\u0162\u0163]')      # Ş ş Ţ ţ


class MunicipalityTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Municipality module"
    module = 'municipality'

    @property
    def _skip_company_rule(self):
        # Localities are the national SIRUTA nomenclature, shared by all the
        # municipalities of an installation.
        return super()._skip_company_rule | {
            ('municipality.locality', 'municipality'),
            }

    # Persons and companies

    @with_transaction()
    def test_cnp_derives_birth_date_and_sex(self):
        "The CNP gives the birth date and the sex"
        person = create_person("Popescu", "Ion", CNP_MALE_1963)
        self.assertEqual(person.name, "Popescu Ion")
        self.assertEqual(person.cnp, CNP_MALE_1963)
        self.assertEqual(person.birth_date, dt.date(1963, 6, 15))
        self.assertEqual(person.sex, 'male')
        woman = create_person("Ionescu", "Maria", CNP_FEMALE_1970)
        self.assertEqual(woman.birth_date, dt.date(1970, 1, 16))
        self.assertEqual(woman.sex, 'female')

    @with_transaction()
    def test_cnp_county_70_accepted(self):
        "CNPs issued by SIIEASC since May 2024 have county code 70"
        person = create_person("Pop", "Andrei", CNP_COUNTY_70)
        self.assertEqual(person.birth_date, dt.date(1980, 1, 1))

    @with_transaction()
    def test_cnp_bad_checksum_refused(self):
        "A CNP with a wrong check digit is refused"
        with self.assertRaises(ValidationError):
            create_person("Popescu", "Ion", CNP_BAD_CHECKSUM)

    @with_transaction()
    def test_duplicate_cnp_refused_naming_existing(self):
        "One CNP = one party: the error names the existing record"
        create_person("Popescu", "Ion", CNP_MALE_1963)
        with self.assertRaises(ValidationError) as cm:
            create_person("Popescu", "Ioan", CNP_MALE_1963)
        self.assertIn("Popescu Ion", cm.exception.message)

    @with_transaction()
    def test_duplicate_cnp_in_one_batch_refused(self):
        "Two new parties with the same CNP in one call are refused"
        Party = Pool().get('party.party')
        with self.assertRaises(ValidationError):
            Party.create([
                    {'name': "A", 'cnp': CNP_MALE_1963},
                    {'name': "B", 'cnp': CNP_MALE_1963},
                    ])

    @with_transaction()
    def test_cui_validated_and_unique(self):
        "A CUI is checked (with or without RO) and cannot be entered twice"
        Party = Pool().get('party.party')
        company = Party(name="Agro SRL", person_type='legal', cui='18547290')
        company.save()
        self.assertEqual(
            Party.search([('fiscal_code', '=', 'RO18547290')]), [company])
        with self.assertRaises(ValidationError):
            Party(name="Bad SRL", person_type='legal',
                cui='18547291').save()
        with self.assertRaises(ValidationError):
            Party(name="Agro Duplicate SRL", person_type='legal',
                cui='RO18547290').save()

    @with_transaction()
    def test_cnp_not_on_legal_person(self):
        "A legal person cannot carry a CNP and a person cannot carry a CUI"
        Party = Pool().get('party.party')
        with self.assertRaises(ValidationError):
            Party(name="X SRL", person_type='legal',
                cnp=CNP_MALE_1963).save()
        with self.assertRaises(ValidationError):
            Party(name="Ion", person_type='natural', cui='18547290').save()

    @with_transaction()
    def test_search_by_cnp(self):
        "A clerk finds a person by CNP in the ordinary search"
        Party = Pool().get('party.party')
        person = create_person("Popescu", "Ion", CNP_MALE_1963)
        create_person("Ionescu", "Maria", CNP_FEMALE_1970)
        self.assertEqual(
            Party.search([('rec_name', 'ilike', CNP_MALE_1963)]), [person])
        self.assertEqual(
            Party.search([('cnp', '=', CNP_MALE_1963)]), [person])

    @with_transaction()
    def test_search_by_address(self):
        "A clerk finds a person by the street of an address"
        Party = Pool().get('party.party')
        person = create_person("Popescu", "Ion", CNP_MALE_1963)
        create_person("Ionescu", "Maria", CNP_FEMALE_1970)
        address, = person.addresses or [None]
        if address is None:
            address = Pool().get('party.address')(party=person)
        address.street_name = "Strada Republicii"
        address.building_number = "12"
        address.save()
        self.assertEqual(
            Party.search([('rec_name', 'ilike', '%republicii%')]), [person])

    # The one search box (what sao sends for a typed text: rec_name ilike)

    def assertFound(self, text, parties, words=False):
        """The text finds the parties as one clause and, with words, as
        sao sends it: a clause per word"""
        Party = Pool().get('party.party')
        domains = [[('rec_name', 'ilike', f'%{text}%')]]
        if words:
            domains.append(
                [('rec_name', 'ilike', f'%{w}%') for w in text.split()])
        for domain in domains:
            self.assertEqual(sorted(Party.search(domain)), sorted(parties),
                f"searching {domain!r}")

    @with_transaction()
    def test_search_name_without_diacritics(self):
        "A name is found typed with or without diacritics, in any case"
        person = create_person("Pușcaș", "Ștefan", CNP_MALE_1963)
        create_person("Ionescu", "Maria", CNP_FEMALE_1970)
        for text in ["Puscas", "pușcaș", "PUȘCAȘ", "puscas stefan",
                "Pușcaș Ștefan", "Puşcaş"]:        # the last with cedillas
            self.assertFound(text, [person], words=True)

    @with_transaction()
    def test_search_by_cui_with_prefix(self):
        "A company is found by its CUI with or without RO"
        Party = Pool().get('party.party')
        company = Party(name="Țesătoria SRL", person_type='legal',
            cui='18547290')
        company.save()
        for text in ["18547290", "RO18547290", "ro 18547290", "tesatoria"]:
            self.assertFound(text, [company])

    @with_transaction()
    def test_search_by_street_and_number(self):
        "An address is found by its street, without diacritics, and number"
        Address = Pool().get('party.address')
        company = create_municipality()
        with set_company(company):
            person = create_person("Popescu", "Ion", CNP_MALE_1963)
            neighbour = create_person("Ionescu", "Maria", CNP_FEMALE_1970)
            Street = Pool().get('municipality.street')
            street, = Street.search([('name', '=', "Principală")])
            for party, number in [(person, '7'), (neighbour, '9')]:
                Address.create([{
                            'party': party.id,
                            'locality': street.locality.id,
                            'ro_street': street.id,
                            'building_number': number,
                            }])
            self.assertFound("principala", [person, neighbour])
            self.assertFound("Principala 7", [person])
            self.assertFound("str. Principală 9", [neighbour])

    @with_transaction()
    def test_search_by_vehicle_plate(self):
        "The owner of a vehicle is found by its plate, typed as on the car"
        company = create_municipality()
        with set_company(company):
            owner = create_person("Popescu", "Ion", CNP_MALE_1963)
            create_person("Ionescu", "Maria", CNP_FEMALE_1970)
            vehicle = self._vehicle(company, cylinder_capacity=1400,
                vin='WVWZZZ1KZAW000001')
            own(vehicle, owner)
            for text in ["CJ12ABC", "cj 12 abc", "CJ-12-ABC",
                    "WVWZZZ1KZAW000001"]:
                self.assertFound(text, [owner], words=True)

    @with_transaction()
    def test_search_by_cadastral_number(self):
        "The owners of a parcel or a building are found by its numbers"
        company = create_municipality()
        with set_company(company):
            owner = create_person("Popescu", "Ion", CNP_MALE_1963)
            co_owner = create_person("Ionescu", "Maria", CNP_FEMALE_1970)
            parcel = create_parcel(company, number='54321',
                land_book_number='60123')
            Parcel = Pool().get('property.parcel')
            Parcel.write([parcel], {'ownerships': [('create', [{
                                'owner': party.id,
                                'start_date': dt.date(2020, 1, 1),
                                'share_numerator': 1,
                                'share_denominator': 2,
                                } for party in [owner, co_owner]])]})
            building = create_building(parcel, cadastral_number='54321-C1')
            own(building, co_owner)
            self.assertFound("54321", [owner, co_owner])
            self.assertFound("60123", [owner, co_owner])
            self.assertFound("54321-C1", [co_owner])

    @with_transaction()
    def test_date_of_death_in_future_refused(self):
        "A date of death in the future or before the birth is refused"
        person = create_person("Popescu", "Ion", CNP_MALE_1963)
        person.date_of_death = dt.date.today() + dt.timedelta(days=1)
        with self.assertRaises(ValidationError):
            person.save()
        person.date_of_death = dt.date(1960, 1, 1)
        with self.assertRaises(ValidationError):
            person.save()

    # Territory

    @with_transaction()
    def test_siruta_import_idempotent(self):
        "The SIRUTA import creates localities once and updates them after"
        pool = Pool()
        Locality = pool.get('municipality.locality')
        County = pool.get('municipality.county')
        created, updated = Locality.import_siruta(SIRUTA_CSV.encode('cp1250'))
        self.assertEqual((created, updated), (6, 0))
        created, updated = Locality.import_siruta(SIRUTA_CSV)
        self.assertEqual((created, updated), (0, 6))
        county, = County.search([])
        self.assertEqual((county.code, county.name), ('12', "Cluj"))
        village, = Locality.search([('siruta', '=', '57724')])
        self.assertEqual(village.name, "Lunca Tomii")
        self.assertEqual(village.parent.name, "Florești")
        self.assertEqual(village.postal_code, '407281')
        self.assertEqual(village.level, 3)
        other, = Locality.search([('siruta', '=', '57733')])
        self.assertEqual(other.name, "Luna de Sus")
        city, = Locality.search([('siruta', '=', '54975')])
        self.assertEqual(city.name, "Cluj-Napoca")

    @with_transaction()
    def test_siruta_import_missing_columns(self):
        "A file without the SIRUTA columns is refused, nothing imported"
        Locality = Pool().get('municipality.locality')
        with self.assertRaises(UserError):
            Locality.import_siruta('A,B\n1,2\n')
        self.assertEqual(Locality.search([]), [])

    @with_transaction()
    def test_street_fiscal_zone_by_section(self):
        "A street section from number 100 lies in another fiscal zone"
        company = create_municipality()
        Street = Pool().get('municipality.street')
        street, = Street.search([('name', '=', "Avram Iancu")])
        self.assertEqual(street.fiscal_zone_for('12'), 'A')
        self.assertEqual(street.fiscal_zone_for('100'), 'B')
        self.assertEqual(street.fiscal_zone_for('131 bis'), 'B')
        self.assertEqual(street.postal_code_for('5'), '407280')
        with set_company(company):
            parcel = create_parcel(company)
            parcel.street_number = '120'
            parcel.on_change_street_number()
            self.assertEqual(parcel.fiscal_zone, 'B')

    @with_transaction()
    def test_address_street_of_other_locality_refused(self):
        "An address cannot use a street of another locality"
        pool = Pool()
        Street = pool.get('municipality.street')
        Locality = pool.get('municipality.locality')
        Address = pool.get('party.address')
        create_municipality()
        person = create_person("Popescu", "Ion", CNP_MALE_1963)
        street, = Street.search([('name', '=', "Avram Iancu")])
        village, = Locality.search([('siruta', '=', '57724')])
        address = Address(
            party=person, locality=street.locality, ro_street=street,
            building_number='7', block='A2', unit_number='14')
        address.save()
        self.assertEqual(address.street_name, "Str. Avram Iancu")
        self.assertEqual(
            address.ro_address,
            "Str. Avram Iancu, nr. 7, bl. A2, ap. 14, Florești, jud. Cluj")
        address.locality = village
        with self.assertRaises(ValidationError):
            address.save()

    @with_transaction()
    def test_invalid_iban_refused(self):
        "A treasury account needs a valid Romanian IBAN"
        TreasuryAccount = Pool().get('municipality.treasury_account')
        company = create_company()
        account = TreasuryAccount(
            company=company, revenue_code='07.02.01.01',
            name="Impozit pe clădiri PF",
            iban='RO49 AAAA 1B31 0075 9384 0000')
        account.save()
        self.assertEqual(account.iban, 'RO49AAAA1B31007593840000')
        account.iban = 'RO49AAAA1B31007593840001'
        with self.assertRaises(ValidationError):
            account.save()

    # Real estate

    @with_transaction()
    def test_parcel_area_must_be_positive(self):
        "A parcel with a zero or negative area is refused"
        company = create_municipality()
        with set_company(company):
            with self.assertRaises(ValidationError):
                create_parcel(company, area=Decimal('-5'))

    @with_transaction()
    def test_parcel_cadastral_number_unique(self):
        "A cadastral number is entered once per municipality"
        company = create_municipality()
        with set_company(company):
            create_parcel(company, number='50123')
            with self.assertRaises(SQLConstraintError):
                create_parcel(company, number='50123')

    @with_transaction()
    def test_parcel_geometry_geojson(self):
        "The optional geometry must be a GeoJSON polygon"
        company = create_municipality()
        with set_company(company):
            parcel = create_parcel(company, geometry=(
                    '{"type": "Polygon", "coordinates": '
                    '[[[0, 0], [0, 10], [10, 10], [0, 0]]]}'))
            parcel.geometry = '{"type": "Point", "coordinates": [1, 2]}'
            with self.assertRaises(ValidationError):
                parcel.save()

    @with_transaction()
    def test_building_needs_parcel(self):
        "A building on no parcel is refused"
        Building = Pool().get('property.building')
        company = create_municipality()
        with set_company(company):
            with self.assertRaises(RequiredValidationError):
                Building(
                    company=company, construction_type='A', year_built=1990,
                    built_area=Decimal(100)).save()

    @with_transaction()
    def test_building_areas(self):
        "Negative or missing areas are refused; useful area × 1.4 is used"
        company = create_municipality()
        with set_company(company):
            parcel = create_parcel(company)
            with self.assertRaises(ValidationError):
                create_building(parcel, built_area=Decimal('-1'))
            with self.assertRaises(ValidationError):
                create_building(parcel, built_area=None)
            building = create_building(
                parcel, built_area=None, useful_area=Decimal('100.00'))
            self.assertEqual(building.taxable_area, Decimal('140.00'))
            with self.assertRaises(ValidationError):
                create_building(
                    parcel, use='mixed', non_residential_area=Decimal(500))

    @with_transaction()
    def test_building_type_e_needs_structure(self):
        "Rooms of type E or F need the type A–D of their building"
        company = create_municipality()
        with set_company(company):
            parcel = create_parcel(company)
            with self.assertRaises(ValidationError):
                create_building(parcel, construction_type='E')
            building = create_building(
                parcel, construction_type='E', base_construction_type='A')
            self.assertEqual(building.fiscal_zone, 'A')

    @with_transaction()
    def test_building_utilities(self):
        "'With utilities' needs water, sewerage, electricity and heating"
        company = create_municipality()
        with set_company(company):
            parcel = create_parcel(company)
            building = create_building(
                parcel, water=True, sewerage=True, electricity=True)
            self.assertFalse(building.has_all_utilities)
            building.heating = True
            building.save()
            self.assertTrue(building.has_all_utilities)

    # Vehicles

    def _vehicle(self, company, **values):
        Vehicle = Pool().get('vehicle.vehicle')
        values.setdefault('registration_number', 'CJ 12 ABC')
        values.setdefault('category', 'car')
        values.setdefault('fuel', 'petrol')
        values.setdefault('registration_date', dt.date(2020, 5, 1))
        vehicle = Vehicle(company=company, **values)
        vehicle.save()
        return vehicle

    @with_transaction()
    def test_vehicle_capacity_required(self):
        "A car without cylinder capacity is refused, an electric one not"
        company = create_municipality()
        with set_company(company):
            with self.assertRaises(ValidationError):
                self._vehicle(company, registration_number='CJ01XYZ')
            vehicle = self._vehicle(company, fuel='electric')
            self.assertEqual(vehicle.registration_number, 'CJ12ABC')
            with self.assertRaises(ValidationError):
                self._vehicle(company, registration_number='CJ13ABC',
                    fuel='electric', cylinder_capacity=1000)

    @with_transaction()
    def test_vehicle_registration(self):
        "Registration numbers are checked and unique while registered"
        company = create_municipality()
        with set_company(company):
            with self.assertRaises(ValidationError):
                self._vehicle(company, registration_number='12-XYZ!',
                    cylinder_capacity=1400)
            with self.assertRaises(ValidationError):
                self._vehicle(company, registration_number='CJ99VIN',
                    cylinder_capacity=1400, vin='WVWZZZ1KZAW00000I')
            vehicle = self._vehicle(company, cylinder_capacity=1400)
            vehicle.deregistration_date = dt.date(2024, 1, 10)
            vehicle.save()
            # the plate can be given again once the first is deregistered
            self._vehicle(company, cylinder_capacity=1600)
            # but not twice while registered (the error rolls back)
            with self.assertRaises(SQLConstraintError):
                self._vehicle(company, cylinder_capacity=1600)

    # Ownership

    @with_transaction()
    def test_shares_sum_to_one(self):
        "Co-owners' shares must add up to 1 on every date"
        company = create_municipality()
        with set_company(company):
            parcel = create_parcel(company)
            ion = create_person("Popescu", "Ion", CNP_MALE_1963)
            maria = create_person("Popescu", "Maria", CNP_FEMALE_1970)
            with self.assertRaises(ValidationError) as cm:
                own(create_parcel(company, number='2'), ion,
                    numerator=1, denominator=2)
            self.assertIn("1/2", cm.exception.message)
            with Transaction().set_context(_defer_share_check=True):
                own(parcel, ion, numerator=1, denominator=2)
                own(parcel, maria, numerator=1, denominator=2)
            Ownership = Pool().get('ownership.ownership')
            Ownership.check_shares_of('parcel', [parcel])
            with self.assertRaises(ValidationError) as cm:
                own(parcel, maria, start=dt.date(2022, 3, 1),
                    numerator=1, denominator=3)
            self.assertIn("01.03.2022", cm.exception.message)

    @with_transaction()
    def test_shares_through_asset_form(self):
        "Closing a share and adding the next in one save is accepted"
        Building = Pool().get('property.building')
        company = create_municipality()
        with set_company(company):
            building = create_building(create_parcel(company))
            ion = create_person("Popescu", "Ion", CNP_MALE_1963)
            maria = create_person("Ionescu", "Maria", CNP_FEMALE_1970)
            first = own(building, ion)
            Building.write([building], {'ownerships': [
                        ('write', [first.id], {
                                'end_date': dt.date(2025, 6, 15)}),
                        ('create', [{
                                    'owner': maria.id,
                                    'start_date': dt.date(2025, 6, 15),
                                    'share_numerator': 1,
                                    'share_denominator': 1,
                                    }]),
                        ]})
            with self.assertRaises(ValidationError):
                Building.write([building], {'ownerships': [
                            ('create', [{
                                        'owner': ion.id,
                                        'start_date': dt.date(2025, 9, 1),
                                        'share_numerator': 1,
                                        'share_denominator': 4,
                                        }]),
                            ]})

    @with_transaction()
    def test_sale_during_year_and_past_owner(self):
        "After a sale, both the owner at 31 December and today are known"
        pool = Pool()
        Ownership = pool.get('ownership.ownership')
        Parcel = pool.get('property.parcel')
        company = create_municipality()
        with set_company(company):
            parcel = create_parcel(company)
            ion = create_person("Popescu", "Ion", CNP_MALE_1963)
            maria = create_person("Ionescu", "Maria", CNP_FEMALE_1970)
            andrei = create_person("Pop", "Andrei", CNP_COUNTY_70)
            own(parcel, ion, start=dt.date(2010, 4, 2))
            Ownership.transfer(
                'parcel', parcel, dt.date(2025, 6, 15), "Contract 123/2025",
                [(maria, 1, 2), (andrei, 1, 2)])

            def owners(date):
                return sorted(o.owner.name for o in Ownership.owned_on(
                        date, parcel=[parcel.id]))
            self.assertEqual(owners(dt.date(2024, 12, 31)), ["Popescu Ion"])
            self.assertEqual(owners(dt.date(2025, 6, 14)), ["Popescu Ion"])
            self.assertEqual(
                owners(dt.date(2025, 6, 15)), ["Ionescu Maria", "Pop Andrei"])
            self.assertEqual(
                [o.parcel for o in Ownership.owned_on(
                        dt.date(2020, 1, 1), owner=ion.id)], [parcel])
            with Transaction().set_context(date=dt.date(2024, 12, 31)):
                self.assertEqual(
                    Parcel(parcel.id).owners, "Popescu Ion")
                self.assertEqual(
                    Parcel.search([('owners', '=', ion.id)]), [parcel])
            with self.assertRaises(ValidationError):
                Ownership.transfer(
                    'parcel', parcel, dt.date(2025, 9, 1), "Bad",
                    [(ion, 1, 3)])

    @with_transaction()
    def test_transfer_many_in_date_order(self):
        "Several deeds at once, one asset sold twice, are applied in order"
        Ownership = Pool().get('ownership.ownership')
        company = create_municipality()
        with set_company(company):
            first = create_parcel(company, number='1')
            second = create_parcel(company, number='2')
            ion = create_person("Popescu", "Ion", CNP_MALE_1963)
            maria = create_person("Ionescu", "Maria", CNP_FEMALE_1970)
            andrei = create_person("Pop", "Andrei", CNP_COUNTY_70)
            own(first, ion)
            own(second, ion)
            Ownership.transfer_many('parcel', [
                    (first, dt.date(2025, 9, 1), "B", [(andrei, 1, 1)]),
                    (first, dt.date(2025, 3, 1), "A", [(maria, 1, 1)]),
                    (second, dt.date(2025, 3, 1), "C", [(maria, 1, 1)]),
                    ])

            def owners(parcel, date):
                return [o.owner for o in Ownership.owned_on(
                        date, parcel=[parcel.id])]
            self.assertEqual(owners(first, dt.date(2025, 2, 28)), [ion])
            self.assertEqual(owners(first, dt.date(2025, 6, 1)), [maria])
            self.assertEqual(owners(first, dt.date(2025, 9, 1)), [andrei])
            self.assertEqual(owners(second, dt.date(2025, 9, 1)), [maria])

    @with_transaction()
    def test_ownership_one_asset(self):
        "An ownership share concerns exactly one asset"
        Ownership = Pool().get('ownership.ownership')
        company = create_municipality()
        with set_company(company):
            parcel = create_parcel(company)
            building = create_building(parcel)
            ion = create_person("Popescu", "Ion", CNP_MALE_1963)
            with self.assertRaises(ValidationError):
                Ownership(owner=ion, parcel=parcel, building=building,
                    start_date=dt.date(2020, 1, 1)).save()

    # Several municipalities in one installation

    @with_transaction()
    def test_clerk_sees_only_own_municipality(self):
        "A clerk of one municipality sees none of the other's data"
        pool = Pool()
        User = pool.get('res.user')
        Parcel = pool.get('property.parcel')
        Party = pool.get('party.party')
        ModelData = pool.get('ir.model.data')
        florești = create_municipality()
        other = create_municipality(
            name="Municipiul Cluj-Napoca", cui='13548146',
            uat='54975', seat='54984', village='54984')
        with set_company(florești):
            mine = create_parcel(florești, number='1')
        with set_company(other):
            create_parcel(other, number='2')
        person = create_person("Popescu", "Ion", CNP_MALE_1963)
        clerk = User(
            login='clerk', name="Funcționar", company=florești,
            companies=[florești],
            groups=[ModelData.get_id(
                    'municipality', 'group_municipality_clerk')])
        clerk.save()
        with Transaction().set_user(clerk.id), \
                Transaction().set_context(
                    company=florești.id, companies=[florești.id]), \
                check_access():
            self.assertEqual(Parcel.search([]), [mine])
            # persons are shared by the municipalities
            self.assertIn(person, Party.search([]))
            # clerks only read the shared model; administrators write it
            with self.assertRaises(AccessError):
                Parcel.write([mine], {'area': Decimal(1)})

    # Tryton's own Romanian, corrected by locale/override/ro.po

    @with_transaction()
    def test_romanian_of_tryton_corrected(self):
        "Tryton's Romanian strings have comma-below ș ț and their diacritics"
        pool = Pool()
        Lang = pool.get('ir.lang')
        Translation = pool.get('ir.translation')
        Party = pool.get('party.party')
        Action = pool.get('ir.action.act_window')
        AddressFormat = pool.get('party.address.format')
        Address = pool.get('party.address')
        Module = pool.get('ir.module')
        romanian, = Lang.search([('code', '=', 'ro')])
        Lang.load_translations([romanian])

        modules = [m.name for m in Module.search(
                [('state', '=', 'activated')])]
        self.assertIn('party', modules)
        translations = Translation.search([
                ('lang', '=', 'ro'),
                ('module', 'in', modules),
                ])
        self.assertGreater(len(translations), 1000)
        cedilla = [f'{t.module} {t.type} {t.name}: {t.value!r}'
            for t in translations
            if CEDILLA.search(' '.join(filter(None, [
                            t.value, t.value_1, t.value_2, t.value_3])))]
        self.assertEqual(cedilla, [])

        with Transaction().set_context(language='ro'):
            self.assertEqual(
                gettext('ir.msg_base_config_record'),
                "Această înregistrare face parte din configurația de bază.")
            self.assertEqual(
                Action.fields_get(['pyson_search_value'])[
                    'pyson_search_value']['string'],
                "Criterii Căutare PySON")
            self.assertEqual(
                Party.fields_get(['distance'])['distance']['string'],
                "Distanță")                 # "Distanţă" in party's ro.po
            self.assertEqual(
                AddressFormat.fields_get(['country_code'])[
                    'country_code']['string'],
                "Codul țării")              # "Codul tarii"
            # fuzzy (not used) or wrong in party's ro.po, reviewed
            self.assertEqual(
                {n: f['string'] for n, f in Address.fields_get([
                            'floor_number', 'unit_number', 'post_box']).items()},
                {'floor_number': "Etaj", 'unit_number': "Apartament",
                    'post_box': "Căsuță poștală"})
            self.assertEqual(Party.__names__()['model'], "Persoană")


del ModuleTestCase
