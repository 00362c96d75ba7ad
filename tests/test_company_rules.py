# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Two municipalities in one database: what one's clerks read of the other.

With every module of addons/ activated, the models of a municipality are
found from the fields, not listed: every stored model with a `company`
Many2One to company.company, and every model reaching one through a
required (or ondelete CASCADE) Many2One to its parent, whatever module adds
it.  For each of them:

- structurally, a global record rule excludes the records of a municipality
  the user is not a member of (directly or through the parent), or no group
  of ours may read the model at all;
- with real records of municipality 1 built by the modules' own workflows
  (an assessment, a payment, a fiscal certificate, a registered document, a
  citizen account…), a user of municipality 2 alone, with all the groups
  of our modules, reads none of them, and cannot write a citizen account.
"""
import datetime as dt
import unittest
from decimal import Decimal
from pathlib import Path

from trytond.model import ModelSQL, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

ADDONS = Path(__file__).resolve().parents[1] / 'addons'
MODULES = sorted(p.parent.name for p in ADDONS.glob('*/tryton.cfg'))

# Stored models with a company that a clerk of any municipality may read,
# with the reason.
SHARED = {
    'res.user': "the back-office users: their `company` is the "
        "municipality they work in now (a preference), and every user reads "
        "the names of the others (create_uid, validated_by)",
    'res.user-company.company': "the municipalities a user belongs to, "
        "managed by the administrator (user administration)",
    'res.user-company.employee': "the employees of a user, read with the "
        "users (user administration)",
    'company.company.logo.cache': "the municipality's public coat of arms",
    'company.company.tax_identifier': "the municipality's public tax "
        "identifier, printed on its documents",
    'party.party.lang': "the language of a party, shared between the "
        "municipalities (a taxpayer owns in several), not confidential",
    'party.contact_mechanism.language': "the language of a contact "
        "mechanism of a shared party, not confidential",
    'party.configuration.party_lang': "the default language of new "
        "parties, a setting",
    'ir.cron-company.company': "the municipalities a scheduled action runs "
        "for, set by the administrator",
}
# A user's records (saved searches, favourites, notifications, chat…) reach
# a company only through the user's current municipality: they are the
# user's own, protected by the core rules on the user.
NOT_A_PARENT = {'res.user'}


def company_paths(pool):
    """{model name: path to its company.company} of the stored models with
    a company, directly or through a required or cascading parent"""
    relations, paths = {}, {}
    for name, Model in pool.iterobject():
        if (not issubclass(Model, ModelSQL) or not Model._table
                or Model.table_query != ModelSQL.table_query):
            continue
        many2ones = {n: f for n, f in Model._fields.items()
            if isinstance(f, fields.Many2One)
            and not isinstance(f, fields.Function)
            and n not in {'create_uid', 'write_uid'}}
        company = many2ones.get('company')
        if company and company.model_name == 'company.company':
            paths[name] = 'company'
        relations[name] = [(n, f.model_name) for n, f in many2ones.items()
            if f.required or f.ondelete == 'CASCADE']
    found = True
    while found:
        found = False
        for name, parents in sorted(relations.items()):
            if name in paths:
                continue
            for field, target in parents:
                if (target in paths and target != name
                        and target not in NOT_A_PARENT):
                    paths[name] = f'{field}.{paths[target]}'
                    found = True
                    break
    return paths


def may_match_other_municipality(domain):
    """Whether a record of a municipality outside Eval('companies') may
    satisfy the decoded rule domain: a test on a path ending in `company`
    fails for it (in the user's companies, or none), any other test is
    assumed to pass"""
    if isinstance(domain, tuple) or (
            domain and isinstance(domain[0], str)
            and domain[0] not in {'AND', 'OR'}):
        path, operator, value = domain[:3]
        if operator == 'where':
            return may_match_other_municipality(value)
        if path.split('.')[-1] == 'company' or path.endswith('.company.id'):
            return operator not in {'in', '='}
        return True
    operator, clauses = 'AND', list(domain)
    if clauses and isinstance(clauses[0], str):
        operator, clauses = clauses[0], clauses[1:]
    results = [may_match_other_municipality(c) for c in clauses]
    return any(results) if operator == 'OR' else all(results)


class CompanyRulesTestCase(unittest.TestCase):
    "A clerk of one municipality reads nothing of another"
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        activate_module(MODULES)

    @staticmethod
    def other_clerk(company):
        "A user of the company alone with every group of our modules"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        groups = [d.db_id for d in ModelData.search([
                    ('model', '=', 'res.group'), ('module', 'in', MODULES)])]
        user, = User.create([{
                    'login': 'clerk2',
                    'name': "Clerk of municipality 2",
                    'groups': [('add', groups)],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    }])
        return user

    @staticmethod
    def records_of_municipality():
        """A municipality with the records its modules make: a council
        decision with amounts, assessments, payments, a fiscal certificate
        with its assets and debts, a registered document, staff and a
        citizen account"""
        from trytond.modules.document_registry.tests.tools import (
            create_registry, new_document, register_on)
        from trytond.modules.local_tax.tests.test_certificate import issue
        from trytond.modules.local_tax.tests.test_fiscal import (
            assess, fine, pay)
        from trytond.modules.local_tax.tests.test_module import (
            create_apartment, create_vehicle, set_rank)
        from trytond.modules.local_tax.tests.tools import (
            create_decision, load_code_tables)
        from trytond.modules.municipal_staff.tests.tools import (
            create_department, create_employee)
        from trytond.modules.municipality.tests.tools import (
            create_municipality, create_person, own)
        pool = Pool()
        Reduction = pool.get('local_tax.obligation.reduction')
        Obligation = pool.get('local_tax.obligation')
        WebUser = pool.get('web.user')

        load_code_tables(2026)
        company = create_municipality()
        set_rank(company, '0')
        create_decision(company, 2026, amounts=[
                ('land_extravilan', {'category': 'arable'}, '112')])
        owner = create_person("Popescu", "Ion", cnp='1800101221144')
        own(create_apartment(company), owner)
        own(create_vehicle(company, 'CJ01AAA', euro_norm='euro4'), owner)
        assess(company)
        pay(company, owner, '300', dt.date(2026, 3, 20))
        fine(company, owner, '100', dt.date(2026, 2, 10))
        issue(company, owner, dt.date(2026, 5, 2))
        obligation = Obligation.search([
                ('taxpayer', '=', owner.id), ('tax_type', '=', 'fine')])[0]
        Reduction.save([Reduction(obligation=obligation,
                    date=dt.date(2026, 5, 3), amount=Decimal('10'),
                    reason='correction')])

        register = create_registry(company)
        document = new_document(company, register, issuer=owner)
        document.save()
        register_on([document], dt.datetime(2026, 5, 4, 10))

        department = create_department(company, "Taxe locale", 'DITL')
        create_employee(company, "Ionescu", "Maria", department=department,
            login='clerk1')

        WebUser.create([{
                    'email': 'popescu@example.com',
                    'party': owner.id,
                    'company': company.id,
                    }])
        return company

    @with_transaction()
    def test_rule_on_every_model_of_a_municipality(self):
        "Every model with a company has a rule on it (or no group reads it)"
        pool = Pool()
        Rule = pool.get('ir.rule')
        ModelAccess = pool.get('ir.model.access')
        from trytond.modules.municipality.tests.tools import (
            create_municipality)
        create_municipality()
        other = create_municipality(name="Comuna Apahida", cui='13548146')
        clerk = self.other_clerk(other)

        unprotected = []
        with Transaction().set_user(clerk.id), \
                Transaction().set_context(company=other.id), check_access():
            for name, path in sorted(company_paths(pool).items()):
                if name in SHARED:
                    continue
                if not ModelAccess.check(name, 'read', raise_exception=False):
                    continue
                _, global_rules = Rule.get(name, mode='read')
                if not any(not may_match_other_municipality(d)
                        for d in global_rules.values()):
                    unprotected.append(f'{name} (by {path})')
        self.assertEqual(unprotected, [],
            "models of a municipality without a global rule on its company")

    @with_transaction()
    def test_other_municipality_reads_nothing(self):
        "A clerk of municipality 2 reads no record of municipality 1"
        pool = Pool()
        from trytond.modules.municipality.tests.tools import (
            create_municipality)
        company = self.records_of_municipality()
        other = create_municipality(name="Comuna Apahida", cui='13548146')
        clerk = self.other_clerk(other)

        records = {}
        with Transaction().set_context(active_test=False):
            for name, path in company_paths(pool).items():
                if name in SHARED:
                    continue
                ids = [r.id for r in pool.get(name).search(
                            [(path, '=', company.id)])]
                if ids:
                    records[name] = ids
        # the child records of the finding are among those built
        for name in [
                'local_tax.council_decision.amount',
                'local_tax.assessment.line',
                'local_tax.payment.allocation',
                'local_tax.obligation.reduction',
                'local_tax.fiscal_certificate.asset',
                'local_tax.fiscal_certificate.debt',
                'document_registry.document.event',
                'web.user',
                ]:
            self.assertIn(name, records)

        read = []
        with Transaction().set_user(clerk.id), \
                Transaction().set_context(company=other.id), check_access():
            for name, ids in sorted(records.items()):
                Model = pool.get(name)
                try:
                    found = Model.search([('id', 'in', ids)])
                except AccessError:
                    found = []
                try:
                    Model.read(ids, ['id'])
                except AccessError:
                    pass
                else:
                    found = found or ids
                if found:
                    read.append(f'{name}: {len(found)} of {len(ids)}')
        self.assertEqual(read, [],
            "records of municipality 1 read by a clerk of municipality 2")

    @with_transaction()
    def test_other_municipality_writes_no_citizen_account(self):
        "A portal clerk of municipality 2 cannot change an account of 1"
        pool = Pool()
        WebUser = pool.get('web.user')
        from trytond.modules.municipality.tests.tools import (
            create_municipality)
        company = create_municipality()
        other = create_municipality(name="Comuna Apahida", cui='13548146')
        account, = WebUser.create([{
                    'email': 'popescu@example.com',
                    'company': company.id,
                    }])
        clerk = self.other_clerk(other)
        with Transaction().set_user(clerk.id), \
                Transaction().set_context(company=other.id), check_access():
            with self.assertRaises(AccessError):
                WebUser.write([WebUser(account.id)],
                    {'email': 'attacker@example.com'})
        self.assertEqual(account.email, 'popescu@example.com')

    @with_transaction()
    def test_other_municipality_cannot_assess(self):
        "The Assess wizard refuses a municipality the clerk is not in"
        from trytond.modules.local_tax.tests.test_module import (
            create_apartment, set_rank)
        from trytond.modules.local_tax.tests.tools import (
            create_decision, load_code_tables)
        from trytond.modules.municipality.tests.tools import (
            create_municipality, create_person, own)
        pool = Pool()
        Assessment = pool.get('local_tax.assessment')
        Assess = pool.get('local_tax.assess', type='wizard')
        load_code_tables(2026)
        company = create_municipality()
        set_rank(company, '0')
        create_decision(company, 2026)
        owner = create_person("Popescu", "Ion", cnp='1800101221144')
        own(create_apartment(company), owner)
        other = create_municipality(name="Comuna Apahida", cui='13548146')
        clerk = self.other_clerk(other)

        with Transaction().set_user(clerk.id), Transaction().set_context(
                company=other.id, active_model='party.party',
                active_id=owner.id, active_ids=[owner.id]), check_access():
            session_id, _, _ = Assess.create()
            with self.assertRaises(AccessError):
                Assess.execute(session_id, {'start': {
                            'company': company.id, 'fiscal_year': 2026,
                            'date': dt.date(2026, 3, 1), 'reason': None,
                            }}, 'assess')
        self.assertEqual(Assessment.search([]), [])
