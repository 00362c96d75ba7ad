# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, record_cache_size
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import OwnershipError

ASSET_FIELDS = ['parcel', 'building', 'vehicle']


class OwnedMixin:
    "Mixin for assets owned in dated shares (parcel, building, vehicle)"
    __slots__ = ()

    owners = fields.Function(
        fields.Char("Owners", help="The owners on the context date (today "
            "by default)."),
        'get_owners', searcher='search_owners')

    @classmethod
    def _ownership_field(cls):
        raise NotImplementedError

    @classmethod
    def get_owners(cls, assets, name):
        pool = Pool()
        Ownership = pool.get('ownership.ownership')
        date = Transaction().context.get('date') or pool.get(
            'ir.date').today()
        result = {a.id: [] for a in assets}
        field = cls._ownership_field()
        for ownership in Ownership.owned_on(
                date, **{field: [a.id for a in assets]}):
            result[getattr(ownership, field).id].append(ownership)
        return {
            k: ', '.join(o.owner_with_share for o in v)
            for k, v in result.items()}

    @classmethod
    def search_owners(cls, name, clause):
        _, operator, operand, *extra = clause
        date = Transaction().context.get('date') or Pool().get(
            'ir.date').today()
        return [('ownerships', 'where', [
                    ('owner', operator, operand, *extra),
                    ('start_date', '<=', date),
                    ['OR',
                        ('end_date', '=', None),
                        ('end_date', '>', date),
                        ],
                    ])]

    @classmethod
    def validate_fields(cls, assets, field_names):
        super().validate_fields(assets, field_names)
        if 'ownerships' in field_names:
            Ownership = Pool().get('ownership.ownership')
            Ownership.check_shares_of(cls._ownership_field(), assets)

    @classmethod
    def write(cls, *args):
        # The shares are checked once the whole form is written, not after
        # each ownership line, so that a clerk can close one line and add
        # another in the same save.
        with Transaction().set_context(_defer_share_check=True):
            super().write(*args)

    @classmethod
    def create(cls, vlist):
        with Transaction().set_context(_defer_share_check=True):
            return super().create(vlist)


