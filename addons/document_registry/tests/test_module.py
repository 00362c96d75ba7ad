# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import csv
import datetime as dt
import io
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

from trytond import config
from trytond.i18n import gettext

from trytond.exceptions import UserError
from trytond.filestore import filestore
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company.tests import CompanyTestMixin, set_company
from trytond.modules.municipality.tests.tools import (
    create_municipality, create_person)
from trytond.modules.municipality.tests.xlsx import read_xlsx
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction, check_access

from .tools import (
    HARMLESS_PDFS, HOSTILE, HOSTILE_NAMES, PNG, create_registry,
    create_staff, make_image, make_pdf, make_png, new_document, register_on)

D = dt.date


@contextmanager
def configured(**options):
    "The options set in the [document_registry] section of trytond.conf"
    section = 'document_registry'
    if not config.has_section(section):
        config.add_section(section)
    old = {k: config.get(section, k) for k in options}
    try:
        for key, value in options.items():
            config.set(section, key, str(value))
        yield
    finally:
        for key, value in old.items():
            config.set(section, key, value or '')


class DocumentRegistryTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Document Registry module"
    module = 'document_registry'

    @property
    def _skip_company_rule(self):
        return super()._skip_company_rule | {
            ('municipality.locality', 'municipality'),
            # shared by every municipality when empty; its rule allows None
            ('document_registry.document_type', 'company'),
            }

    def setup_registry(self):
        company = create_municipality()
        register = create_registry(company)
        person = create_person("Popescu", "Ion")
        return company, register, person

    def registered(self, company, register, person, date, **values):
        Document = Pool().get('document_registry.document')
        document = new_document(company, register, person, **values)
        document.save()
        register_on([document], date)
        return Document(document.id)

    # Numbering

    @with_transaction()
    def test_numbers_consecutive_and_restart_on_1_january(self):
        "Numbers follow each other in a year and restart on 1 January"
        Document = Pool().get('document_registry.document')
        company, register, person = self.setup_registry()
        with set_company(company):
            docs = [new_document(company, register, person)
                for _ in range(3)]
            Document.save(docs)
            register_on(docs, D(2025, 12, 31))
            self.assertEqual([d.number for d in docs], ['1', '2', '3'])
            self.assertEqual({d.year for d in docs}, {2025})
            new_year = self.registered(company, register, person,
                D(2026, 1, 1))
            self.assertEqual((new_year.number, new_year.year), ('1', 2026))
            other = create_registry(company, code='URB')
            own = self.registered(company, other, person, D(2026, 1, 1))
            self.assertEqual(own.number, '1')
            self.assertEqual(new_year.rec_name, '1/01.01.2026')
            self.assertEqual(len(register.years), 2)

    @with_transaction()
    def test_failed_registration_consumes_no_number(self):
        "A refused registration takes no number"
        Document = Pool().get('document_registry.document')
        company, register, person = self.setup_registry()
        with set_company(company):
            self.registered(company, register, person, D(2025, 3, 3))
            incomplete = new_document(company, register, person, summary='')
            incomplete.save()
            with self.assertRaises(ValidationError):
                register_on([incomplete], D(2025, 3, 3))
            # a term in working days in a year without calendar
            far = new_document(company, register, person,
                type_code='urbanism_request')
            far.save()
            with self.assertRaises(UserError) as cm:
                register_on([far], D(2031, 3, 3))
            self.assertIn('2031', cm.exception.message)
            self.assertEqual(Document(incomplete.id).state, 'draft')
            next_ = self.registered(company, register, person, D(2025, 3, 4))
            self.assertEqual(next_.number, '2')

    @with_transaction()
    def test_registered_fields_immutable(self):
        "Nobody changes the number, date or registered fields"
        pool = Pool()
        Document = pool.get('document_registry.document')
        company, register, person = self.setup_registry()
        with set_company(company):
            document = self.registered(
                company, register, person, D(2025, 3, 3))
            for values in [{'number': '999'}, {'summary': "Altceva"},
                    {'date': D(2025, 1, 1)}, {'issuer': None},
                    {'pages': 7}]:
                with self.subTest(values=values):
                    with self.assertRaises(AccessError):
                        Document.write([document], values)
                    with check_access(), self.assertRaises(AccessError):
                        Document.write([document], values)
            with check_access(), self.assertRaises(AccessError):
                Document.write([document], {'state': 'draft'})
            with self.assertRaises(AccessError):
                Document.delete([document])
            # the routing and resolution are not registered fields
            Document.write([document], {'resolution': "Rezolvat"})
            self.assertEqual(Document(document.id).number, '1')

    @with_transaction()
    def test_reply_takes_number(self):
        "A reply takes the number of the document it answers"
        Document = Pool().get('document_registry.document')
        company, register, person = self.setup_registry()
        with set_company(company):
            staff = create_staff(company)
            petition = self.registered(company, register, person,
                D(2025, 3, 3), department=staff['service'])
            self.assertEqual(petition.state, 'assigned')
            other = self.registered(company, register, person, D(2025, 3, 4))
            reply = Document(company=company, reply_to=petition,
                summary="Răspuns")
            reply.on_change_reply_to()
            reply.save()
            register_on([reply], D(2025, 3, 20))
            self.assertEqual(reply.number, petition.number)
            self.assertEqual(reply.direction, 'outgoing')
            self.assertEqual(reply.recipient, person)
            petition = Document(petition.id)
            self.assertEqual(petition.state, 'answered')
            self.assertEqual(other.number, '2')

    @with_transaction()
    def test_reply_across_years_refused(self):
        "A reply in January cannot take a number of last year's register"
        Document = Pool().get('document_registry.document')
        company, register, person = self.setup_registry()
        with set_company(company):
            petition = self.registered(
                company, register, person, D(2025, 12, 22))
            reply = Document(company=company, reply_to=petition,
                summary="Răspuns")
            reply.on_change_reply_to()
            reply.save()
            with self.assertRaises(ValidationError) as cm:
                register_on([reply], D(2026, 1, 8))
            self.assertIn('2026', cm.exception.message)
            self.assertEqual(Document(reply.id).state, 'draft')

    @with_transaction()
    def test_document_concerns_person_and_parcel(self):
        "A document is linked to the person and the parcel it concerns"
        from trytond.modules.municipality.tests.tools import create_parcel
        pool = Pool()
        Document = pool.get('document_registry.document')
        company, register, person = self.setup_registry()
        with set_company(company):
            parcel = create_parcel(company)
            document = self.registered(company, register, person,
                D(2025, 3, 3), objects=[
                    {'resource': str(person)}, {'resource': str(parcel)}])
            self.assertEqual(
                {o.resource for o in Document(document.id).objects},
                {person, parcel})
            self.assertEqual(Document.search([
                        ('objects.resource', '=', str(parcel)),
                        ]), [document])

    # Deadlines

    def rule(self, code):
        Rule = Pool().get('document_registry.deadline_rule')
        rule, = Rule.search([('code', '=', code)])
        return rule

    @with_transaction()
    def test_deadline_calendar_days(self):
        "30 calendar days, moved off weekends and holidays"
        rule = self.rule('petition_answer')
        cases = [
            (D(2025, 3, 3), D(2025, 4, 2)),     # Wednesday
            (D(2025, 1, 6), D(2025, 2, 5)),     # no holiday in between
            # 30 November 2025 is a Sunday and St Andrew, 1 December the
            # National Day: the term ends on Tuesday 2 December
            (D(2025, 10, 31), D(2025, 12, 2)),
            # Saturday 24 May 2025 → Monday 26 May
            (D(2025, 4, 24), D(2025, 5, 26)),
            ]
        for start, end in cases:
            with self.subTest(start=start):
                self.assertEqual(rule.compute(start), end)

    @with_transaction()
    def test_deadline_orthodox_easter_and_pentecost(self):
        "Good Friday, Easter Monday and Whit Monday are not working days"
        rule = self.rule('information_answer')   # 10 calendar days
        # 18 April 2025 is Good Friday, 21 April Easter Monday
        self.assertEqual(rule.compute(D(2025, 4, 8)), D(2025, 4, 22))
        # 1 June 2026 is Whit Monday and Children's Day
        self.assertEqual(rule.compute(D(2026, 5, 22)), D(2026, 6, 2))
        # 30 April 2027 Good Friday, 3 May 2027 Easter Monday
        self.assertEqual(rule.compute(D(2027, 4, 20)), D(2027, 5, 4))

    @with_transaction()
    def test_deadline_working_days_across_new_year(self):
        "15 working days skip Christmas, New Year and 6-7 January"
        rule = self.rule('urbanism_certificate')
        self.assertEqual(rule.compute(D(2025, 12, 19)), D(2026, 1, 19))
        # a Friday start: the first working day counted is Monday
        self.assertEqual(rule.compute(D(2025, 3, 7)), D(2025, 3, 28))

    @with_transaction()
    def test_deadline_inclusive_counting(self):
        "Inclusive counting counts the first day"
        Rule = Pool().get('document_registry.deadline_rule')
        calendar, working = Rule.create([{
                    'name': "Inclusive", 'code': 'inc', 'days': 10,
                    'unit': 'calendar', 'inclusive': True,
                    }, {
                    'name': "Inclusive working", 'code': 'incw', 'days': 3,
                    'unit': 'working', 'inclusive': True,
                    }])
        self.assertEqual(calendar.compute(D(2026, 1, 5)), D(2026, 1, 14))
        # Friday counts: Friday, Monday, Tuesday
        self.assertEqual(working.compute(D(2026, 3, 6)), D(2026, 3, 10))
        # Saturday does not: Monday, Tuesday, Wednesday
        self.assertEqual(working.compute(D(2026, 3, 7)), D(2026, 3, 11))

    @with_transaction()
    def test_deadline_without_calendar(self):
        "A term in working days in a year without calendar is refused"
        rule = self.rule('urbanism_certificate')
        with self.assertRaises(UserError) as cm:
            rule.compute(D(2031, 3, 3))
        self.assertIn('2031', cm.exception.message)
        Calendar = Pool().get('municipality.calendar')
        Calendar.import_csv("date,name\n2031-03-10,Zi liberă\n")
        self.assertEqual(rule.compute(D(2031, 3, 3)), D(2031, 3, 25))

    @with_transaction()
    def test_deadline_read_in_readonly_transaction(self):
        """A term read where nothing may be written (a form opened in the
        client) counts the shipped calendar's days without storing them"""
        Calendar = Pool().get('municipality.calendar')
        with Transaction().new_transaction(readonly=True):
            self.assertFalse(Calendar.search([('year', '=', 2025)]))
            rule = self.rule('petition_forward')
            # Sunday 30 November 2025 (St Andrew), Monday 1 December
            self.assertEqual(rule.compute(D(2025, 11, 25)), D(2025, 12, 2))
            self.assertFalse(Calendar.search([('year', '=', 2025)]))
        # a transaction that may write stores it, as before
        self.assertEqual(
            self.rule('petition_forward').compute(D(2025, 11, 25)),
            D(2025, 12, 2))
        self.assertTrue(Calendar.search([('year', '=', 2025)]))

    @with_transaction()
    def test_deadline_rule_needs_days(self):
        "A deadline rule has at least one day"
        Rule = Pool().get('document_registry.deadline_rule')
        with self.assertRaises(ValidationError):
            Rule.create([{'name': "Zero", 'code': 'zero', 'days': 0}])

    @with_transaction()
    def test_petition_deadline_and_extension(self):
        "A petition is answered in 30 days, extended by 15 (OG 27/2002)"
        Document = Pool().get('document_registry.document')
        company, register, person = self.setup_registry()
        with set_company(company):
            staff = create_staff(company)
            petition = self.registered(company, register, person,
                D(2025, 3, 3), department=staff['service'])
            self.assertEqual(petition.deadline, D(2025, 4, 2))
            with Transaction().set_context(date=D(2025, 3, 20)):
                Document.extend([petition])
            petition = Document(petition.id)
            self.assertEqual((petition.state, petition.deadline),
                ('extended', D(2025, 4, 17)))
            with self.assertRaises(UserError):
                Document.extend([Document(petition.id)])

    @with_transaction()
    def test_information_request_terms(self):
        "Legea 544/2001: 10 days, 30 when notified in time, refusal 5"
        pool = Pool()
        Document = pool.get('document_registry.document')
        company, register, person = self.setup_registry()
        with set_company(company):
            staff = create_staff(company)
            request = self.registered(company, register, person,
                D(2025, 3, 3), type_code='information',
                department=staff['service'])
            self.assertEqual(request.deadline, D(2025, 3, 13))
            self.assertEqual(request.refusal_deadline, D(2025, 3, 10))
            late = self.registered(company, register, person, D(2025, 3, 3),
                type_code='information', department=staff['service'])
            with Transaction().set_context(date=D(2025, 3, 14)), \
                    self.assertRaises(UserError):
                Document.extend([late])
            notice = Document(company=company, reply_to=request,
                summary="Prelungire termen")
            notice.on_change_reply_to()
            notice.reply_kind = 'notice'
            notice.save()
            register_on([notice], D(2025, 3, 10))
            request = Document(request.id)
            self.assertEqual(request.state, 'extended')
            # 30 days from the registration, not from the 10 days
            self.assertEqual(request.deadline, D(2025, 4, 2))

    @with_transaction()
    def test_information_complaint_and_custom_type(self):
        "A complaint is answered in 15 days; an administrator adds a type"
        pool = Pool()
        Rule = pool.get('document_registry.deadline_rule')
        DocumentType = pool.get('document_registry.document_type')
        company, register, person = self.setup_registry()
        with set_company(company):
            # Legea 544/2001 art. 21(2): registered on Friday 14 November
            # 2025, 15 days end on Saturday 29 November, 30 November and
            # 1 December are holidays: Tuesday 2 December
            complaint = self.registered(company, register, person,
                D(2025, 11, 14), type_code='information_complaint')
            self.assertEqual(complaint.deadline, D(2025, 12, 2))
            rule, = Rule.create([{
                        'name': "Autorizație de desființare", 'code': 'ad',
                        'days': 30, 'unit': 'calendar',
                        'next_working_day': True,
                        'legal_basis': "Legea 50/1991 art. 7",
                        }])
            type_, = DocumentType.create([{
                        'name': "Cerere de autorizație de desființare",
                        'code': 'ad', 'company': company.id,
                        'answer_rule': rule.id,
                        }])
            request = self.registered(company, register, person,
                D(2026, 3, 13), type_code='ad')
            self.assertEqual(request.document_type, type_)
            # 12 April 2026 is Orthodox Easter, 13 April Easter Monday
            self.assertEqual(request.deadline, D(2026, 4, 14))

    # Petitions: anonymous, duplicates, forwarding

    @with_transaction()
    def test_anonymous_petition_filed(self):
        "An anonymous petition is filed without an answer (art. 7)"
        company, register, person = self.setup_registry()
        with set_company(company):
            petition = self.registered(company, register, None,
                D(2025, 3, 3), anonymous=True)
            self.assertEqual(petition.state, 'filed')
            self.assertIsNone(petition.deadline)
            self.assertIn('art. 7', petition.resolution)
            self.assertEqual(petition.number, '1')
            # an anonymous request of public information is not filed
            request = self.registered(company, register, None,
                D(2025, 3, 3), anonymous=True, type_code='information')
            self.assertEqual(request.state, 'registered')
            self.assertEqual(request.deadline, D(2025, 3, 13))
            # a petition without issuer that is not marked anonymous
            with self.assertRaises(ValidationError):
                self.registered(company, register, None, D(2025, 3, 3))

    @with_transaction()
    def test_duplicate_petitions_linked_and_answered_together(self):
        "Petitions on the same matter are linked to the first one"
        Document = Pool().get('document_registry.document')
        company, register, person = self.setup_registry()
        with set_company(company):
            staff = create_staff(company)
            first = self.registered(company, register, person,
                D(2025, 3, 3), department=staff['service'])
            second = self.registered(company, register,
                create_person("Ionescu", "Ana"), D(2025, 3, 10),
                linked_to=first)
            third = self.registered(company, register, person,
                D(2025, 3, 11))
            Document.write([third], {'linked_to': second.id})
            Document.link_button([Document(third.id)])
            third = Document(third.id)
            for document in [second, third]:
                self.assertEqual(document.state, 'linked')
                self.assertEqual(document.linked_to, first)
                self.assertEqual(document.deadline, first.deadline)
            reply = Document(company=company, reply_to=first,
                summary="Răspuns unic")
            reply.on_change_reply_to()
            reply.save()
            register_on([reply], D(2025, 3, 25))
            self.assertEqual(
                {d.state for d in Document.browse(
                        [first.id, second.id, third.id])}, {'answered'})

    @with_transaction()
    def test_forwarding_within_5_days(self):
        "A misdirected petition is forwarded within 5 days (art. 6^1)"
        pool = Pool()
        Document = pool.get('document_registry.document')
        Party = pool.get('party.party')
        company, register, person = self.setup_registry()
        with set_company(company):
            institution = Party(name="Consiliul Județean Cluj")
            institution.save()
            on_time = self.registered(company, register, person,
                D(2025, 3, 3))
            late = self.registered(company, register, person, D(2025, 3, 3))
            self.assertEqual(on_time.forward_deadline, D(2025, 3, 10))
            with Transaction().set_context(date=D(2025, 3, 7)):
                Document.forward([on_time], institution)
            with Transaction().set_context(date=D(2025, 3, 12)):
                Document.forward([late], institution)
            on_time, late = Document.browse([on_time.id, late.id])
            self.assertEqual(on_time.state, 'forwarded')
            self.assertEqual(on_time.forwarded_to, institution)
            self.assertFalse(on_time.forwarded_late)
            self.assertTrue(late.forwarded_late)
            self.assertEqual(
                [e.kind for e in on_time.events][0], 'forwarded')

    # Routing, inbox, reminders and escalation

    @with_transaction()
    def test_reassign_keeps_history(self):
        "Reassigning a document keeps the history of its routing"
        Document = Pool().get('document_registry.document')
        company, register, person = self.setup_registry()
        with set_company(company):
            staff = create_staff(company)
            document = self.registered(company, register, person,
                D(2025, 3, 3))
            Document.assign([document], staff['service'], staff['clerk'])
            Document.assign([Document(document.id)], staff['urbanism'],
                note="Competența urbanismului")
            document = Document(document.id)
            self.assertEqual(document.department, staff['urbanism'])
            self.assertIsNone(document.clerk)
            kinds = [(e.kind, e.department) for e in reversed(document.events)]
            self.assertEqual(kinds, [
                    ('registered', None),
                    ('assigned', staff['service']),
                    ('reassigned', staff['urbanism']),
                    ])
            Event = Pool().get('document_registry.document.event')
            with self.assertRaises(AccessError):
                Event.delete(list(document.events))

    @with_transaction()
    def test_inbox(self):
        "Mine, my department's, overdue, due this week"
        pool = Pool()
        Document = pool.get('document_registry.document')
        User = pool.get('res.user')
        company, register, person = self.setup_registry()
        with set_company(company):
            staff = create_staff(company)
            today = pool.get('ir.date').today()
            mine = self.registered(company, register, person,
                today - dt.timedelta(days=40), department=staff['service'])
            Document.assign([mine], staff['service'], staff['clerk'])
            department = self.registered(company, register, person,
                today, department=staff['service'])
            other = self.registered(company, register, person, today,
                department=staff['urbanism'])
            clerk, = User.search([('login', '=', 'clerk')])
            with Transaction().set_user(clerk.id):
                self.assertEqual(
                    Document.search([('mine', '=', True)]), [mine])
                self.assertEqual(
                    set(Document.search([('my_department', '=', True)])),
                    {mine, department})
            self.assertEqual(
                Document.search([('overdue', '=', True)]), [mine])
            self.assertNotIn(other, Document.search([('overdue', '=', True)]))

    @with_transaction()
    def test_department_clerk_sees_own_department(self):
        "A department clerk sees only the documents of his department"
        pool = Pool()
        Document = pool.get('document_registry.document')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        company, register, person = self.setup_registry()
        with set_company(company):
            staff = create_staff(company)
            ours = self.registered(company, register, person, D(2025, 3, 3),
                department=staff['service'])
            theirs = self.registered(company, register, person,
                D(2025, 3, 3), department=staff['urbanism'])
            clerk, = User.search([('login', '=', 'clerk')])
            group = ModelData.get_id(
                'document_registry', 'group_department_clerk')
            User.write([clerk], {'groups': [('add', [group])]})
            with Transaction().set_user(clerk.id), \
                    Transaction().set_context(company=company.id), \
                    check_access():
                found = Document.search([])
            self.assertIn(ours, found)
            self.assertNotIn(theirs, found)
            head, = User.search([('login', '=', 'head')])
            User.write([head], {'groups': [('add', [group])]})
            with Transaction().set_user(head.id), check_access():
                found = Document.search([])
            # the head of the directorate sees its services too
            self.assertIn(ours, found)

    @with_transaction()
    def test_reminder_and_escalation(self):
        "The cron reminds the clerk, then tells the head when it is late"
        pool = Pool()
        Document = pool.get('document_registry.document')
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        company, register, person = self.setup_registry()
        with set_company(company):
            staff = create_staff(company)
            document = self.registered(company, register, person,
                D(2025, 3, 3))
            Document.assign([document], staff['service'], staff['clerk'])
            self.assertEqual(document.deadline, D(2025, 4, 2))
            reminded, escalated = Document.remind_and_escalate(
                D(2025, 3, 20))
            self.assertEqual((reminded, escalated), ([], []))
            reminded, escalated = Document.remind_and_escalate(
                D(2025, 3, 30))
            self.assertEqual((reminded, escalated), ([document], []))
            clerk, = User.search([('login', '=', 'clerk')])
            head, = User.search([('login', '=', 'head')])
            self.assertEqual(
                Notification.search_count([('user', '=', clerk.id)]), 1)
            # once only
            self.assertEqual(
                Document.remind_and_escalate(D(2025, 3, 31)), ([], []))
            self.assertEqual(
                Document.remind_and_escalate(D(2025, 4, 2)), ([], []))
            reminded, escalated = Document.remind_and_escalate(D(2025, 4, 3))
            self.assertEqual(escalated, [document])
            document = Document(document.id)
            # the service has no head: the directorate's head
            self.assertEqual(document.escalated_to, staff['head'])
            self.assertEqual(
                Notification.search_count([('user', '=', head.id)]), 1)
            self.assertEqual(
                [e.kind for e in document.events][:2],
                ['escalation', 'reminder'])

    @with_transaction()
    def test_escalation_days_per_municipality(self):
        "Each municipality sets how many days after the term it escalates"
        pool = Pool()
        Document = pool.get('document_registry.document')
        Configuration = pool.get('document_registry.configuration')
        company, register, person = self.setup_registry()
        with set_company(company):
            staff = create_staff(company)
            configuration = Configuration(1)
            configuration.escalation_days = 3
            configuration.save()
            document = self.registered(company, register, person,
                D(2025, 3, 3), department=staff['service'])
            self.assertEqual(
                Document.remind_and_escalate(D(2025, 4, 4))[1], [])
            self.assertEqual(
                Document.remind_and_escalate(D(2025, 4, 6))[1], [document])

    # Attachments

    @with_transaction()
    def test_attachments_checked_by_content(self):
        "Attachments are checked by content and size; PDF text extracted"
        pool = Pool()
        Document = pool.get('document_registry.document')
        Attachment = pool.get('document_registry.attachment')
        Configuration = pool.get('document_registry.configuration')
        company, register, person = self.setup_registry()
        with set_company(company):
            document = new_document(company, register, person)
            document.save()
            pdf = make_pdf("Solicit certificat fiscal pentru casa")
            attachment, = Attachment.create([{
                        'document': document.id, 'name': 'cerere.pdf',
                        'data': pdf}])
            self.assertEqual(attachment.content_type, 'application/pdf')
            self.assertIn("certificat fiscal", attachment.text)
            Attachment.create([{
                        'document': document.id, 'name': 'poza.PNG',
                        'data': PNG}])
            bad = [
                ('cerere.pdf', PNG),                    # not what it says
                ('cerere.pdf', pdf[:len(pdf) // 2]),    # broken PDF
                ('cerere.exe', pdf),                    # not accepted
                ('cerere.pdf', b'%PDF-1.4\ngarbage\n%%EOF\n'),
                ]
            for name, data in bad:
                with self.subTest(name=name, size=len(data)):
                    with self.assertRaises(ValidationError):
                        Attachment.create([{
                                    'document': document.id, 'name': name,
                                    'data': data}])
            configuration = Configuration(1)
            configuration.attachment_max_size = 100
            configuration.save()
            with self.assertRaises(ValidationError) as cm:
                Attachment.create([{
                            'document': document.id, 'name': 'mare.pdf',
                            'data': pdf}])
            self.assertIn('100', cm.exception.message)
            register_on([document], D(2025, 3, 3))
            self.assertEqual(
                Document.search([('rec_name', 'ilike', '%certificat%')]),
                [document])
            with self.assertRaises(AccessError):
                Attachment.delete([attachment])
            with self.assertRaises(AccessError):
                Attachment.write([attachment], {'data': PNG})

    def attach(self, document, name, data):
        Attachment = Pool().get('document_registry.attachment')
        attachment, = Attachment.create([{
                    'document': document.id, 'name': name, 'data': data}])
        return attachment

    def assertRefused(self, document, name, data, reason, **values):
        with self.assertRaises(ValidationError) as cm:
            self.attach(document, name, data)
        self.assertEqual(cm.exception.message, gettext(
                f'document_registry.msg_attachment_{reason}', name=name,
                **values))

    @with_transaction()
    def test_hostile_files_refused(self):
        """Active content, a page that inflates to megabytes, images that
        are not images: refused with what to do"""
        company, register, person = self.setup_registry()
        reasons = {'inflated_pdf': 'too_complex',
            'html_in_png': 'broken_image', 'truncated_png': 'broken_image'}
        with set_company(company):
            document = new_document(company, register, person)
            document.save()
            for kind, data in HOSTILE.items():
                with self.subTest(kind=kind):
                    self.assertRefused(document, HOSTILE_NAMES[kind], data,
                        reasons.get(kind, 'active_pdf'))
            self.assertRefused(document, 'poza.png', make_image('JPEG'),
                'mismatch')
            for data in HARMLESS_PDFS:
                self.attach(document, 'link.pdf', data)
            for name, data in [('poza.jpg', make_image('JPEG')),
                    ('poza.png', make_png(30, 20)),
                    ('scan.tif', make_image('TIFF'))]:
                with self.subTest(name=name):
                    attachment = self.attach(document, name, data)
                    self.assertEqual(attachment.size, len(data))
            self.assertEqual(len(document.attachments), 5)

    @with_transaction()
    def test_reading_limits_configured(self):
        """The caps of the reading process ([document_registry] section):
        pages, inflated bytes, pixels, CPU time, time and memory"""
        company, register, person = self.setup_registry()
        text_page = b'BT /F1 12 Tf 72 720 Td (Cerere) Tj ET\n' * 100
        cases = [
            ({'pdf_max_pages': 2}, 'a.pdf', make_pdf(pages=3),
                'too_many_pages', {'pages': 3, 'max_pages': 2}),
            ({'pdf_max_inflated': 1000}, 'b.pdf',
                make_pdf(content=text_page, compress=True), 'too_complex',
                {}),
            ({'image_max_pixels': 100}, 'c.png', make_png(11, 10),
                'image_pixels', {'pixels': 110, 'max_pixels': 100}),
            ({'probe_timeout': 0.001}, 'd.pdf', make_pdf("Timp"),
                'too_complex', {}),
            ({'probe_memory': 16 * 2 ** 20}, 'e.pdf', make_pdf("Memorie"),
                'too_complex', {}),
            # only the CPU limit stops it: 50 s of pypdf otherwise
            ({'probe_cpu': 1, 'pdf_max_inflated': 10 ** 9,
                    'pdf_inflate_ratio': 10 ** 6, 'pdf_text_seconds': 60},
                'f.pdf', HOSTILE['inflated_pdf'], 'too_complex', {}),
            ]
        with set_company(company):
            document = new_document(company, register, person)
            document.save()
            for options, name, data, reason, values in cases:
                with self.subTest(options=options):
                    with configured(**options):
                        self.assertRefused(
                            document, name, data, reason, **values)
                    if reason != 'too_complex' or 'probe_cpu' not in options:
                        self.attach(document, name, data)

    @with_transaction()
    def test_text_extraction_bounded(self):
        """Past its CPU budget the text extraction stops: the file is
        accepted with the text read so far"""
        company, register, person = self.setup_registry()
        with set_company(company):
            document = new_document(company, register, person)
            document.save()
            data = make_pdf("Cerere de chemare", pages=400)
            with configured(pdf_text_seconds=0.000001):
                attachment = self.attach(document, 'lung.pdf', data)
            self.assertLess(len(attachment.text or ''),
                400 * len("Cerere de chemare"))

    @with_transaction()
    def test_file_read_once(self):
        "A file is read once, by one reading process, however often checked"
        from .. import content
        Configuration = Pool().get('document_registry.configuration')
        company, register, person = self.setup_registry()
        with set_company(company):
            document = new_document(company, register, person)
            document.save()
            data = make_pdf("Cerere unica %s" % id(document))
            before = content.PROBES
            self.attach(document, 'cerere.pdf', data)
            self.assertEqual(content.PROBES, before + 1)
            max_size = Configuration.get_value('attachment_max_size')
            self.assertEqual(content.check('copie.pdf', data, max_size),
                'application/pdf')
            self.assertEqual(content.PROBES, before + 1)

    # Search and public lookup

    @with_transaction()
    def test_search_box(self):
        "One box: number, number/year, date, parties and words"
        Document = Pool().get('document_registry.document')
        company, register, person = self.setup_registry()
        with set_company(company):
            first = self.registered(company, register, person, D(2025, 3, 3),
                summary="Sesizare privind groapa din strada Țăranilor")
            second = self.registered(company, register,
                create_person("Mureșan", "Ștefan"), D(2025, 3, 4),
                summary="Cerere de informații publice")

            def search(text):
                return Document.search([('rec_name', 'ilike', f'%{text}%')])
            self.assertEqual(search('2'), [second])
            self.assertEqual(search('1/2025'), [first])
            self.assertEqual(search('1/03.03.2025'), [first])
            self.assertEqual(search('04.03.2025'), [second])
            # on PostgreSQL, both ways of matching words: by id (rare
            # matches) and row by row (frequent ones)
            for rare in [None, 0]:
                with self.subTest(rare=rare), Transaction().set_context(
                        full_text_rare_matches=rare):
                    self.assertEqual(search('taranilor'), [first])
                    self.assertEqual(search('ȚĂRANILOR groapa'), [first])
                    self.assertEqual(search('muresan'), [second])
                    self.assertEqual(search('Ștefan Mureșan'), [second])
                    self.assertEqual(search('nimic asemanator'), [])

    @with_transaction()
    def test_public_lookup(self):
        "Number and date give the state and the department, nothing more"
        Document = Pool().get('document_registry.document')
        company, register, person = self.setup_registry()
        with set_company(company):
            staff = create_staff(company)
            self.registered(company, register, person, D(2025, 3, 3),
                department=staff['service'])
            result = Document.public_lookup('1', '2025-03-03')
            self.assertEqual(set(result), {
                    'number', 'state', 'state_string', 'department',
                    'deadline'})
            self.assertEqual(result['state'], 'assigned')
            self.assertEqual(
                result['department'], "Serviciul impozite și taxe")
            self.assertNotIn("Popescu", str(result))
            self.assertIsNone(Document.public_lookup('1', '2025-03-04'))
            self.assertIsNone(Document.public_lookup('x', 'y'))

    # Exports

    @with_transaction()
    def test_register_export(self):
        "The register of a period as XLSX"
        from ..xlsx import write_register
        company, register, person = self.setup_registry()
        with set_company(company):
            self.registered(company, register, person, D(2025, 3, 3),
                summary="Cerere de autorizație")
            self.registered(company, register, person, D(2025, 4, 3),
                summary="În afara perioadei")
            data = write_register(register, D(2025, 3, 1), D(2025, 3, 31))
        with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
            sheet = xlsx.read('xl/worksheets/sheet1.xml').decode()
        self.assertIn("Cerere de autorizație", sheet)
        self.assertNotIn("În afara perioadei", sheet)

    # Archive

    def nomenclature(self, company, department=None):
        Nomenclature = Pool().get('document_registry.nomenclature')
        nomenclature = Nomenclature(
            company=company, name="Nomenclator 2019", valid_from=D(2019, 1, 1),
            approval="HCL nr. 131/2018", approval_date=D(2018, 12, 20),
            entries=[
                {'code': 'I-1', 'name': "Petiții", 'retention': '3',
                    'department': department},
                {'code': 'I-2', 'name': "Registrul HCL",
                    'retention': 'permanent', 'department': department},
                ])
        nomenclature.save()
        Nomenclature.approve([nomenclature])
        return {e.code: e for e in nomenclature.entries}

    @with_transaction()
    def test_file_to_selection(self):
        "A file from creation to selection, approved before elimination"
        pool = Pool()
        File = pool.get('document_registry.archive_file')
        Handover = pool.get('document_registry.archive_handover')
        Selection = pool.get('document_registry.archive_selection')
        Attachment = pool.get('document_registry.attachment')
        Document = pool.get('document_registry.document')
        company, register, person = self.setup_registry()
        with set_company(company):
            staff = create_staff(company)
            index = self.nomenclature(company, staff['service'])
            petitions = [self.registered(company, register, person,
                    D(2020, 3, 3 + i), file_index=index['I-1'], pages=2,
                    type_code='correspondence')
                for i in range(2)]
            Attachment.create([{'document': petitions[0].id,
                        'name': 'a.pdf', 'data': make_pdf("Petitie")}])
            decision = self.registered(company, register, person,
                D(2020, 5, 5), file_index=index['I-2'],
                type_code='correspondence')
            files = File.build(company, 2020)
            self.assertEqual(len(files), 2)
            petitions_file, = [f for f in files
                if f.file_index == index['I-1']]
            permanent, = [f for f in files if f.file_index == index['I-2']]
            self.assertEqual(len(petitions_file.documents), 2)
            File.close(files)
            self.assertEqual(
                (petitions_file.start_date, petitions_file.end_date,
                    petitions_file.pages),
                (D(2020, 3, 3), D(2020, 3, 4), 4))
            handover = Handover(company=company,
                department=staff['service'], date=D(2022, 2, 1))
            handover.save()
            Handover.fill([handover])
            Handover.do([handover])
            self.assertEqual(handover.state, 'done')
            self.assertTrue(handover.inventory)
            title, header, *items = read_xlsx(handover.inventory)
            self.assertEqual(len(header), 6)
            self.assertEqual([(i[0], i[1], i[4]) for i in items],
                [(1, 'I-1', 4), (2, 'I-2', 1)])
            self.assertEqual(
                {f.state for f in File.browse(files)}, {'archived'})

            selection = Selection(company=company, year=2026,
                commission="Președinte: Pop Dana; secretar: Ion Vasile",
                commission_act="Dispoziția nr. 12/2026",
                report="PV 1/2026", report_date=D(2026, 2, 2))
            selection.save()
            self.assertEqual(Selection.expired_files(selection),
                [petitions_file])
            with self.assertRaises(ValidationError):
                Selection.add_files(selection, [permanent])
            Selection.add_files(selection, [petitions_file])
            Selection.propose([selection])
            with self.assertRaises(ValidationError):
                Selection.approve([selection])
            # nothing removed before the approval
            self.assertTrue(Attachment.search([
                        ('document', '=', petitions[0].id)])[0].data)
            selection.approval = "Adresa SJAN Cluj nr. 345/2026"
            selection.approval_date = D(2026, 3, 3)
            selection.save()
            Selection.approve([selection])
            Selection.eliminate([selection])
            petitions_file = File(petitions_file.id)
            self.assertEqual(petitions_file.state, 'eliminated')
            attachment, = Attachment.search([
                    ('document', '=', petitions[0].id)])
            self.assertTrue(attachment.purged)
            self.assertIsNone(attachment.data)
            # the register entries and the file record stay
            self.assertEqual(len(Document.browse(
                        [p.id for p in petitions])), 2)
            self.assertEqual(File(permanent.id).state, 'archived')
            self.assertEqual(Document(decision.id).number, '3')
            with self.assertRaises(ValidationError):
                File.delete([petitions_file])

    @with_transaction()
    def test_selection_refused_keeps_files(self):
        "Files refused by the SJAN go back to the archive"
        pool = Pool()
        File = pool.get('document_registry.archive_file')
        Handover = pool.get('document_registry.archive_handover')
        Selection = pool.get('document_registry.archive_selection')
        company, register, person = self.setup_registry()
        with set_company(company):
            staff = create_staff(company)
            index = self.nomenclature(company, staff['service'])
            self.registered(company, register, person, D(2020, 3, 3),
                file_index=index['I-1'], type_code='correspondence')
            files = File.build(company, 2020)
            File.close(files)
            handover = Handover(company=company, department=staff['service'],
                date=D(2021, 2, 1))
            handover.save()
            Handover.fill([handover])
            Handover.do([handover])
            selection = Selection(company=company, year=2024,
                commission_act="Disp. 1", report="PV 1",
                report_date=D(2024, 2, 2))
            selection.save()
            Selection.add_files(selection, files)
            Selection.propose([selection])
            Selection.refuse([selection])
            self.assertEqual(File(files[0].id).state, 'archived')
            self.assertIsNone(File(files[0].id).selection)

    # Electronic archive

    def import_root(self):
        "A fresh folder set as the import folder of the configuration"
        root = Path(tempfile.mkdtemp(prefix='earchive-'))
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        Configuration = Pool().get('document_registry.configuration')
        configuration = Configuration(1)
        configuration.import_root = str(root)
        configuration.save()
        return root

    def import_folder(self, rows, files, name='lot1'):
        "A folder of the import root with the PDFs and the CSV"
        Configuration = Pool().get('document_registry.configuration')
        root = Path(Configuration(1).import_root or self.import_root())
        folder = root / name
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        with open(folder / 'metadata.csv', 'w', newline='',
                encoding='utf-8') as file:
            writer = csv.DictWriter(file, fieldnames=[
                    'identifier', 'file', 'title', 'issuer', 'issue_date',
                    'retention', 'keywords'])
            writer.writeheader()
            writer.writerows(rows)
        return folder

    def run_queue(self):
        Queue = Pool().get('ir.queue')
        tasks = Queue.browse(Transaction().tasks)
        Transaction().tasks.clear()
        for task in tasks:
            task.run()

    ROWS = [
        {'identifier': 'AE-1998-001', 'file': 'a.pdf',
            'title': "Autorizație de construire", 'issuer': "Primăria",
            'issue_date': '1998-04-02', 'retention': 'P',
            'keywords': 'urbanism'},
        {'identifier': 'AE-1998-002', 'file': 'b.pdf',
            'title': "Certificat de urbanism", 'issuer': "Primăria",
            'issue_date': '1998-05-02', 'retention': '10',
            'keywords': 'urbanism'},
        {'identifier': 'AE-1998-003', 'file': 'c.pdf',
            'title': "Proces-verbal de recepție", 'issuer': "Primăria",
            'issue_date': '1998-06-02', 'retention': '30',
            'keywords': 'receptie'},
        ]

    @with_transaction()
    def test_import_idempotent_and_resumable(self):
        "A re-run imports nothing twice; an interrupted import continues"
        pool = Pool()
        Import = pool.get('document_registry.archive_import')
        Record = pool.get('document_registry.archive_record')
        company = create_municipality()
        with set_company(company):
            self.import_folder(self.ROWS, {
                    'a.pdf': make_pdf("Autorizatie de construire 12/1998"),
                    'b.pdf': make_pdf("Certificat de urbanism"),
                    'c.pdf': make_pdf("Proces verbal de receptie"),
                    })
            batch = Import(company=company, folder='lot1')
            batch.save()
            # a worker that stopped after the first row
            Import.import_rows([batch], ['AE-1998-001'])
            self.assertEqual(Record.search_count([]), 1)
            Import.run([batch])
            self.run_queue()
            batch = Import(batch.id)
            self.assertEqual(
                (batch.total, batch.imported, batch.state, batch.progress),
                (3, 3, 'done', 100))
            records = Record.search([], order=[('identifier', 'ASC')])
            self.assertEqual(len(records), 3)
            self.assertIn("Certificat de urbanism",
                records[1].extracted_text)
            self.assertEqual(records[0].retention, 'permanent')
            # run again, and a second batch on the same folder
            Import.run([batch])
            self.run_queue()
            again = Import(company=company, folder='lot1')
            again.save()
            Import.run([again])
            self.run_queue()
            again = Import(again.id)
            self.assertEqual(Record.search_count([]), 3)
            self.assertEqual((again.imported, again.skipped, again.state),
                (0, 3, 'done'))
            self.assertEqual(
                Record.search([('search_text', 'ilike', 'receptie')]),
                [records[2]])

    @with_transaction()
    def test_import_bad_input(self):
        "Duplicate rows, missing files and broken PDFs stop the import"
        pool = Pool()
        Import = pool.get('document_registry.archive_import')
        Record = pool.get('document_registry.archive_record')
        company = create_municipality()
        with set_company(company):
            pdf = make_pdf("Act")
            self.import_root()
            cases = [
                (self.ROWS + [self.ROWS[0]], 'twice'),
                (self.ROWS[:1] + [dict(self.ROWS[1], file='lipsa.pdf')],
                    'lipsa.pdf'),
                (self.ROWS[:1] + [dict(self.ROWS[1], issue_date='02.05.1998')],
                    '02.05.1998'),
                ]
            for i, (rows, expected) in enumerate(cases):
                with self.subTest(expected=expected):
                    self.import_folder(rows, {
                            'a.pdf': pdf, 'b.pdf': pdf, 'c.pdf': pdf},
                        name=f'bad{i}')
                    batch = Import(company=company, folder=f'bad{i}')
                    batch.save()
                    with self.assertRaises(UserError) as cm:
                        Import.run([batch])
                    self.assertIn(expected, cm.exception.message)
                    self.assertEqual(Record.search_count([]), 0)
            self.import_folder(self.ROWS[:2], {
                    'a.pdf': pdf, 'b.pdf': pdf[:40]})
            batch = Import(company=company, folder='lot1')
            batch.save()
            Import.run([batch])
            with self.assertRaises(UserError) as cm:
                self.run_queue()
            self.assertIn('b.pdf', cm.exception.message)
            with self.assertRaises(UserError):
                Import(company=company, folder='../..').directory()

    @with_transaction()
    def test_archive_hash_checked_on_access(self):
        "The content hash taken at import is checked when it is read"
        pool = Pool()
        Import = pool.get('document_registry.archive_import')
        Record = pool.get('document_registry.archive_record')
        company = create_municipality()
        with set_company(company):
            self.import_folder(self.ROWS[:1], {'a.pdf': make_pdf("Act")})
            batch = Import(company=company, folder='lot1')
            batch.save()
            Import.run([batch])
            self.run_queue()
            record, = Record.search([])
            self.assertEqual(record.content, make_pdf("Act"))
            with self.assertRaises(AccessError):
                Record.write([record], {'title': "Altul"})
            # the stored file is replaced behind the application's back
            table = Record.__table__()
            cursor = Transaction().connection.cursor()
            altered = filestore.set(b'%PDF-altered', prefix='earchive')
            cursor.execute(*table.update([table.file_id], [altered],
                    where=table.id == record.id))
            Transaction().counter += 1
            with self.assertRaises(UserError):
                Record(record.id).content
            with self.assertRaises(UserError):
                Record.verify([Record(record.id)])


del ModuleTestCase
