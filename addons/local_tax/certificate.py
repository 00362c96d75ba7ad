# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The certificat de atestare fiscală (Legea 207/2015, Codul de procedură
fiscală, art. 159).

A certificate states, on its date, the taxpayer's identification, the
buildings, parcels and vehicles taxed by the municipality with their
taxable values, and the obligations due and unpaid by type (principal,
accessories including the surcharge of art. 183 computed to the date,
fines), or that there are none.  It is needed to transfer a building, a
parcel or a vehicle (the seller, and from 25.02.2026 the buyer too, OUG
7/2026).

Issuing numbers the certificate gaplessly per municipality and year (one
strict sequence per year: a strict sequence never restarts by itself) and
stores everything it shows: an issued certificate never changes, a
cancelled one keeps its number.  The Code sets no fee for it."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.municipality.calendar import next_working_day
from trytond.pool import Pool
from trytond.pyson import Eval, Id
from trytond.modules.municipality.report import LibreOfficeReport
from trytond.modules.municipality.sequence import YearSequenceMixin
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import (
    Button, StateReport, StateTransition, StateView, Wizard)

from .exceptions import CertificateError, IssuedCertificateError
from .fiscal_file import ACCESSORY_TYPES, TAX_TYPES, ZERO, money, surcharge
from .rules import TaxParameters, asset_of

PURPOSES = [
    ('transfer', "Transfer of an Asset (Seller)"),
    ('acquisition', "Acquisition of an Asset (Buyer)"),
    ('succession', "Succession"),
    ('authority', "Request of a Public Authority"),
    ('procurement', "Public Procurement"),
    ('other', "Other"),
    ]
REQUESTER_QUALITIES = [
    ('taxpayer', "Taxpayer"),
    ('proxy', "Proxy"),
    ('notary', "Notary"),
    ('authority', "Public Authority"),
    ('third_party', "Third Party with the Taxpayer's Consent"),
    ]
ASSET_KINDS = [
    ('building', "Building"),
    ('parcel', "Land"),
    ('vehicle', "Vehicle"),
    ]
BASE_UNITS = [
    (None, ""),
    ('lei', "lei"),
    ('m2', "m²"),
    ('cm3', "cm³"),
    ('kg', "kg"),
    ]
# Set by the issue (and the PDF kept): never written by a client
ISSUE_FIELDS = {
    'number', 'state', 'validity_end', 'issued_by', 'taxpayer_name',
    'taxpayer_code', 'taxpayer_address', 'assets', 'debts', 'principal',
    'accessories', 'total_debt', 'not_due', 'credit', 'report_cache',
    'report_format'}
ASSET_ORDER = {'building': 0, 'parcel': 1, 'vehicle': 2}
TAX_TYPE_ORDER = {t: i for i, (t, _) in enumerate(TAX_TYPES)}