class Ownership(ModelSQL, ModelView):
    __name__ = 'ownership.ownership'
    __string__ = "Ownership Share"
    _rec_name = 'document'

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='CASCADE', readonly=True)
    owner = fields.Many2One(
        'party.party', "Owner", required=True, ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    parcel = fields.Many2One(
        'property.parcel', "Parcel", ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    building = fields.Many2One(
        'property.building', "Building", ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    vehicle = fields.Many2One(
        'vehicle.vehicle', "Vehicle", ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    asset = fields.Function(fields.Char("Asset"), 'get_asset')
    share_numerator = fields.Integer(
        "Share Numerator", required=True,
        domain=[('share_numerator', '>', 0)])
    share_denominator = fields.Integer(
        "Share Denominator", required=True,
        domain=[('share_denominator', '>=', Eval('share_numerator', 1))])
    share = fields.Function(
        fields.Numeric("Share", digits=(1, 6)), 'get_share')
    start_date = fields.Date(
        "From", required=True,
        help="The date the owner acquired the share (date of the deed).")
    end_date = fields.Date(
        "Until", domain=[If(Eval('end_date'),
                ('end_date', '>', Eval('start_date')), ())],
        help="The date the share passed to another owner (date of the deed "
        "of sale); the owner holds it until the day before.")
    document = fields.Char(
        "Acquisition Document",
        help="Reference of the deed: sale contract, certificate of "
        "inheritance, court decision, construction permit …")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        for field in ASSET_FIELDS:
            column = getattr(t, field)
            cls._sql_indexes.add(Index(
                    t, (column, Index.Range()), (t.start_date, Index.Range()),
                    where=column != Null))
        cls._sql_indexes.add(Index(t, (t.owner, Index.Range())))
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_share_numerator(cls):
        return 1

    @classmethod
    def default_share_denominator(cls):
        return 1

    @classmethod
    def default_start_date(cls):
        return Pool().get('ir.date').today()

    @property
    def fraction(self):
        return Fraction(self.share_numerator, self.share_denominator)

    def get_share(self, name):
        return (Decimal(self.share_numerator) / Decimal(
                self.share_denominator)).quantize(Decimal('0.000001'))

    @property
    def owner_with_share(self):
        if self.share_numerator == self.share_denominator:
            return self.owner.rec_name
        return (f'{self.owner.rec_name} '
            f'({self.share_numerator}/{self.share_denominator})')

    def get_asset(self, name):
        for field in ASSET_FIELDS:
            asset = getattr(self, field)
            if asset:
                return asset.rec_name

    def get_rec_name(self, name):
        return f'{self.owner_with_share} — {self.asset}'

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if field_names is None or field_names & set(ASSET_FIELDS):
            for field in ASSET_FIELDS:
                asset = getattr(self, field, None)
                if asset and getattr(self, 'company', None) != asset.company:
                    values['company'] = asset.company.id
        return values

    def is_active_on(self, date):
        return (self.start_date <= date
            and (self.end_date is None or self.end_date > date))

    @classmethod
    def owned_on(cls, date, owner=None, **assets):
        """Ownerships valid on the date, for the owner (a party id or list)
        and/or the assets given as parcel=[ids], building=[ids],
        vehicle=[ids]"""
        domain = [
            ('start_date', '<=', date),
            ['OR', ('end_date', '=', None), ('end_date', '>', date)],
            ]
        if owner is not None:
            owners = owner if isinstance(owner, (list, tuple)) else [owner]
            domain.append(('owner', 'in', owners))
        asset_domain = ['OR']
        for field, ids in assets.items():
            assert field in ASSET_FIELDS
            asset_domain.append((field, 'in', ids))
        if len(asset_domain) > 1:
            domain.append(asset_domain)
        return cls.search(domain, order=[('id', 'ASC')])

    @classmethod
    def validate_fields(cls, ownerships, field_names):
        super().validate_fields(ownerships, field_names)
        cls.check_single_asset(ownerships)
        if Transaction().context.get('_defer_share_check'):
            return
        for field in ASSET_FIELDS:
            assets = {getattr(o, field) for o in ownerships} - {None}
            if assets:
                cls.check_shares_of(field, list(assets))

    @classmethod
    def check_single_asset(cls, ownerships):
        for ownership in ownerships:
            assets = [f for f in ASSET_FIELDS if getattr(ownership, f)]
            if len(assets) != 1:
                raise OwnershipError(gettext(
                        'municipality.msg_ownership_one_asset',
                        owner=ownership.owner.rec_name))

    @classmethod
    def check_shares_of(cls, field, assets):
        """On every date where an asset has owners, their shares must add up
        to exactly 1 (Codul civil art. 634: co-owners hold shares of one
        whole)."""
        for sub_assets in grouped_slice(
                assets, record_cache_size(Transaction())):
            sub_assets = list(sub_assets)
            by_asset = defaultdict(list)
            for ownership in cls.search(
                    [(field, 'in', [a.id for a in sub_assets])],
                    order=[('start_date', 'ASC'), ('id', 'ASC')]):
                by_asset[getattr(ownership, field)].append(ownership)
            for asset, ownerships in by_asset.items():
                date, total = cls._first_unbalanced_date(ownerships)
                if date is not None:
                    raise OwnershipError(gettext(
                            'municipality.msg_ownership_shares',
                            asset=asset.rec_name,
                            date=date.strftime('%d.%m.%Y'),
                            total=_format_fraction(total)))

    @staticmethod
    def _first_unbalanced_date(ownerships):
        "Return the first date on which shares do not add up to 1"
        dates = sorted(
            {o.start_date for o in ownerships}
            | {o.end_date for o in ownerships if o.end_date})
        for date in dates:
            total = sum(
                (o.fraction for o in ownerships if o.is_active_on(date)),
                Fraction(0))
            if total and total != 1:
                return date, total
        return None, None


    @classmethod
    def transfer(cls, field, asset, date, document, new_owners):
        "Record the deed by which the asset passed to new owners on the date"
        cls.transfer_many(field, [(asset, date, document, new_owners)])

    @classmethod
    def transfer_many(cls, field, transfers):
        """Record deeds: for each (asset, date, document, [(owner, numerator,
        denominator), …]) close the shares held on the date and give the
        asset to the new owners.  The shares are checked once, at the end;
        an asset sold twice is handled in date order."""
        for round_ in _rounds(transfers):
            by_date = defaultdict(list)
            for asset, date, document, new_owners in round_:
                by_date[date].append((asset, document, new_owners))
            # instances keep the context they are made in
            with Transaction().set_context(_defer_share_check=True):
                to_save = []
                for date, items in by_date.items():
                    to_save.extend(cls._close_shares(field, date, [
                                asset for asset, _, _ in items]))
                    for asset, document, new_owners in items:
                        to_save.extend(cls(**{
                                    field: asset,
                                    'company': asset.company,
                                    'owner': owner,
                                    'share_numerator': numerator,
                                    'share_denominator': denominator,
                                    'start_date': date,
                                    'document': document,
                                    })
                            for owner, numerator, denominator in new_owners)
                cls.save(to_save)
        cls.check_shares_of(field, list({t[0] for t in transfers}))

    @classmethod
    def _close_shares(cls, field, date, assets):
        "The shares of the assets held on the date, ended on that date"
        closed = cls.owned_on(date, **{field: [a.id for a in assets]})
        for ownership in closed:
            if ownership.start_date == date:
                raise OwnershipError(gettext(
                        'municipality.msg_ownership_transfer_same_day',
                        asset=getattr(ownership, field).rec_name))
            ownership.end_date = date
        return closed


def _rounds(transfers):
    "Split the transfers so that each round holds an asset at most once"
    rounds, seen = [], defaultdict(int)
    for transfer in sorted(transfers, key=lambda t: t[1]):
        index = seen[transfer[0]]
        seen[transfer[0]] += 1
        if index == len(rounds):
            rounds.append([])
        rounds[index].append(transfer)
    return rounds

def _format_fraction(value):
    if value.denominator == 1:
        return str(value.numerator)
    return f'{value.numerator}/{value.denominator}'


class TransferStart(ModelView):
    __name__ = 'ownership.transfer.start'
    __string__ = "Transfer Ownership"

    date = fields.Date(
        "Transfer Date", required=True,
        help="The date of the deed: the new owners hold from this date.")
    document = fields.Char("Document", required=True,
        help="Reference of the deed (contract, certificate of "
        "inheritance, court decision).")
    owners = fields.One2Many(
        'ownership.transfer.owner', None, "New Owners", required=True)

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()


class TransferOwner(ModelView):
    __name__ = 'ownership.transfer.owner'
    __string__ = "New Owner"

    owner = fields.Many2One('party.party', "Owner", required=True)
    share_numerator = fields.Integer("Share Numerator", required=True)
    share_denominator = fields.Integer("Share Denominator", required=True)

    @classmethod
    def default_share_numerator(cls):
        return 1

    @classmethod
    def default_share_denominator(cls):
        return 1


class Transfer(Wizard):
    "Transfer Ownership"
    __name__ = 'ownership.transfer'
    start = StateView(
        'ownership.transfer.start',
        'municipality.ownership_transfer_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Transfer", 'transfer', 'tryton-ok', default=True),
            ])
    transfer = StateTransition()

    def transition_transfer(self):
        pool = Pool()
        Ownership = pool.get('ownership.ownership')
        new_owners = [(o.owner, o.share_numerator, o.share_denominator)
            for o in self.start.owners]
        Ownership.transfer_many(self.model._ownership_field(), [
                (asset, self.start.date, self.start.document, new_owners)
                for asset in self.records])
        return 'end'
