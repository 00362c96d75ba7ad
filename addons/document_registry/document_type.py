# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pyson import Eval

PROCEDURES = [
    ('petition', "Petition (OG 27/2002)"),
    ('information', "Public Information Request (Legea 544/2001)"),
    ('information_complaint',
        "Administrative Complaint (Legea 544/2001 art. 21)"),
    ('generic', "Other"),
    ]

_RULE_DOMAIN = [('active', '=', True)]


class DocumentType(DeactivableMixin, ModelSQL, ModelView):
    """A kind of document with its procedure and its legal terms.

    The terms are deadline rules (data): an administrator adds types such as
    an urbanism request or a tax declaration with their own terms."""
    __name__ = 'document_registry.document_type'
    __string__ = "Document Type"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    company = fields.Many2One(
        'company.company', "Municipality", ondelete='CASCADE',
        help="Empty for a type used by every municipality.")
    procedure = fields.Selection(PROCEDURES, "Procedure", required=True)
    procedure_string = procedure.translated('procedure')
    answer_rule = fields.Many2One(
        'document_registry.deadline_rule', "Answer Term",
        ondelete='RESTRICT', domain=_RULE_DOMAIN,
        help="The term to answer, from the registration.")
    extension_rule = fields.Many2One(
        'document_registry.deadline_rule', "Extended Term",
        ondelete='RESTRICT', domain=_RULE_DOMAIN,
        help="The term when it is extended, decided and notified before "
        "the answer term ends.")
    extension_from = fields.Selection([
            ('deadline', "From the Answer Term"),
            ('registration', "From the Registration"),
            ], "Extension Counted",
        states={'invisible': ~Eval('extension_rule')},
        help="OG 27/2002 art. 9 adds days to the answer term; Legea "
        "544/2001 art. 7(1) sets a term counted from the registration.")
    forward_rule = fields.Many2One(
        'document_registry.deadline_rule', "Forwarding Term",
        ondelete='RESTRICT', domain=_RULE_DOMAIN,
        help="The term to forward a misdirected document to the competent "
        "authority.")
    refusal_rule = fields.Many2One(
        'document_registry.deadline_rule', "Refusal Term",
        ondelete='RESTRICT', domain=_RULE_DOMAIN,
        help="The term to communicate a reasoned refusal.")
    complaint_rule = fields.Many2One(
        'document_registry.deadline_rule', "Complaint Term",
        ondelete='RESTRICT', domain=_RULE_DOMAIN,
        help="The term the requester has to complain of a refusal.")
    anonymous_filed = fields.Boolean(
        "Anonymous Filed",
        help="A document without the identification of its author is filed "
        "without an answer (OG 27/2002 art. 7).")
    legal_basis = fields.Char("Legal Basis")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.company, t.code),
                'document_registry.msg_document_type_code_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_procedure(cls):
        return 'generic'

    @classmethod
    def default_extension_from(cls):
        return 'deadline'

    @classmethod
    def default_anonymous_filed(cls):
        return False
