# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from stdnum import iban

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields, sequence_ordered
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .exceptions import TerritoryError

# Legea 351/2001 (Planul de amenajare a teritoriului național, secțiunea IV):
# rank 0 is the capital, I–III municipalities and towns, IV commune seat
# villages and component localities, V the other villages.  Codul fiscal
# art. 457(6) and 465 index the tax tables by this rank.
LOCALITY_RANKS = [
    ('0', "0"),
    ('I', "I"),
    ('II', "II"),
    ('III', "III"),
    ('IV', "IV"),
    ('V', "V"),
    ]

FISCAL_ZONES = [
    ('A', "A"),
    ('B', "B"),
    ('C', "C"),
    ('D', "D"),
    ]

UAT_KINDS = [
    ('municipiu', "Municipality (municipiu)"),
    ('oras', "Town (oraș)"),
    ('comuna', "Commune (comună)"),
    ('sector', "Bucharest sector"),
    ]


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    siruta = fields.Char(
        "SIRUTA Code", size=6,
        help="The SIRUTA code of the administrative-territorial unit (UAT) "
        "as published by the INS.")
    county = fields.Many2One(
        'municipality.county', "County", ondelete='RESTRICT')
    uat_kind = fields.Selection(
        [(None, "")] + UAT_KINDS, "UAT Kind",
        help="Municipiu, oraș or comună (Legea 2/1968, Codul administrativ).")
    locality_rank = fields.Selection(
        [(None, "")] + LOCALITY_RANKS, "Locality Rank",
        help="Rank of the seat locality under Legea 351/2001, used by the "
        "local tax tables (Codul fiscal art. 457, 465).")
    seat = fields.Many2One(
        'municipality.locality', "Seat Locality", ondelete='RESTRICT',
        domain=[('municipality', '=', Eval('id', -1))])
    mayor = fields.Many2One(
        'party.party', "Mayor", ondelete='RESTRICT',
        domain=[('person_type', '=', 'natural')])
    secretary_general = fields.Many2One(
        'party.party', "Secretary General", ondelete='RESTRICT',
        domain=[('person_type', '=', 'natural')],
        help="Secretarul general al UAT, who countersigns the acts.")
    cif = fields.Function(fields.Char("CIF"), 'get_cif')
    treasury_accounts = fields.One2Many(
        'municipality.treasury_account', 'company', "Treasury Accounts")

    def get_cif(self, name):
        return self.party.cui if self.party else None

    def treasury_account(self, revenue_code):
        "Return the IBAN where a revenue of that budget code is collected"
        for account in self.treasury_accounts:
            if account.revenue_code == revenue_code:
                return account


class TreasuryAccount(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'municipality.treasury_account'
    __string__ = "Treasury Account"

    company = fields.Many2One(
        'company.company', "Municipality", required=True, ondelete='CASCADE')
    revenue_code = fields.Char(
        "Revenue Code", required=True,
        help="Budget classification code of the revenue "
        "(e.g. 07.02.01.01 for the building tax of natural persons).")
    name = fields.Char("Revenue", required=True, translate=True)
    iban = fields.Char("IBAN", required=True, size=34)
    treasury = fields.Char(
        "Treasury", help="The Trezoreria where the account is opened.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('company')

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('iban'):
            values['iban'] = iban.compact(values['iban'])
        return values

    @classmethod
    def validate_fields(cls, accounts, field_names):
        super().validate_fields(accounts, field_names)
        if field_names & {'iban'}:
            for account in accounts:
                if (not iban.is_valid(account.iban)
                        or not account.iban.startswith('RO')):
                    raise TerritoryError(gettext(
                            'municipality.msg_invalid_iban',
                            iban=account.iban, revenue=account.name))

    def get_rec_name(self, name):
        return f'{self.revenue_code} {self.name} ({self.iban})'