class CertificateSequence(YearSequenceMixin, ModelSQL, ModelView):
    "The strict sequence that numbers a municipality's certificates of a year"
    __name__ = 'local_tax.fiscal_certificate.sequence'
    __string__ = "Fiscal Certificate Numbering"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='CASCADE')
    fiscal_year = fields.Integer("Year", required=True)
    sequence = fields.Many2One(
        'ir.sequence.strict', "Sequence", required=True,
        ondelete='RESTRICT',
        domain=[
            ('sequence_type', '=', Id(
                    'local_tax', 'sequence_type_fiscal_certificate')),
            ('company', 'in', [Eval('company', -1), None]),
            ],
        help="A strict (gapless) sequence used only for this year: a strict "
        "sequence does not restart by itself.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_year_unique', Unique(t, t.company, t.fiscal_year),
                'local_tax.msg_certificate_sequence_unique'),
            ]
        cls._order = [('fiscal_year', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return f'{self.company.rec_name} {self.fiscal_year}'

    @classmethod
    def _key(cls, company, year):
        return {'company': company.id, 'fiscal_year': year}

    @classmethod
    def _sequence_values(cls, company, year):
        ModelData = Pool().get('ir.model.data')
        return {
            'name': gettext('local_tax.msg_certificate_sequence_name',
                company=company.rec_name, year=year),
            'sequence_type': ModelData.get_id(
                'local_tax', 'sequence_type_fiscal_certificate'),
            'company': company.id,
            'prefix': f'{year}/',
            'padding': 0,
            }


_DRAFT = {'readonly': Eval('state') != 'draft'}


class FiscalCertificate(Workflow, ModelSQL, ModelView):
    "Certificat de atestare fiscală (Codul de procedură fiscală art. 159)"
    __name__ = 'local_tax.fiscal_certificate'
    __string__ = "Fiscal Certificate"
    _rec_name = 'number'

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT', states=_DRAFT)
    number = fields.Char(
        "Number", readonly=True,
        help="Given at issue, without gaps, per municipality and year.")
    date = fields.Date(
        "Date", required=True, states=_DRAFT,
        help="The date of issue: the fiscal situation is stated on it.")
    validity_end = fields.Date(
        "Valid Until", readonly=True,
        help="The date of issue plus the validity of the Code table "
        "(30 days).")
    taxpayer = fields.Many2One(
        'party.party', "Taxpayer", required=True, ondelete='RESTRICT',
        states=_DRAFT, context={'company': Eval('company', -1)},
        depends={'company'})
    requester = fields.Many2One(
        'party.party', "Requested By", ondelete='RESTRICT', states=_DRAFT,
        context={'company': Eval('company', -1)}, depends={'company'},
        help="Who asked for the certificate when not the taxpayer: a proxy, "
        "a notary, an authority.")
    requester_quality = fields.Selection(
        REQUESTER_QUALITIES, "Requested As", required=True, states=_DRAFT,
        help="Third parties get a certificate only with the taxpayer's "
        "consent.")
    requester_quality_string = requester_quality.translated(
        'requester_quality')
    purpose = fields.Selection(
        PURPOSES, "Purpose", required=True, states=_DRAFT,
        help="The transfer of a building, a parcel or a vehicle needs the "
        "seller's certificate and, from 25.02.2026, the buyer's (OUG "
        "7/2026).")
    purpose_string = purpose.translated('purpose')
    purpose_details = fields.Char(
        "Purpose Details", states=_DRAFT,
        help="E.g. the asset sold and the notary.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('issued', "Issued"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    issued_by = fields.Many2One('res.user', "Issued By", readonly=True)

    # What the certificate states, stored at issue
    taxpayer_name = fields.Char("Name", readonly=True)
    taxpayer_code = fields.Char("CNP/CUI", readonly=True)
    taxpayer_address = fields.Char("Address", readonly=True)
    assets = fields.One2Many(
        'local_tax.fiscal_certificate.asset', 'certificate',
        "Taxed Assets", readonly=True)
    debts = fields.One2Many(
        'local_tax.fiscal_certificate.debt', 'certificate',
        "Obligations", readonly=True)
    principal = fields.Numeric(
        "Overdue Principal", digits=(16, 2), readonly=True)
    accessories = fields.Numeric(
        "Accessories", digits=(16, 2), readonly=True,
        help="The surcharges booked and unpaid and those the overdue "
        "principal bears on the date (CPF art. 183).")
    total_debt = fields.Numeric(
        "Total Overdue", digits=(16, 2), readonly=True)
    not_due = fields.Numeric(
        "Not Yet Due", digits=(16, 2), readonly=True,
        help="The obligations established and not yet due on the date, "
        "such as the second instalment.")
    credit = fields.Numeric(
        "Credit", digits=(16, 2), readonly=True,
        help="What the taxpayer paid and no obligation took.")
    has_debts = fields.Function(
        fields.Boolean("Has Overdue Obligations"), 'get_has_debts')
    report_cache = fields.Binary("PDF", readonly=True)
    report_format = fields.Char("PDF Format", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.company, t.number),
                'local_tax.msg_certificate_number_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.taxpayer, Index.Range()),
                    (t.date, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'draft'),
                })
        cls._order = [('date', 'DESC'), ('number', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'issued'),
            ('issued', 'cancelled'),
            }
        cls._buttons.update({
                'issue': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'issued',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_purpose(cls):
        return 'transfer'

    @classmethod
    def default_requester_quality(cls):
        return 'taxpayer'

    def get_has_debts(self, name):
        return bool(self.total_debt)

    def get_rec_name(self, name):
        if self.number:
            return self.number
        return f'({self.id})'

    @classmethod
    def search_rec_name(cls, name, clause):
        from trytond.modules.municipality.common import search_any
        return search_any(
            clause, ['number', 'taxpayer.rec_name', 'taxpayer_code'])

    @classmethod
    def check_modification(cls, mode, certificates, values=None,
            external=False):
        super().check_modification(
            mode, certificates, values=values, external=external)
        if mode == 'create' and external:
            for certificate in certificates:
                if certificate.state != 'draft' or certificate.number:
                    raise IssuedCertificateError(gettext(
                            'local_tax.msg_certificate_issued_fields',
                            certificate=certificate.rec_name))
        if mode == 'delete':
            for certificate in certificates:
                if certificate.state != 'draft':
                    raise IssuedCertificateError(gettext(
                            'local_tax.msg_certificate_delete_issued',
                            certificate=certificate.rec_name))
        elif mode == 'write':
            fields_ = set(values or {})
            if external and fields_ & ISSUE_FIELDS:
                # what the issue states comes from the issue only
                raise IssuedCertificateError(gettext(
                        'local_tax.msg_certificate_issued_fields',
                        certificate=certificates[0].rec_name))
            for certificate in certificates:
                if certificate.state == 'draft':
                    continue
                if (certificate.state == 'issued'
                        and fields_ == {'state'}
                        and values['state'] == 'cancelled'):
                    continue
                if (certificate.state == 'issued'
                        and not certificate.report_cache
                        and fields_ <= {'report_cache', 'report_format'}):
                    continue
                raise IssuedCertificateError(gettext(
                        'local_tax.msg_certificate_issued',
                        certificate=certificate.rec_name))

    @classmethod
    def validate_fields(cls, certificates, field_names):
        super().validate_fields(certificates, field_names)
        if field_names & {'date', 'state'}:
            today = Pool().get('ir.date').today()
            for certificate in certificates:
                if certificate.state == 'draft' and certificate.date > today:
                    raise CertificateError(gettext(
                            'local_tax.msg_certificate_future_date',
                            certificate=certificate.rec_name,
                            date=certificate.date.strftime('%d.%m.%Y')))

    @classmethod
    def copy(cls, certificates, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'validity_end', 'issued_by', 'taxpayer_name',
                'taxpayer_code', 'taxpayer_address', 'assets', 'debts',
                'principal', 'accessories', 'total_debt', 'not_due',
                'credit', 'report_cache', 'report_format']:
            default.setdefault(name, None)
        default.setdefault('date', cls.default_date())
        return super().copy(certificates, default=default)

    # Issue

    @classmethod
    def issue_for(cls, company, party, date, purpose, requester=None,
            **values):
        """Issue the certificate of the party on the date for the purpose
        (a key of PURPOSES) and return it; its PDF is get_pdf().

        The number comes from a strict sequence, whose lock restarts the
        transaction: call it in a retrying transaction (RPC,
        cron, queue, Flask-Tryton, trytond's with_transaction)."""
        if requester is not None and requester != party:
            values.setdefault('requester_quality', 'proxy')
        certificate = cls(
            company=company, taxpayer=party, date=date, purpose=purpose,
            requester=requester, **values)
        certificate.save()
        cls.issue([certificate])
        return certificate

    @classmethod
    @ModelView.button
    @Workflow.transition('issued')
    def issue(cls, certificates):
        pool = Pool()
        Asset = pool.get('local_tax.fiscal_certificate.asset')
        CodeTable = pool.get('local_tax.code_table')
        Debt = pool.get('local_tax.fiscal_certificate.debt')
        # the numbers first: the lock of the sequence restarts the
        # transaction, so nothing is computed twice
        cls.set_number(certificates)
        user = Transaction().user
        assets, debts = [], []
        for certificate in certificates:
            # moved off a non-working day (CPF art. 75, Codul de procedură
            # civilă art. 181(2))
            certificate.validity_end = next_working_day(
                certificate.date + dt.timedelta(
                    days=CodeTable.certificate_validity(certificate.date)))
            certificate.issued_by = user or None
            certificate._set_identification()
            assets.extend(certificate._get_assets())
            debts.extend(certificate._set_debts())
        cls.save(certificates)
        Asset.save(assets)
        Debt.save(debts)
        cls.__queue__.store_pdf(certificates)

    @classmethod
    def set_number(cls, certificates):
        """Number the certificates in the order of their date, from the
        strict sequence of their municipality and year"""
        Sequence = Pool().get('local_tax.fiscal_certificate.sequence')
        for certificate in sorted(
                certificates, key=lambda c: (c.date, c.id)):
            sequence = Sequence.get_sequence(
                certificate.company, certificate.date.year)
            with Transaction().set_context(date=certificate.date):
                certificate.number = sequence.get()

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, certificates):
        "A cancelled certificate keeps its number and its content"
        pass

    def _set_identification(self):
        taxpayer = self.taxpayer
        self.taxpayer_name = taxpayer.name
        self.taxpayer_code = taxpayer.fiscal_code
        address = taxpayer.address_get()
        self.taxpayer_address = (
            (address.ro_address or address.full_address.replace('\n', ', '))
            if address else None)

    def _get_assets(self):
        """The buildings, parcels and vehicles of the municipality the
        taxpayer owns on the date, and those taxed by the last decision of
        the year (an asset sold during the year is still taxed to the
        seller, Codul fiscal art. 461, 466, 471), with the taxable value on
        the date and the annual tax of the last decision"""
        pool = Pool()
        Asset = pool.get('local_tax.fiscal_certificate.asset')
        Assessment = pool.get('local_tax.assessment')
        Ownership = pool.get('ownership.ownership')
        company, taxpayer, date = self.company, self.taxpayer, self.date
        shares = defaultdict(Fraction)
        for ownership in Ownership.owned_on(date, owner=taxpayer.id):
            if ownership.company == company:
                shares[asset_of(ownership)] += Fraction(
                    ownership.share_numerator, ownership.share_denominator)
        taxed = Assessment.last_lines(company, taxpayer, date)
        for line in taxed.values():
            if line.assessment.fiscal_year == date.year:
                asset = line.building or line.parcel or line.vehicle
                if asset not in shares:
                    shares[asset] = Fraction(line.share or '1')
        params = TaxParameters.in_force(company, date)
        legal = taxpayer.person_type == 'legal'
        result = []
        for asset, share in shares.items():
            kind = asset.__name__.split('.')[1]
            if kind == 'building':
                value, unit = asset.certificate_value(params, date, legal)
            elif kind == 'parcel':
                value, unit = asset.area, 'm2'
            else:
                value, unit = vehicle_base(asset)
            line = taxed.get(asset)
            result.append(Asset(
                    certificate=self, kind=kind, **{kind: asset},
                    description=asset.rec_name,
                    share=(f'{share.numerator}/{share.denominator}'
                        if share != 1 else '1'),
                    base=value, base_unit=unit if value is not None else None,
                    fiscal_year=line.assessment.fiscal_year if line else None,
                    annual_tax=line.amount if line else None,
                    assessment=line.assessment if line else None))
        result.sort(key=lambda a: (ASSET_ORDER[a.kind], a.description))
        for sequence, asset in enumerate(result, 1):
            asset.sequence = sequence
        return result

    def _set_debts(self):
        """The obligations unpaid on the date by type: the principal due
        before the date, the accessories (the surcharges booked and the
        surcharge of CPF art. 183 the principal bears on the date), and
        what is established but not yet due"""
        Debt = Pool().get('local_tax.fiscal_certificate.debt')
        Payment = Pool().get('local_tax.payment')
        company, taxpayer, date = self.company, self.taxpayer, self.date
        principal = defaultdict(lambda: ZERO)
        accessories = defaultdict(lambda: ZERO)
        not_due = defaultdict(lambda: ZERO)
        FiscalFile = Pool().get('local_tax.fiscal_file')
        rate = None
        for obligation, balance in FiscalFile.balances(
                company, taxpayer, date):
            if balance <= 0:
                continue
            if obligation.tax_type in ACCESSORY_TYPES:
                tax_type = (obligation.principal.tax_type
                    if obligation.principal else obligation.tax_type)
                # a surcharge is booked when it is owed, due the day it is
                # booked (CPF art. 183): owed on the certificate's date too
                if obligation.due_date <= date:
                    accessories[tax_type] += balance
                else:
                    not_due[tax_type] += balance
                continue
            tax_type = obligation.tax_type
            if obligation.due_date >= date:
                not_due[tax_type] += balance
                continue
            principal[tax_type] += balance
            if FiscalFile.bears_surcharge(tax_type, obligation.due_date, date):
                if rate is None:
                    rate = FiscalFile.surcharge_rate(company, date)
                accessories[tax_type] += surcharge(
                    balance, obligation.due_date, date, rate)
        result = []
        for tax_type in sorted(set(principal) | set(accessories)
                | set(not_due), key=TAX_TYPE_ORDER.get):
            total = principal[tax_type] + accessories[tax_type]
            if not total and not not_due[tax_type]:
                continue
            result.append(Debt(
                    certificate=self, tax_type=tax_type,
                    sequence=TAX_TYPE_ORDER[tax_type],
                    principal=money(principal[tax_type]),
                    accessories=money(accessories[tax_type]),
                    total=money(total),
                    not_due=money(not_due[tax_type])))
        self.principal = sum((d.principal for d in result), ZERO)
        self.accessories = sum((d.accessories for d in result), ZERO)
        self.total_debt = self.principal + self.accessories
        self.not_due = sum((d.not_due for d in result), ZERO)
        self.credit = money(max(
                Payment.credit(company, taxpayer, date), ZERO))
        return result

    # The document

    @classmethod
    def store_pdf(cls, certificates):
        "Render and keep the PDF of the issued certificates (a queue task)"
        for certificate in cls.browse(certificates):
            if certificate.state == 'issued' and not certificate.report_cache:
                certificate.get_pdf()

    def get_pdf(self):
        """The PDF of the certificate (bytes), to print or sign.

        Rendered in the language of the database (the certificate is an
        official document) and kept when the certificate is issued: it is
        then the same every time.  A cancelled certificate is rendered
        anew, marked cancelled."""
        pool = Pool()
        Configuration = pool.get('ir.configuration')
        CertificateReport = pool.get(
            'local_tax.fiscal_certificate', type='report')
        if self.state == 'issued' and self.report_cache:
            return bytes(self.report_cache)
        # rendered as root: the caller holds the certificate already, and
        # the report's access check applies the company rules of the user
        # (reports read their records under the company rules)
        with Transaction().set_user(0), Transaction().set_context(
                language=Configuration.get_language(),
                with_rec_name=False):
            format_, content, *_ = CertificateReport.execute(
                [self.id], {'model': self.__name__, 'id': self.id,
                    'ids': [self.id]})
        content = bytes(content)
        if format_ != 'pdf' or not content.startswith(b'%PDF'):
            raise CertificateError(gettext(
                    'local_tax.msg_certificate_pdf_failed',
                    certificate=self.rec_name))
        transaction = Transaction()
        if self.state == 'issued' and not transaction.readonly:
            with without_check_access():
                self.__class__.write([self], {
                        'report_cache': content,
                        'report_format': format_,
                        })
        return content


class CertificateAsset(ModelSQL, ModelView):
    "A building, parcel or vehicle stated on a fiscal certificate"
    __name__ = 'local_tax.fiscal_certificate.asset'
    __string__ = "Fiscal Certificate Asset"

    certificate = fields.Many2One(
        'local_tax.fiscal_certificate', "Certificate", required=True,
        ondelete='CASCADE')
    sequence = fields.Integer("Sequence")
    kind = fields.Selection(ASSET_KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    building = fields.Many2One(
        'property.building', "Building", ondelete='RESTRICT')
    parcel = fields.Many2One(
        'property.parcel', "Parcel", ondelete='RESTRICT')
    vehicle = fields.Many2One(
        'vehicle.vehicle', "Vehicle", ondelete='RESTRICT')
    description = fields.Char("Description", required=True)
    share = fields.Char("Share")
    base = fields.Numeric(
        "Taxable Value", digits=(16, 2),
        help="A building's taxable value (lei), a parcel's area (m²), a "
        "vehicle's cylinder capacity (cm³) or maximum mass (kg), on the "
        "date of the certificate.")
    base_unit = fields.Selection(BASE_UNITS, "Unit")
    base_unit_string = base_unit.translated('base_unit')
    fiscal_year = fields.Integer("Fiscal Year")
    annual_tax = fields.Numeric(
        "Annual Tax", digits=(16, 2),
        help="The taxpayer's tax of the asset for the fiscal year, from "
        "the last tax decision.")
    assessment = fields.Many2One(
        'local_tax.assessment', "Tax Decision", ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('certificate', 'ASC'), ('sequence', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def check_modification(cls, mode, assets, values=None, external=False):
        super().check_modification(
            mode, assets, values=values, external=external)
        check_certificate_draft(assets)


class CertificateDebt(ModelSQL, ModelView):
    "The unpaid obligations of one type stated on a fiscal certificate"
    __name__ = 'local_tax.fiscal_certificate.debt'
    __string__ = "Fiscal Certificate Obligation"

    certificate = fields.Many2One(
        'local_tax.fiscal_certificate', "Certificate", required=True,
        ondelete='CASCADE')
    sequence = fields.Integer("Sequence")
    tax_type = fields.Selection(TAX_TYPES, "Type", required=True)
    tax_type_string = tax_type.translated('tax_type')
    principal = fields.Numeric(
        "Overdue Principal", digits=(16, 2), required=True)
    accessories = fields.Numeric(
        "Accessories", digits=(16, 2), required=True,
        help="Surcharges booked and unpaid, and the surcharge the overdue "
        "principal bears on the date (CPF art. 183).")
    total = fields.Numeric("Total Overdue", digits=(16, 2), required=True)
    not_due = fields.Numeric(
        "Not Yet Due", digits=(16, 2), required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('certificate', 'ASC'), ('sequence', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def check_modification(cls, mode, debts, values=None, external=False):
        super().check_modification(
            mode, debts, values=values, external=external)
        check_certificate_draft(debts)


def check_certificate_draft(lines):
    for line in lines:
        if line.certificate.state != 'draft':
            raise IssuedCertificateError(gettext(
                    'local_tax.msg_certificate_issued',
                    certificate=line.certificate.rec_name))


def vehicle_base(vehicle):
    "The cylinder capacity of a vehicle, or its maximum mass"
    if vehicle.cylinder_capacity:
        return Decimal(vehicle.cylinder_capacity), 'cm3'
    if vehicle.max_mass:
        return Decimal(vehicle.max_mass), 'kg'
    return None, None


class IssueCertificateStart(ModelView):
    "Who asks for the fiscal certificate of the taxpayer, and why"
    __name__ = 'local_tax.fiscal_certificate.issue.start'
    __string__ = "Issue Fiscal Certificate"

    company = fields.Many2One(
        'company.company', "Municipality", required=True, readonly=True)
    taxpayer = fields.Many2One(
        'party.party', "Taxpayer", required=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    date = fields.Date("Date", readonly=True)
    purpose = fields.Selection(PURPOSES, "Purpose", required=True)
    purpose_details = fields.Char(
        "Purpose Details", help="E.g. the asset sold and the notary.")
    requester = fields.Many2One(
        'party.party', "Requested By",
        context={'company': Eval('company', -1)}, depends={'company'},
        help="Who asked for the certificate when not the taxpayer: a proxy, "
        "a notary, an authority.")
    requester_quality = fields.Selection(
        REQUESTER_QUALITIES, "Requested As", required=True)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_purpose(cls):
        return 'transfer'

    @classmethod
    def default_requester_quality(cls):
        return 'taxpayer'


class IssueCertificate(Wizard):
    """Issue the fiscal certificate of the person of the form (or of the
    fiscal file) on today's date and print it"""
    __name__ = 'local_tax.fiscal_certificate.issue'

    start = StateView('local_tax.fiscal_certificate.issue.start',
        'local_tax.fiscal_certificate_issue_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Issue", 'issue', 'tryton-ok', default=True),
            ])
    issue = StateTransition()
    print_ = StateReport('local_tax.fiscal_certificate')

    def default_start(self, fields):
        if self.model and self.model.__name__ == 'party.party' and (
                self.record):
            return {'taxpayer': self.record.id}
        return {}

    def transition_issue(self):
        Certificate = Pool().get('local_tax.fiscal_certificate')
        start = self.start
        certificate = Certificate.issue_for(
            start.company, start.taxpayer, start.date, start.purpose,
            requester=start.requester,
            requester_quality=start.requester_quality,
            purpose_details=start.purpose_details)
        # kept with the certificate now: the print shows that very PDF
        certificate.get_pdf()
        self.issued = certificate
        return 'print_'

    def do_print_(self, action):
        # run in the request of the issue, right after transition_issue
        certificate = self.issued
        return action, {'id': certificate.id, 'ids': [certificate.id]}

    def transition_print_(self):
        return 'end'

    def end(self):
        return 'reload'


class FiscalCertificateReport(LibreOfficeReport):
    __name__ = 'local_tax.fiscal_certificate'

    @classmethod
    def _execute(cls, records, header, data, action):
        if len(records) == 1:
            certificate, = records
            if certificate.state == 'issued' and certificate.report_cache:
                return (certificate.report_format,
                    bytes(certificate.report_cache))
        return super()._execute(records, header, data, action)

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)

        def amount(value):
            return cls.format_number(value or ZERO, None, digits=2)

        def asset_base(asset):
            if asset.base is None:
                return '—'
            digits = 2 if asset.base_unit == 'lei' else 0
            if asset.base_unit == 'm2' and asset.base != int(asset.base):
                digits = 2
            return (f'{cls.format_number(asset.base, None, digits=digits)} '
                f'{asset.base_unit_string}')

        def validity_days(certificate):
            return (certificate.validity_end - certificate.date).days

        context['amount'] = amount
        context['asset_base'] = asset_base
        context['validity_days'] = validity_days
        return context
