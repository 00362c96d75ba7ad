# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Mandates: a citizen account acting for another person or a company.

A validated account requests the mandate on the portal with its proof (the
power of attorney — procura, Codul civil art. 2009 and following; the
certificate of the trade register naming the company's legal
representative — Legea 31/1990 art. 70; the birth certificate or the
guardianship decision of a minor's parent or guardian — Codul civil art.
503–504, 110).  A clerk checks the proof and approves or rejects it; an
approved mandate can be revoked.  While approved and in date it lets the
account see and pay the taxes of the represented party
(Codul de procedură fiscală art. 18: the taxpayer's representative)."""
import datetime as dt
import functools

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import MandateError

KINDS = [
    ('power_of_attorney', "Power of Attorney"),
    ('company_representative', "Legal Representative of a Company"),
    ('guardian', "Parent or Guardian"),
    ]
STATES = [
    ('requested', "Requested"),
    ('approved', "Approved"),
    ('rejected', "Rejected"),
    ('revoked', "Revoked"),
    ]
# What the request and the clerk's decision rest on: fixed once decided
LEGAL_FIELDS = {
    'company', 'user', 'party', 'kind', 'proof', 'proof_name',
    'proof_id', 'valid_from', 'valid_until'}
# Written only by the transitions (approve, reject, revoke)
DECISION_FIELDS = {'state', 'decided_by', 'decided_at'}



def decision(state):
    """A transition of the clerk: the only writer of the state and of who
    decided (the context key cannot come from a client: RPC drops the keys
    starting with an underscore)"""
    def decorator(func):
        transition = Workflow.transition(state)(func)

        @functools.wraps(func)
        def wrapper(cls, mandates, *args, **kwargs):
            with Transaction().set_context(_mandate_transition=True):
                return transition(cls, mandates, *args, **kwargs)
        return wrapper
    return decorator


_REQUESTED = {'readonly': Eval('state') != 'requested'}


class Mandate(Workflow, ModelSQL, ModelView):
    __name__ = 'citizen_portal.mandate'
    __string__ = "Mandate"

    company = fields.Many2One(
        'company.company', "Municipality", required=True, readonly=True,
        ondelete='RESTRICT')
    user = fields.Many2One(
        'web.user', "Citizen Account", required=True, readonly=True,
        ondelete='RESTRICT',
        help="The account that acts for the represented party.")
    representative = fields.Function(fields.Many2One(
            'party.party', "Representative"), 'get_representative')
    party = fields.Many2One(
        'party.party', "Represented Party", required=True, readonly=True,
        ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    kind_string = kind.translated('kind')
    proof = fields.Binary(
        "Proof", filename='proof_name', file_id='proof_id',
        store_prefix='citizen_portal', readonly=True,
        help="The power of attorney, the trade register certificate or "
        "the birth certificate / guardianship decision (PDF).")
    proof_name = fields.Char("Proof File Name", readonly=True)
    proof_id = fields.Char("Proof File ID", readonly=True)
    valid_from = fields.Date(
        "Valid From", required=True, states=_REQUESTED)
    valid_until = fields.Date(
        "Valid Until", states=_REQUESTED,
        help="Empty when the mandate has no end date.")
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    decided_by = fields.Many2One(
        'res.user', "Decided By", readonly=True, ondelete='RESTRICT')
    decided_at = fields.Timestamp("Decided At", readonly=True)
    note = fields.Text(
        "Note", help="The clerk's remark, shown to the citizen (the reason "
        "of a rejection or revocation).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.user, Index.Range()), (t.state, Index.Equality())),
                Index(t, (t.party, Index.Range())),
                })
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('requested', 'approved'),
            ('requested', 'rejected'),
            ('approved', 'revoked'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                'revoke': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'requested'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    def get_representative(self, name):
        return self.user.party.id if self.user and self.user.party else None

    def get_rec_name(self, name):
        return f'{self.party.rec_name} ({self.kind_string})'

    @classmethod
    def search_rec_name(cls, name, clause):
        from trytond.modules.municipality.common import search_any
        return search_any(clause, ['party.rec_name', 'user.email'])

    @classmethod
    def check_modification(cls, mode, mandates, values=None,
            external=False):
        super().check_modification(
            mode, mandates, values=values, external=external)
        transition = Transaction().context.get('_mandate_transition')
        if mode == 'create' and values and (
                values.get('state', 'requested') != 'requested'
                or set(values) & (DECISION_FIELDS - {'state'})):
            raise AccessError(gettext('citizen_portal.msg_mandate_decided'))
        if mode == 'write':
            if set(values) & DECISION_FIELDS and not transition:
                raise AccessError(gettext(
                        'citizen_portal.msg_mandate_decided'))
            if set(values) & LEGAL_FIELDS:
                for mandate in mandates:
                    if mandate.state != 'requested':
                        raise AccessError(gettext(
                                'citizen_portal.msg_mandate_readonly',
                                mandate=mandate.rec_name))
        if mode == 'delete':
            for mandate in mandates:
                if mandate.state != 'requested':
                    raise AccessError(gettext(
                            'citizen_portal.msg_mandate_readonly',
                            mandate=mandate.rec_name))

    @classmethod
    def validate_fields(cls, mandates, field_names):
        super().validate_fields(mandates, field_names)
        if field_names & {'valid_from', 'valid_until'}:
            for mandate in mandates:
                if (mandate.valid_until
                        and mandate.valid_until < mandate.valid_from):
                    raise MandateError(gettext(
                            'citizen_portal.msg_mandate_dates'))

    @classmethod
    def _decide(cls, mandates):
        cls.write(list(mandates), {
                'decided_by': Transaction().user or None,
                'decided_at': dt.datetime.now(),
                })

    @classmethod
    @ModelView.button
    @decision('approved')
    def approve(cls, mandates):
        for mandate in mandates:
            if not mandate.proof_id and not mandate.proof:
                raise MandateError(gettext(
                        'citizen_portal.msg_mandate_no_proof',
                        mandate=mandate.rec_name))
        cls._decide(mandates)

    @classmethod
    @ModelView.button
    @decision('rejected')
    def reject(cls, mandates):
        cls._decide(mandates)

    @classmethod
    @ModelView.button
    @decision('revoked')
    def revoke(cls, mandates):
        cls._decide(mandates)

    # The portal's API

    @classmethod
    def request(cls, user, code, kind, proof_name, proof, valid_from,
            valid_until=None, last_name=None, first_name=None):
        """The request of the validated account to act for the person or
        company of the CNP/CUI code, with its proof (PDF)"""
        pool = Pool()
        WebUser = pool.get('web.user')
        if not user.validated or not user.party:
            raise MandateError(gettext(
                    'citizen_portal.msg_mandate_not_validated'))
        if kind not in dict(KINDS):
            raise MandateError(gettext('citizen_portal.msg_mandate_kind'))
        if not valid_from:
            raise MandateError(gettext(
                    'citizen_portal.msg_mandate_valid_from'))
        if valid_until and valid_until < valid_from:
            raise MandateError(gettext('citizen_portal.msg_mandate_dates'))
        check_proof(user.company, proof_name, proof)
        party = WebUser._party_of(
            (code or '').strip().upper(), last_name, first_name)
        if party == user.party:
            raise MandateError(gettext('citizen_portal.msg_mandate_self'))
        if kind == 'company_representative' and party.cnp:
            raise MandateError(gettext(
                    'citizen_portal.msg_mandate_not_company'))
        if cls.search([
                    ('user', '=', user.id),
                    ('party', '=', party.id),
                    ('state', 'in', ['requested', 'approved']),
                    ], limit=1):
            raise MandateError(gettext(
                    'citizen_portal.msg_mandate_exists',
                    party=party.rec_name))
        mandate = cls(
            company=user.company, user=user, party=party, kind=kind,
            proof=proof, proof_name=proof_name, valid_from=valid_from,
            valid_until=valid_until)
        mandate.save()
        return mandate

    @classmethod
    def represented(cls, user, date):
        """The parties the account acts for on the date: approved mandates
        in date, only for a validated account"""
        if not user or not user.validated:
            return []
        mandates = cls.search([
                ('user', '=', user.id),
                ('state', '=', 'approved'),
                ('valid_from', '<=', date),
                ['OR',
                    ('valid_until', '=', None),
                    ('valid_until', '>=', date),
                    ],
                ], order=[('id', 'ASC')])
        parties = []
        for mandate in mandates:
            if mandate.party not in parties:
                parties.append(mandate.party)
        return parties


def check_proof(company, name, data):
    "The proof must be a readable PDF within the registry's size limit"
    pool = Pool()
    Configuration = pool.get('document_registry.configuration')
    from trytond.modules.document_registry.attachment import check_file
    if not data:
        raise MandateError(gettext('citizen_portal.msg_mandate_no_file'))
    # by the name first: an image is not read to be refused
    if not (name or '').lower().endswith('.pdf'):
        raise MandateError(gettext(
                'citizen_portal.msg_mandate_pdf', name=name))
    max_size = Configuration.get_value('attachment_max_size', company)
    check_file(name, data, max_size)
