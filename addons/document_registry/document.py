# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import json
import re
from collections import defaultdict
from itertools import groupby

from sql import Null

from trytond.i18n import gettext
from trytond.model import (
    Exclude, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.modules.municipality.report import LibreOfficeReport
from trytond.rpc import RPC
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from .deadline import today
from .content import normalize
from .exceptions import (
    RegisteredAccessError, RegistrationError, WorkflowError)
from .search import FullTextMixin

try:
    from sql.operators import Equal
except ImportError:                                 # pragma: no cover
    Equal = None

DIRECTIONS = [
    ('incoming', "Incoming"),
    ('outgoing', "Outgoing"),
    ('internal', "Internal"),
    ]

CHANNELS = [
    (None, ""),
    ('counter', "Counter"),
    ('post', "Post"),
    ('email', "E-mail"),
    ('portal', "Portal"),
    ('institution', "Other Institution"),
    ('other', "Other"),
    ]

# The state machines of the registry's procedures, merged for every type:
# petitions (OG 27/2002) and public information requests (Legea 544/2001).
STATES = [
    ('draft', "Draft"),
    ('registered', "Registered"),
    ('assigned', "Assigned"),
    ('extended', "Extended"),
    ('linked', "Linked"),
    ('forwarded', "Forwarded"),
    ('filed', "Filed"),
    ('answered', "Answered"),
    ('refused', "Refused"),
    ('closed', "Closed"),
    ('cancelled', "Cancelled"),
    ]
OPEN_STATES = ['registered', 'assigned', 'extended']

REPLY_KINDS = [
    (None, ""),
    ('answer', "Answer"),
    ('refusal', "Reasoned Refusal"),
    ('notice', "Extension Notice"),
    ]

# The fields fixed by the registration (Instrucțiunile 217/1996 art. 9):
# nobody changes them afterwards, through any interface.
REGISTERED_FIELDS = {
    'company', 'registry', 'number', 'number_int', 'year', 'date',
    'registered_at', 'direction', 'document_type', 'channel',
    'sender_number', 'sender_date', 'pages', 'annexes', 'issuer',
    'recipient', 'summary', 'reply_to', 'reply_kind', 'anonymous',
    'registered_by',
    }

_DRAFT = {'readonly': Eval('state') != 'draft'}


class Document(FullTextMixin, Workflow, ModelSQL, ModelView):
    "A registered document (registratură)"
    __name__ = 'document_registry.document'
    __string__ = "Registered Document"
    _rec_name = 'number'
    _history = True

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT', states=_DRAFT)
    registry = fields.Many2One(
        'document_registry.register', "Register", required=True,
        ondelete='RESTRICT', states=_DRAFT,
        domain=[('company', '=', Eval('company', -1))])
    number = fields.Char("Number", readonly=True)
    number_int = fields.Integer("Number (integer)", readonly=True)
    year = fields.Integer("Year", readonly=True)
    date = fields.Date("Registration Date", readonly=True)
    registered_at = fields.Timestamp("Registered at", readonly=True)
    registered_by = fields.Many2One(
        'res.user', "Registered by", readonly=True, ondelete='RESTRICT')
    direction = fields.Selection(
        DIRECTIONS, "Direction", required=True, states=_DRAFT)
    direction_string = direction.translated('direction')
    document_type = fields.Many2One(
        'document_registry.document_type', "Type", ondelete='RESTRICT',
        states=_DRAFT,
        domain=['OR',
            ('company', '=', None),
            ('company', '=', Eval('company', -1)),
            ])
    procedure = fields.Function(
        fields.Selection('get_procedures', "Procedure"),
        'on_change_with_procedure')
    channel = fields.Selection(
        CHANNELS, "Channel", states=_DRAFT,
        help="How the document came in or went out.")
    sender_number = fields.Char(
        "Issuer's Number", states=_DRAFT,
        help="The number the issuer gave the document.")
    sender_date = fields.Date("Issuer's Date", states=_DRAFT)
    pages = fields.Integer("Pages", states=_DRAFT)
    annexes = fields.Integer("Annexes", states=_DRAFT)
    issuer = fields.Many2One(
        'party.party', "Issuer", ondelete='RESTRICT', states=_DRAFT,
        context={'company': Eval('company', -1)}, depends={'company'},
        help="Who sent the document (a person, a company or an "
        "institution).")
    recipient = fields.Many2One(
        'party.party', "Addressee", ondelete='RESTRICT', states=_DRAFT,
        context={'company': Eval('company', -1)}, depends={'company'})
    anonymous = fields.Boolean(
        "Anonymous", states=_DRAFT,
        help="The author cannot be identified (OG 27/2002 art. 7).")
    summary = fields.Text("Summary", states=_DRAFT)
    reply_to = fields.Many2One(
        'document_registry.document', "Reply to", ondelete='RESTRICT',
        states=_DRAFT,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('state', 'not in', ['draft', 'cancelled']),
            ],
        help="The document this one answers: the reply takes its number.")
    reply_kind = fields.Selection(
        REPLY_KINDS, "Reply Kind",
        states={
            'invisible': ~Eval('reply_to'),
            'required': Bool(Eval('reply_to')),
            'readonly': Eval('state') != 'draft',
            })
    replies = fields.One2Many(
        'document_registry.document', 'reply_to', "Replies", readonly=True)
    linked_to = fields.Many2One(
        'document_registry.document', "Linked to", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('id', '!=', Eval('id', -1)),
            ('state', 'not in', ['draft', 'cancelled']),
            ],
        states={'readonly': Eval('state').in_(['closed', 'cancelled'])},
        help="The first document registered on the same matter "
        "(conexat).")
    linked_documents = fields.One2Many(
        'document_registry.document', 'linked_to', "Linked Documents",
        readonly=True)
    department = fields.Many2One(
        'staff.department', "Department", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('state') != 'draft'},
        help="The department handling the document; change it with "
        "Assign.")
    clerk = fields.Many2One(
        'company.employee', "Clerk", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('state') != 'draft'})
    file_index = fields.Many2One(
        'document_registry.file_index', "File Index", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="The index of the archival nomenclature the document is "
        "filed under.")
    archive_file = fields.Many2One(
        'document_registry.archive_file', "Archive File",
        ondelete='RESTRICT', readonly=True)
    deadline = fields.Date("Deadline", readonly=True)
    extended = fields.Boolean("Extended", readonly=True)
    forward_deadline = fields.Function(
        fields.Date("Forwarding Deadline"), 'get_rule_deadline')
    refusal_deadline = fields.Function(
        fields.Date("Refusal Deadline"), 'get_rule_deadline')
    forwarded_to = fields.Many2One(
        'party.party', "Forwarded to", ondelete='RESTRICT', readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    forwarded_on = fields.Date("Forwarded on", readonly=True)
    forwarded_late = fields.Boolean("Forwarded Late", readonly=True)
    answered_on = fields.Date("Answered on", readonly=True)
    dispatch_date = fields.Date(
        "Dispatch Date", states={
            'readonly': Eval('state').in_(['draft', 'cancelled']),
            })
    resolution = fields.Text(
        "Resolution", help="How the document was resolved.")
    reminded_on = fields.Date("Reminded on", readonly=True)
    escalated_on = fields.Date("Escalated on", readonly=True)
    escalated_to = fields.Many2One(
        'company.employee', "Escalated to", readonly=True,
        ondelete='RESTRICT')
    attachments = fields.One2Many(
        'document_registry.attachment', 'document', "Attachments")
    objects = fields.One2Many(
        'document_registry.document.object', 'document', "Concerns")
    events = fields.One2Many(
        'document_registry.document.event', 'document', "History",
        readonly=True)
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')
    mine = fields.Function(
        fields.Boolean("Mine"), 'get_inbox', searcher='search_mine')
    my_department = fields.Function(
        fields.Boolean("My Department"), 'get_inbox',
        searcher='search_my_department')
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_inbox', searcher='search_overdue')
    due_this_week = fields.Function(
        fields.Boolean("Due This Week"), 'get_inbox',
        searcher='search_due_this_week')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # A reply takes the number of the document it answers; every other
        # document has a number of its own in its register and year.
        cls._sql_constraints = [
            ('number_unique', Exclude(t,
                    (t.registry, Equal), (t.year, Equal),
                    (t.number_int, Equal),
                    where=(t.reply_to == Null) & (t.number_int != Null)),
                'document_registry.msg_number_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.number_int, Index.Equality()),
                    (t.year, Index.Equality())),
                Index(t, (t.date, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(OPEN_STATES)),
                Index(t, (t.deadline, Index.Range()),
                    where=t.state.in_(OPEN_STATES)),
                Index(t, (t.department, Index.Equality())),
                Index(t, (t.clerk, Index.Equality())),
                Index(t, (t.issuer, Index.Equality())),
                })
        cls._order = [
            ('date', 'DESC NULLS FIRST'),
            ('number_int', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('registered', 'assigned'),
            ('registered', 'forwarded'),
            ('assigned', 'forwarded'),
            ('registered', 'filed'),
            ('assigned', 'filed'),
            ('extended', 'filed'),
            ('registered', 'linked'),
            ('assigned', 'linked'),
            ('registered', 'extended'),
            ('assigned', 'extended'),
            ('registered', 'closed'),
            ('answered', 'closed'),
            ('refused', 'closed'),
            ('filed', 'closed'),
            ('forwarded', 'closed'),
            ('registered', 'cancelled'),
            }
        cls._buttons.update({
                'register': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'assign_wizard': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                'extend': {
                    'invisible': Eval('state') != 'assigned',
                    'depends': ['state'],
                    },
                'forward_wizard': {
                    'invisible': ~Eval('state').in_(
                        ['registered', 'assigned']),
                    'depends': ['state'],
                    },
                'file': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                'reply': {
                    'invisible': (~Eval('state').in_(OPEN_STATES)
                        | (Eval('direction') != 'incoming')),
                    'depends': ['state', 'direction'],
                    },
                'link_button': {
                    'invisible': (~Eval('state').in_(
                            ['registered', 'assigned'])
                        | ~Eval('linked_to')),
                    'depends': ['state', 'linked_to'],
                    },
                'close': {
                    'invisible': ~Eval('state').in_(
                        ['registered', 'answered', 'refused', 'filed',
                            'forwarded']),
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'registered',
                    'depends': ['state'],
                    },
                })
        cls.__rpc__.update({
                'public_lookup': RPC(readonly=True),
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_registry(cls):
        pool = Pool()
        Register = pool.get('document_registry.register')
        company = Transaction().context.get('company')
        if company is not None:
            registers = Register.search([
                    ('company', '=', company),
                    ('department', '=', None),
                    ], limit=2)
            if len(registers) == 1:
                return registers[0].id

    @classmethod
    def default_direction(cls):
        return 'incoming'

    @classmethod
    def default_channel(cls):
        return 'counter'

    @classmethod
    def default_pages(cls):
        return 1

    @classmethod
    def default_annexes(cls):
        return 0

    @classmethod
    def default_anonymous(cls):
        return False

    @classmethod
    def default_extended(cls):
        return False

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def get_procedures(cls):
        DocumentType = Pool().get('document_registry.document_type')
        return [(None, '')] + DocumentType.procedure.selection

    @fields.depends('document_type')
    def on_change_with_procedure(self, name=None):
        if self.document_type:
            return self.document_type.procedure

    @fields.depends('reply_to', 'direction', 'recipient', 'registry',
        'department', 'file_index', 'reply_kind')
    def on_change_reply_to(self):
        if self.reply_to:
            self.registry = self.reply_to.registry
            self.direction = 'outgoing'
            self.recipient = self.reply_to.issuer
            self.department = self.reply_to.department
            self.file_index = self.reply_to.file_index
            if not self.reply_kind:
                self.reply_kind = 'answer'

    def get_rec_name(self, name):
        if self.number:
            return f'{self.number}/{self.date.strftime("%d.%m.%Y")}'
        return f'({self.id})'

    @classmethod
    def search_rec_name(cls, name, clause):
        "One search box: number, number/year, date, or words of the text"
        _, operator, operand, *extra = clause
        if not isinstance(operand, str):
            return [('number', operator, operand, *extra)]
        query = operand.strip('% ').strip()
        negative = operator.startswith('!') or operator.startswith('not ')
        domain = parse_query(query)
        if domain is None:
            return [('search_text', operator, query)]
        if negative:
            return [('id', 'not in', [d.id for d in cls.search(domain)])]
        return domain

    @classmethod
    def get_rule_deadline(cls, documents, name):
        field = {
            'forward_deadline': 'forward_rule',
            'refusal_deadline': 'refusal_rule',
            }[name]
        result = {}
        for document in documents:
            rule = (getattr(document.document_type, field)
                if document.document_type else None)
            result[document.id] = (
                rule.compute(document.date)
                if rule and document.date else None)
        return result

    @classmethod
    def get_inbox(cls, documents, name):
        ids = {d.id for d in cls.search([
                    ('id', 'in', [d.id for d in documents]),
                    (name, '=', True),
                    ])}
        return {d.id: d.id in ids for d in documents}

    @classmethod
    def _negate(cls, domain, clause):
        _, operator, value = clause[:3]
        positive = bool(value) == (operator == '=')
        if positive:
            return domain
        return [('id', 'not in', [d.id for d in cls.search(domain)])]

    @classmethod
    def search_mine(cls, name, clause):
        User = Pool().get('res.user')
        return cls._negate(
            [('clerk', 'in', list(User.get_employees()))], clause)

    @classmethod
    def search_my_department(cls, name, clause):
        Department = Pool().get('staff.department')
        return cls._negate(
            [('department', 'in', Department.of_user())], clause)

    @classmethod
    def search_overdue(cls, name, clause):
        return cls._negate([
                ('state', 'in', OPEN_STATES),
                ('deadline', '<', today()),
                ], clause)

    @classmethod
    def search_due_this_week(cls, name, clause):
        date = today()
        sunday = date + dt.timedelta(days=6 - date.weekday())
        return cls._negate([
                ('state', 'in', OPEN_STATES),
                ('deadline', '>=', date),
                ('deadline', '<=', sunday),
                ], clause)

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('overdue', False), 'danger', '')),
            ]

    # Protection of the registered data

    @classmethod
    def check_modification(cls, mode, documents, values=None,
            external=False):
        super().check_modification(
            mode, documents, values=values, external=external)
        if mode == 'delete':
            for document in documents:
                if document.state != 'draft':
                    raise RegisteredAccessError(gettext(
                            'document_registry.msg_registered_delete',
                            document=document.rec_name))
        elif mode == 'write':
            changed = REGISTERED_FIELDS & set(values)
            if changed:
                for document in documents:
                    if document.state != 'draft':
                        raise RegisteredAccessError(gettext(
                                'document_registry.msg_registered_readonly',
                                document=document.rec_name,
                                fields=', '.join(sorted(changed))))
            if external and ({'number', 'number_int', 'year', 'date',
                        'registered_at', 'state', 'deadline'}
                    & set(values)):
                # only the registration and the workflow set them
                raise RegisteredAccessError(gettext(
                        'document_registry.msg_registration_fields'))

    @classmethod
    def copy(cls, documents, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'number_int', 'year', 'date',
                'registered_at', 'registered_by', 'deadline',
                'forwarded_to', 'forwarded_on', 'answered_on',
                'reminded_on', 'escalated_on', 'escalated_to',
                'archive_file', 'search_text', 'dispatch_date',
                'resolution', 'reply_to', 'reply_kind']:
            default.setdefault(name, None)
        default.setdefault('state', 'draft')
        default.setdefault('extended', False)
        default.setdefault('forwarded_late', False)
        default.setdefault('events', None)
        default.setdefault('replies', None)
        default.setdefault('linked_documents', None)
        default.setdefault('attachments', None)
        return super().copy(documents, default=default)

    # Registration

    @classmethod
    @ModelView.button
    def register(cls, documents):
        """Register the draft documents: everything is checked first, so that
        a refused registration takes no number"""
        documents = [d for d in documents if d.state == 'draft']
        if not documents:
            return
        moment, date = cls._registration_moment()
        sequences = {register: register.lock_year(date.year)
            for register in {d.registry for d in documents}}
        values = {d: cls._registration_values(d, date) for d in documents}
        user = Transaction().user or None
        to_write = []
        key = lambda d: (d.registry.id, date.year)  # noqa: E731
        for (_, year), group in groupby(
                sorted(documents, key=lambda d: (key(d), d.id)), key=key):
            group = list(group)
            new = [d for d in group if not d.reply_to]
            register = group[0].registry
            numbers = (register.take_numbers(
                    year, len(new), sequences.get(register))
                if new else [])
            for document, number in zip(new, numbers):
                values[document]['number_int'] = number
            for document in group:
                if document.reply_to:
                    values[document]['number_int'] = (
                        document.reply_to.number_int)
                value = values[document]
                value.update({
                        'number': str(value['number_int']),
                        'year': year,
                        'date': date,
                        'registered_at': moment,
                        'registered_by': user,
                        'state': 'registered',
                        'search_text': document.build_search_text(
                            number=str(value['number_int']), year=year),
                        })
                to_write.extend([[document], value])
        cls.write(*to_write)
        Event = Pool().get('document_registry.document.event')
        Event.add(documents, 'registered')
        cls._after_registration(documents)

    @classmethod
    def _registration_moment(cls):
        """The date and time of registration: now (a test or a loader
        running without access checks may set registration_datetime)"""
        pool = Pool()
        Date = pool.get('ir.date')
        context = Transaction().context
        moment = None
        if not context.get('_check_access'):
            moment = context.get('registration_datetime')
        if moment is None:
            return dt.datetime.now(), Date.today()
        return moment, moment.date()

    @classmethod
    def _registration_values(cls, document, date):
        "Check the document and return what its registration sets"
        document.check_registration(date)
        values = {}
        if document.linked_to and document.linked_to.linked_to:
            values['linked_to'] = document.linked_to.root().id
        if document.direction == 'incoming' and not document.reply_to:
            values['deadline'] = document.compute_deadline(date)
        return values

    def check_registration(self, date):
        "Raise RegistrationError when the document cannot be registered"
        def missing(field):
            raise RegistrationError(gettext(
                    'document_registry.msg_registration_missing',
                    field=self.__class__._fields[field].string))
        if self.registry.company != self.company:
            raise RegistrationError(gettext(
                    'document_registry.msg_register_company',
                    register=self.registry.rec_name))
        if not (self.summary or '').strip():
            missing('summary')
        if self.pages is None or self.pages < 0 or (self.annexes or 0) < 0:
            raise RegistrationError(gettext(
                    'document_registry.msg_registration_pages'))
        if self.direction == 'incoming':
            if not self.channel:
                missing('channel')
            if not self.issuer and not self.anonymous:
                missing('issuer')
        elif self.direction == 'outgoing' and not self.recipient:
            missing('recipient')
        if self.reply_to:
            self.check_reply(date)
        if self.department and self.department.company != self.company:
            raise RegistrationError(gettext(
                    'document_registry.msg_department_company',
                    document=self.rec_name))
        for attachment in self.attachments:
            attachment.check_content()

    def check_reply(self, date):
        answered = self.reply_to
        if answered.registry != self.registry:
            raise RegistrationError(gettext(
                    'document_registry.msg_reply_register',
                    document=answered.rec_name,
                    register=answered.registry.rec_name))
        # Numbering restarts on 1 January (Instrucțiunile 217/1996 art. 9):
        # the number of last year's document means another document now.
        if answered.year != date.year:
            raise RegistrationError(gettext(
                    'document_registry.msg_reply_other_year',
                    document=answered.rec_name, year=date.year))
        if answered.direction != 'incoming':
            raise RegistrationError(gettext(
                    'document_registry.msg_reply_not_incoming',
                    document=answered.rec_name))

    def compute_deadline(self, date):
        if self.document_type and self.document_type.answer_rule:
            if self.anonymous and self.document_type.anonymous_filed:
                return None
            return self.document_type.answer_rule.compute(date)

    def root(self):
        "The first document of the matter (the head of the linked chain)"
        document, seen = self, set()
        while document.linked_to and document.id not in seen:
            seen.add(document.id)
            document = document.linked_to
        return document

    @classmethod
    def _after_registration(cls, documents):
        pool = Pool()
        Event = pool.get('document_registry.document.event')
        anonymous = [d for d in documents
            if d.anonymous and d.document_type
            and d.document_type.anonymous_filed]
        if anonymous:
            # OG 27/2002 art. 7: not considered, filed (clasate)
            cls.write(anonymous, {
                    'state': 'filed',
                    'resolution': gettext(
                        'document_registry.msg_anonymous_filed'),
                    })
            Event.add(anonymous, 'filed')
        linked = [d for d in documents
            if d.linked_to and d not in anonymous]
        if linked:
            cls.link(linked, None)
        to_assign = [d for d in documents
            if d.department and d.direction == 'incoming'
            and d not in anonymous and d not in linked]
        for department, group in groupby(
                sorted(to_assign, key=lambda d: (d.department.id,
                        d.clerk.id if d.clerk else 0)),
                key=lambda d: (d.department, d.clerk)):
            cls.assign(list(group), department[0], department[1])
        replies = [d for d in documents if d.reply_to]
        if replies:
            cls._apply_replies(replies)

    @classmethod
    def _apply_replies(cls, replies):
        "The registered reply answers, refuses or extends (notice)"
        answers = defaultdict(list)
        for reply in replies:
            answers[reply.reply_kind].append(reply.reply_to)
        # the reply's registration date is the date of the notice
        with Transaction().set_context(date=replies[0].date):
            if answers.get('notice'):
                cls.extend(answers['notice'])
            for kind, state in [
                    ('answer', 'answered'), ('refusal', 'refused')]:
                answered = answers.get(kind)
                if answered:
                    cls.answer(answered, state)

    # Workflow

    @classmethod
    def assign(cls, documents, department, clerk=None, note=None):
        "Route the documents to the department (and clerk); keeps history"
        pool = Pool()
        Event = pool.get('document_registry.document.event')
        for document in documents:
            if document.state not in OPEN_STATES:
                raise WorkflowError(gettext(
                        'document_registry.msg_assign_state',
                        document=document.rec_name,
                        state=document.state_string))
            if (department.company != document.company
                    or (clerk and clerk.company != document.company)):
                raise WorkflowError(gettext(
                        'document_registry.msg_department_company',
                        document=document.rec_name))
        if not documents:
            return
        reassigned = [d for d in documents if d.state != 'registered']
        with Transaction().set_context(_check_access=False):
            cls.write(documents, {
                    'department': department.id,
                    'clerk': clerk.id if clerk else None,
                    })
            first = [d for d in documents if d.state == 'registered']
            if first:
                cls.write(first, {'state': 'assigned'})
        Event.add([d for d in documents if d not in reassigned], 'assigned',
            department=department, employee=clerk, note=note)
        Event.add(reassigned, 'reassigned',
            department=department, employee=clerk, note=note)

    @classmethod
    @ModelView.button_action('document_registry.wizard_document_assign')
    def assign_wizard(cls, documents):
        pass

    @classmethod
    @ModelView.button
    def extend(cls, documents):
        """Extend the term: OG 27/2002 art. 9 (+15 days), Legea 544/2001
        art. 7(1) (30 days, notified within the 10 days)"""
        for document in documents:
            rule = (document.document_type.extension_rule
                if document.document_type else None)
            if (not rule or document.extended
                    or document.state not in {'registered', 'assigned'}):
                raise WorkflowError(gettext(
                        'document_registry.msg_extension_none',
                        document=document.rec_name))
        cls._extend(documents)

    @classmethod
    @Workflow.transition('extended')
    def _extend(cls, documents):
        pool = Pool()
        Event = pool.get('document_registry.document.event')
        date = today()
        to_write = []
        for document in documents:
            rule = document.document_type.extension_rule
            if document.deadline and date > document.deadline:
                raise WorkflowError(gettext(
                        'document_registry.msg_extension_late',
                        document=document.rec_name,
                        deadline=document.deadline))
            start = (document.date
                if document.document_type.extension_from == 'registration'
                else document.deadline)
            to_write.extend([[document], {
                        'deadline': rule.compute(start),
                        'extended': True,
                        'reminded_on': None,
                        'escalated_on': None,
                        }])
        if to_write:
            with Transaction().set_context(_check_access=False):
                cls.write(*to_write)
        Event.add(documents, 'extended')

    @classmethod
    @ModelView.button_action('document_registry.wizard_document_forward')
    def forward_wizard(cls, documents):
        pass

    @classmethod
    @Workflow.transition('forwarded')
    def forward(cls, documents, institution, note=None):
        """Forward misdirected documents to the competent authority
        (OG 27/2002 art. 6^1: within 5 days, the petitioner informed)"""
        pool = Pool()
        Event = pool.get('document_registry.document.event')
        date = today()
        to_write = []
        for document in documents:
            limit = document.forward_deadline
            to_write.extend([[document], {
                        'forwarded_to': institution.id,
                        'forwarded_on': date,
                        'forwarded_late': bool(limit and date > limit),
                        }])
        if to_write:
            with Transaction().set_context(_check_access=False):
                cls.write(*to_write)
        Event.add(documents, 'forwarded', note=note or institution.rec_name)

    @classmethod
    @ModelView.button
    @Workflow.transition('filed')
    def file(cls, documents):
        "File without an answer (clasare); the resolution says why"
        Event = Pool().get('document_registry.document.event')
        for document in documents:
            if not (document.resolution or '').strip():
                raise WorkflowError(gettext(
                        'document_registry.msg_file_resolution',
                        document=document.rec_name))
        Event.add(documents, 'filed')

    @classmethod
    @ModelView.button
    def link_button(cls, documents):
        "Link the documents to the document of their field Linked to"
        for document in documents:
            if not document.linked_to:
                raise WorkflowError(gettext(
                        'document_registry.msg_link_invalid',
                        document=document.rec_name))
        cls.link(documents, None)

    @classmethod
    def link(cls, documents, master):
        """Link documents on the same matter to the first one (conexare):
        they get its term and are answered with it"""
        pool = Pool()
        Event = pool.get('document_registry.document.event')
        to_write = []
        for document in documents:
            target = (master or document.linked_to).root()
            if target == document or document.state not in (
                    'registered', 'assigned'):
                raise WorkflowError(gettext(
                        'document_registry.msg_link_invalid',
                        document=document.rec_name))
            to_write.extend([[document], {
                        'linked_to': target.id,
                        'deadline': target.deadline,
                        'department': (target.department.id
                            if target.department else None),
                        'clerk': target.clerk.id if target.clerk else None,
                        'state': 'linked',
                        }])
        if to_write:
            with Transaction().set_context(_check_access=False):
                cls.write(*to_write)
        Event.add(documents, 'linked')

    @classmethod
    @ModelView.button_action('document_registry.wizard_document_reply')
    def reply(cls, documents):
        pass

    @classmethod
    def answer(cls, documents, state='answered'):
        "Mark the documents (and those linked to them) answered or refused"
        pool = Pool()
        Event = pool.get('document_registry.document.event')
        documents = list(documents)
        for document in documents:
            if document.state not in OPEN_STATES:
                raise WorkflowError(gettext(
                        'document_registry.msg_answer_state',
                        document=document.rec_name,
                        state=document.state_string))
        linked = cls.search([
                ('linked_to', 'in', [d.id for d in documents]),
                ('state', '=', 'linked'),
                ])
        if not documents:
            return
        with Transaction().set_context(_check_access=False):
            cls.write(documents + linked, {
                    'state': state,
                    'answered_on': today(),
                    })
        Event.add(documents + linked, state)

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, documents):
        Event = Pool().get('document_registry.document.event')
        Event.add(documents, 'closed')

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, documents):
        "Cancel a registration made by mistake: the number stays used"
        Event = Pool().get('document_registry.document.event')
        for document in documents:
            if not (document.resolution or '').strip():
                raise WorkflowError(gettext(
                        'document_registry.msg_cancel_resolution',
                        document=document.rec_name))
        Event.add(documents, 'cancelled')

    # Reminders and escalation (cron)

    @classmethod
    def remind_and_escalate(cls, date=None):
        """Remind the clerk before the deadline and tell the head of the
        department once it has passed (days from the configuration)"""
        pool = Pool()
        Configuration = pool.get('document_registry.configuration')
        Event = pool.get('document_registry.document.event')
        date = date or today()
        company = Transaction().context.get('company')
        domain = [
            ('state', 'in', OPEN_STATES),
            ('deadline', '!=', None),
            ]
        if company is not None:
            domain.append(('company', '=', company))
        reminded, escalated = [], []
        for sub in grouped_slice(cls.search(domain), 1000):
            for document in sub:
                reminder_days = Configuration.get_value(
                    'reminder_days', document.company)
                escalation_days = Configuration.get_value(
                    'escalation_days', document.company)
                if (not document.reminded_on
                        and document.deadline - dt.timedelta(
                            days=reminder_days) <= date
                        <= document.deadline):
                    reminded.append(document)
                if (not document.escalated_on
                        and date > document.deadline + dt.timedelta(
                            days=escalation_days)):
                    escalated.append(document)
        if reminded:
            cls.write(reminded, {'reminded_on': date})
            Event.add(reminded, 'reminder')
            for document in reminded:
                cls._notify(document.clerk or (
                        document.department.get_head()
                        if document.department else None),
                    document, 'document_registry.msg_notify_reminder')
        to_write = []
        for document in escalated:
            head = (document.department.get_head()
                if document.department else None)
            to_write.extend([[document], {
                        'escalated_on': date,
                        'escalated_to': head.id if head else None,
                        }])
            cls._notify(head, document,
                'document_registry.msg_notify_escalation')
        if to_write:
            cls.write(*to_write)
            Event.add(escalated, 'escalation')
        return reminded, escalated

    @classmethod
    def _notify(cls, employee, document, message):
        Notification = Pool().get('res.notification')
        if not employee:
            return
        Notification.create([{
                    'user': user.id,
                    'label': gettext(message, document=document.rec_name,
                        deadline=document.deadline),
                    'description': (document.summary or '')[:200],
                    'model': cls.__name__,
                    'records': json.dumps([document.id]),
                    } for user in employee.users])

    # Search

    @classmethod
    def update_search_text(cls, documents):
        to_write = []
        for document in documents:
            to_write.extend([[document], {
                        'search_text': document.build_search_text()}])
        if to_write:
            with Transaction().set_context(_check_access=False):
                cls.write(*to_write)

    def build_search_text(self, number=None, year=None):
        number = number or self.number
        year = year or self.year
        parts = [number, self.sender_number, self.summary]
        if number and year:
            parts.append(f'{number}/{year}')
        for party in [self.issuer, self.recipient]:
            if party:
                parts.append(party.rec_name)
        for attachment in self.attachments:
            parts.extend([attachment.name, attachment.text])
        return normalize(' '.join(filter(None, parts)))

    # Public lookup (portal)

    @classmethod
    def public_lookup(cls, number, date, company=None):
        """The state and department of the document registered under number
        on date, for the portal: nothing personal"""
        pool = Pool()
        Department = pool.get('staff.department')
        try:
            number = int(str(number).strip())
        except ValueError:
            return None
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date)
            except ValueError:
                return None
        domain = [
            ('number_int', '=', number),
            ('date', '=', date),
            ('reply_to', '=', None),
            ('state', '!=', 'draft'),
            ]
        if company is not None:
            domain.append(('company', '=', getattr(company, 'id', company)))
        with without_check_access():
            documents = cls.search(domain, limit=2)
            if len(documents) != 1:
                return None
            document, = documents
            state = document.state
            if state == 'linked':
                state = document.root().state
            department = document.department
            return {
                'number': document.rec_name,
                'state': state,
                'state_string': dict(
                    cls.fields_get(['state'])['state']['selection'])[state],
                'department': (Department(department.id).name
                    if department else None),
                'deadline': document.deadline,
                }


