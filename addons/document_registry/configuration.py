# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.pool import Pool

# Defaults of the per-municipality values; each municipality can change them.
DEFAULTS = {
    # The registry's own limit for one attached file (not a legal figure)
    'attachment_max_size': 20 * 1024 * 1024,
    # OG 27/2002 art. 8 makes the head of the authority answerable for the
    # term: the clerk is reminded this many days before the deadline…
    'reminder_days': 3,
    # …and the head of department is told when it has passed by this many.
    'escalation_days': 0,
    }



class Configuration(ModelSingleton, ModelSQL, ModelView,
        CompanyMultiValueMixin):
    __name__ = 'document_registry.configuration'
    __string__ = "Registry Configuration"

    attachment_max_size = fields.MultiValue(fields.Integer(
            "Maximum Attachment Size",
            help="In bytes. A larger file is refused.",
            domain=['OR',
                ('attachment_max_size', '=', None),
                ('attachment_max_size', '>', 0),
                ]))
    reminder_days = fields.MultiValue(fields.Integer(
            "Reminder Days",
            help="The clerk is reminded this many days before the deadline."))
    escalation_days = fields.MultiValue(fields.Integer(
            "Escalation Days",
            help="The head of the department is told when the deadline has "
            "passed by this many days."))
    import_root = fields.Char(
        "Import Folder",
        help="The folder of the server under which the digitised archive "
        "is read by the electronic archive import.")

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field in DEFAULTS:
            return pool.get('document_registry.configuration.company')
        return super().multivalue_model(field)

    @classmethod
    def default_attachment_max_size(cls, **pattern):
        return DEFAULTS['attachment_max_size']

    @classmethod
    def default_reminder_days(cls, **pattern):
        return DEFAULTS['reminder_days']

    @classmethod
    def default_escalation_days(cls, **pattern):
        return DEFAULTS['escalation_days']

    @classmethod
    def get_value(cls, name, company=None):
        "The value of name for the company (of the context when None)"
        configuration = cls(1)
        pattern = {}
        if company is not None:
            pattern['company'] = getattr(company, 'id', company)
        value = configuration.get_multivalue(name, **pattern)
        return DEFAULTS[name] if value is None else value


class ConfigurationCompany(ModelSQL, CompanyValueMixin):
    __name__ = 'document_registry.configuration.company'
    __string__ = "Registry Configuration per Municipality"

    attachment_max_size = fields.Integer("Maximum Attachment Size")
    reminder_days = fields.Integer("Reminder Days")
    escalation_days = fields.Integer("Escalation Days")

    @classmethod
    def default_attachment_max_size(cls):
        return DEFAULTS['attachment_max_size']

    @classmethod
    def default_reminder_days(cls):
        return DEFAULTS['reminder_days']

    @classmethod
    def default_escalation_days(cls):
        return DEFAULTS['escalation_days']
