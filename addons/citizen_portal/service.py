# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The catalogue of services a citizen may request on the portal.

The shipped services are templates (no municipality): each municipality
gets its own copies when it is created, or through the wizard "Create the
Standard Services", and its administrator adapts them.  A submission is
registered in document_registry with the service's document type, so its
answer term is the registry's deadline rule of that type (OG 27/2002 art.
8, Legea 544/2001 art. 7, Legea 50/1991 art. 6^1); the days of the service
count only for a type without a rule."""
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import ServiceError

FIELD_TYPES = [
    ('text', "Text"),
    ('long_text', "Long Text"),
    ('date', "Date"),
    ('number', "Number"),
    ('choice', "Choice"),
    ('checkbox', "Checkbox"),
    ]
ACCEPTED_TYPES = {'pdf', 'png', 'jpg', 'jpeg', 'tif', 'tiff'}


class Service(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    "A kind of request citizens send through the portal"
    __name__ = 'citizen_portal.service'
    __string__ = "Portal Service"

    company = fields.Many2One(
        'company.company', "Municipality", ondelete='CASCADE',
        help="Empty for a template copied to each municipality.")
    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True, translate=True)
    description = fields.Text("Description", translate=True)
    legal_basis = fields.Char("Legal Basis", translate=True)
    form_fields = fields.One2Many(
        'citizen_portal.service.field', 'service', "Form Fields")
    attachments = fields.One2Many(
        'citizen_portal.service.attachment', 'service',
        "Required Attachments")
    fee = fields.Numeric(
        "Fee", digits=(16, 2),
        help="Empty when the service is free of charge.")
    fee_basis = fields.Char(
        "Legal Basis of the Fee", translate=True,
        states={'invisible': ~Eval('fee')})
    document_type = fields.Many2One(
        'document_registry.document_type', "Document Type", required=True,
        ondelete='RESTRICT',
        domain=['OR',
            ('company', '=', None),
            ('company', '=', Eval('company', -1)),
            ],
        help="The registry's type: its answer term applies.")
    registry = fields.Many2One(
        'document_registry.register', "Register", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'invisible': ~Eval('company')},
        help="Empty for the general register of the municipality.")
    department = fields.Many2One(
        'staff.department', "Department", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'invisible': ~Eval('company')},
        help="The department the request is assigned to at registration.")
    deadline_days = fields.Integer(
        "Answer Term (days)",
        help="Calendar days from the registration, only when the document "
        "type has no answer term of its own.")
    anonymous_note = fields.Boolean(
        "Identified Requester Only",
        help="Show that anonymous petitions are not accepted online (OG "
        "27/2002 art. 7).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.company, t.code),
                'citizen_portal.msg_service_code_unique'),
            ]
        cls._order.insert(1, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_anonymous_note(cls):
        return False

    @property
    def answer_rule(self):
        return self.document_type.answer_rule if self.document_type else None

    def register_of(self, company):
        "The register the requests are registered in"
        Register = Pool().get('document_registry.register')
        if self.registry:
            return self.registry
        registers = Register.search([
                ('company', '=', company.id),
                ('department', '=', None),
                ], order=[('id', 'ASC')], limit=1)
        if not registers:
            raise ServiceError(gettext(
                    'citizen_portal.msg_service_no_register',
                    service=self.name))
        return registers[0]

    @classmethod
    def copy_templates(cls, companies):
        """Give each municipality its copies of the template services it
        does not have yet (by code), and the translations loaded since the
        copy to the texts it has not changed"""
        templates = cls.search([('company', '=', None)])
        for company in companies:
            have = {s.code: s for s in cls.search([
                        ('company', '=', company.id),
                        ('active', 'in', [True, False]),
                        ])}
            missing = [t for t in templates if t.code not in have]
            if missing:
                cls.copy(missing, default={'company': company.id})
            for template in templates:
                if template.code in have:
                    template.sync_translations(have[template.code])

    def sync_translations(self, copy):
        pairs = [(self, copy)]
        for name in ['form_fields', 'attachments']:
            mine = {r.name: r for r in getattr(copy, name)}
            pairs.extend((r, mine[r.name]) for r in getattr(self, name)
                if r.name in mine)
        for template, record in pairs:
            _sync_translations(template, record)


def _sync_translations(template, record):
    """Write the template's translations on the copy record where it still
    has the template's text and no translation of its own"""
    pool = Pool()
    Lang = pool.get('ir.lang')
    Configuration = pool.get('ir.configuration')
    Model = record.__class__
    names = [n for n, f in Model._fields.items()
        if getattr(f, 'translate', False) and f._type in {'char', 'text'}]
    default = Configuration.get_language()

    def read():
        rows = {r['id']: r for r in Model.read(
                [template.id, record.id], names)}
        return rows[template.id], rows[record.id]
    with Transaction().set_context(language=default):
        base_template, base_record = read()
    for lang in Lang.search([('translatable', '=', True)]):
        if lang.code == default:
            continue
        with Transaction().set_context(language=lang.code):
            translated, current = read()
            values = {n: translated[n] for n in names
                if base_record[n] == base_template[n]
                and current[n] == base_record[n]
                and translated[n] != current[n]}
            if values:
                Model.write([Model(record.id)], values)


