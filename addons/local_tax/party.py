# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The taxpayer's fiscal file on one screen: the party form of the clerk"
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .fiscal_file import ZERO

POSITION_FIELDS = {
    'fiscal_principal': 'principal',
    'fiscal_accessories': 'accessories',
    'fiscal_credit': 'credit',
    'fiscal_balance': 'balance',
    }


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    fiscal_obligations = fields.Function(fields.Many2Many(
            'local_tax.obligation', None, None, "Obligations",
            readonly=True),
        'get_fiscal_records')
    fiscal_payments = fields.Function(fields.Many2Many(
            'local_tax.payment', None, None, "Payments",
            readonly=True),
        'get_fiscal_records')
    fiscal_assessments = fields.Function(fields.Many2Many(
            'local_tax.assessment', None, None, "Tax Decisions",
            readonly=True),
        'get_fiscal_records')
    fiscal_principal = fields.Function(fields.Numeric(
            "Unpaid Taxes", digits=(16, 2)), 'get_fiscal_position')
    fiscal_accessories = fields.Function(fields.Numeric(
            "Unpaid Accessories", digits=(16, 2),
            help="Surcharges booked and not paid, and those the unpaid "
            "principal bears on the date (CPF art. 183)."),
        'get_fiscal_position')
    fiscal_credit = fields.Function(fields.Numeric(
            "Credit", digits=(16, 2),
            help="Paid and not taken by any obligation: to offset or "
            "refund."),
        'get_fiscal_position')
    fiscal_balance = fields.Function(fields.Numeric(
            "Balance", digits=(16, 2),
            help="What the taxpayer owes the municipality on the date, "
            "less the credit."),
        'get_fiscal_position')

    @classmethod
    def _search_keys(cls, text, operator, operand, extra):
        "Also the taxpayer of a tax decision, by its number or reference"
        yield from super()._search_keys(text, operator, operand, extra)
        code = text.replace(' ', '')
        if operator.endswith('like') and any(c.isdigit() for c in code):
            yield cls._search_taxpayers_of(['OR',
                    ('number', '=', code),
                    ('payment_reference', '=', code),
                    ])

    @classmethod
    def _search_taxpayers_of(cls, domain):
        "Clause of the taxpayers of the decisions of the domain"
        pool = Pool()
        Assessment = pool.get('local_tax.assessment')
        ModelAccess = pool.get('ir.model.access')
        if not ModelAccess.check(
                Assessment.__name__, 'read', raise_exception=False):
            return None
        assessment = Assessment.__table__()
        decisions = Assessment.search(domain, order=[], query=True)
        return ('id', 'in', assessment.select(
                assessment.taxpayer, where=assessment.id.in_(decisions)))

    @classmethod
    def _fiscal_company(cls):
        company_id = Transaction().context.get('company')
        if company_id:
            return Pool().get('company.company')(company_id)

    @classmethod
    def _fiscal_date(cls):
        return (Transaction().context.get('fiscal_file_date')
            or Pool().get('ir.date').today())

    @classmethod
    def get_fiscal_records(cls, parties, names):
        pool = Pool()
        models = {
            'fiscal_obligations': (pool.get('local_tax.obligation'),
                [('state', '=', 'posted')]),
            'fiscal_payments': (pool.get('local_tax.payment'), []),
            'fiscal_assessments': (pool.get('local_tax.assessment'), []),
            }
        company = cls._fiscal_company()
        result = {}
        for name in names:
            Model, domain = models[name]
            result[name] = {p.id: [] for p in parties}
            if not company:
                continue
            records = Model.search([
                    ('company', '=', company.id),
                    ('taxpayer', 'in', [p.id for p in parties]),
                    ] + domain)
            for record in records:
                result[name][record.taxpayer.id].append(record.id)
        return result

    @classmethod
    def get_fiscal_position(cls, parties, names):
        FiscalFile = Pool().get('local_tax.fiscal_file')
        company = cls._fiscal_company()
        date = cls._fiscal_date()
        result = {n: {} for n in names}
        for party in parties:
            position = (FiscalFile.position(company, party, date)
                if company else {})
            for name in names:
                result[name][party.id] = position.get(
                    POSITION_FIELDS[name], ZERO)
        return result
