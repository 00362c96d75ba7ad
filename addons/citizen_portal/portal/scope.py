# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Whose data a page may show: every query of a citizen's data goes through
here (the handlers run as user 0, outside Tryton's access rules).

Identity before data.  An account is linked to the file of a person or
company (web.user.party) only once its identity is proven, when it is
validated (at the counter, by the enrolment form signed with a qualified
signature, or by a code sent to an e-mail address on the file).  Until
then it sees only what it sent itself and what is due on the CNP/CUI it
typed (amounts only, as anybody paying with a decision number sees them).

Every view of the portal is on the public list of the test that walks the
url_map (tests/test_scope.py) or behind `scoped(level)`: the login at that
level, and these functions for its queries."""
from flask import abort, g

from .common import get, login_required, today

DUE = 'due'
FILE = 'file'


def scoped(level='standard'):
    """The view shows data of the logged-in citizen: a login of at least the
    trust level ('standard' or 'validated'); its queries go through this
    module"""
    def decorator(func):
        guarded = login_required(level)(func)
        guarded.portal_scope = level
        return guarded
    return decorator


def user():
    "The logged-in account (scoped views only)"
    account = g.get('user')
    if not account:
        abort(404)
    return account


def parties(kind=FILE):
    """The parties the account acts for, the proven one first:

    - FILE: the proven party and those of its approved mandates in force
      (citizen_portal.mandate), for a validated account; none otherwise.
    - DUE: the same for a validated account; for one not validated, the
      party of the code it claims, whose amounts due only it may see and
      pay."""
    account = user()
    key = f'scope_{kind}'
    if key not in g:
        if account.identity:
            found = [account.identity]
            Mandate = get('citizen_portal.mandate')
            for party in Mandate.represented(account, today()):
                if party not in found:
                    found.append(party)
        elif kind == DUE:
            claimed = account.claimed_party()
            found = [claimed] if claimed else []
        else:
            found = []
        setattr(g, key, found)
    return list(g.get(key))


def party_ids(kind=FILE):
    return [p.id for p in parties(kind)]


def party_or_404(party_id, kind=FILE):
    "The party of the id if the account acts for it, else 404"
    for party in parties(kind):
        if party.id == party_id:
            return party
    abort(404)


def requests_domain():
    """The portal requests the account may see: those it sent, and for a
    validated account those of the parties it acts for (sent by another
    account, or at the counter)"""
    account = user()
    domain = [
        ('company', '=', g.company.id),
        ['OR',
            ('web_user', '=', account.id),
            ('party', 'in', party_ids(FILE)),
            ],
        ]
    return domain


def requests():
    return get('citizen_portal.request').search(requests_domain())


def request_or_404(request_id):
    "The request of the id if the account may see it, else 404"
    found = get('citizen_portal.request').search(
        [('id', '=', request_id)] + requests_domain(), limit=1)
    if not found:
        abort(404)
    return found[0]


def taxpayer_record_or_404(model, record_id):
    """A record of the municipality (tax decision, receipt, certificate)
    whose taxpayer is a party of the account's file; 404 for anything else,
    never telling whether it exists"""
    records = get(model).search([
            ('id', '=', record_id),
            ('company', '=', g.company.id),
            ('taxpayer', 'in', party_ids(FILE)),
            ], limit=1)
    if not records:
        abort(404)
    return records[0]


def taxpayer_records(model, domain=None):
    "The records of the model whose taxpayer is a party of the file"
    ids = party_ids(FILE)
    if not ids:
        return []
    return get(model).search([
            ('company', '=', g.company.id),
            ('taxpayer', 'in', ids),
            ] + list(domain or []))


def mandates(domain=None, limit=None):
    "The mandates the account requested"
    return get('citizen_portal.mandate').search(
        [('user', '=', user().id)] + list(domain or []), limit=limit)