def parse_query(query):
    """The domain for a number (123, 123/2025, 123/15.03.2025) or a date
    (15.03.2025, 2025-03-15) typed in the search box, else None"""
    match = re.fullmatch(r'(\d{1,9})(?:\s*/\s*(.+))?', query)
    if match:
        number, rest = match.groups()
        domain = [('number_int', '=', int(number))]
        if rest:
            if re.fullmatch(r'\d{4}', rest):
                domain.append(('year', '=', int(rest)))
            else:
                date = parse_date(rest)
                if date is None:
                    return None
                domain.append(('date', '=', date))
        return domain
    date = parse_date(query)
    if date:
        return [('date', '=', date)]


def parse_date(text):
    for pattern in ['%d.%m.%Y', '%Y-%m-%d', '%d/%m/%Y']:
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue


class DocumentObject(ModelSQL, ModelView):
    "What a document concerns: a person, a parcel, a building, a vehicle"
    __name__ = 'document_registry.document.object'
    __string__ = "Document Concern"

    document = fields.Many2One(
        'document_registry.document', "Document", required=True,
        ondelete='CASCADE')
    resource = fields.Reference(
        "Concerns", selection='get_resources', required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('document')

    @classmethod
    def get_resources(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        names = ['party.party', 'property.parcel', 'property.building',
            'vehicle.vehicle']
        return [(None, '')] + [(n, Model.get_name(n)) for n in names]


class DocumentReceipt(LibreOfficeReport):
    "The slip given to the citizen: number, date, deadline"
    __name__ = 'document_registry.document.receipt'