class ServiceField(sequence_ordered(), ModelSQL, ModelView):
    "A field of the service's form"
    __name__ = 'citizen_portal.service.field'
    __string__ = "Portal Service Field"

    service = fields.Many2One(
        'citizen_portal.service', "Service", required=True,
        ondelete='CASCADE')
    name = fields.Char(
        "Name", required=True,
        help="Lower-case letters, digits and _: the name of the input.")
    label = fields.Char("Label", required=True, translate=True)
    type = fields.Selection(FIELD_TYPES, "Type", required=True)
    required = fields.Boolean("Required")
    help = fields.Text("Help", translate=True)
    choices = fields.Text(
        "Choices", translate=True,
        states={
            'invisible': Eval('type') != 'choice',
            'required': Eval('type') == 'choice',
            },
        help="One choice a line.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('name_unique', Unique(t, t.service, t.name),
                'citizen_portal.msg_service_field_unique'),
            ]

    @classmethod
    def default_type(cls):
        return 'text'

    @classmethod
    def default_required(cls):
        return False

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        for record in records:
            if not record.name.isidentifier() or record.name != (
                    record.name.lower()):
                raise ServiceError(gettext(
                        'citizen_portal.msg_service_field_name',
                        name=record.name))

    @property
    def choice_list(self):
        return [c.strip() for c in (self.choices or '').splitlines()
            if c.strip()]


class ServiceAttachment(sequence_ordered(), ModelSQL, ModelView):
    "A file the citizen attaches to the request"
    __name__ = 'citizen_portal.service.attachment'
    __string__ = "Portal Service Attachment"

    service = fields.Many2One(
        'citizen_portal.service', "Service", required=True,
        ondelete='CASCADE')
    name = fields.Char("Name", required=True,
        help="Lower-case letters, digits and _: the name of the input.")
    label = fields.Char("Label", required=True, translate=True)
    required = fields.Boolean("Required")
    accepted_types = fields.Char(
        "Accepted Types", required=True,
        help="Extensions separated by commas among pdf, png, jpg, tif; the "
        "registry checks each file by its content.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('name_unique', Unique(t, t.service, t.name),
                'citizen_portal.msg_service_field_unique'),
            ]

    @classmethod
    def default_required(cls):
        return False

    @classmethod
    def default_accepted_types(cls):
        return 'pdf,jpg,png'

    @property
    def extensions(self):
        return [e.strip().lower().lstrip('.')
            for e in (self.accepted_types or '').split(',') if e.strip()]

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        for record in records:
            if (not record.extensions
                    or set(record.extensions) - ACCEPTED_TYPES
                    or not record.name.isidentifier()):
                raise ServiceError(gettext(
                        'citizen_portal.msg_service_attachment_types',
                        name=record.name))


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    @classmethod
    def create(cls, vlist):
        companies = super().create(vlist)
        Pool().get('citizen_portal.service').copy_templates(companies)
        return companies


class SetupServicesStart(ModelView):
    __name__ = 'citizen_portal.service.setup.start'
    __string__ = "Create the Standard Services"

    company = fields.Many2One(
        'company.company', "Municipality", required=True)


class SetupServices(Wizard):
    "Copy the shipped services to a municipality"
    __name__ = 'citizen_portal.service.setup'

    start = StateView(
        'citizen_portal.service.setup.start',
        'citizen_portal.service_setup_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateTransition()

    def default_start(self, fields):
        return {'company': Transaction().context.get('company')}

    def transition_create_(self):
        Pool().get('citizen_portal.service').copy_templates(
            [self.start.company])
        return 'end'
