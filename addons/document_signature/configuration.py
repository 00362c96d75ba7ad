# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.pool import Pool

from . import pades
from .exceptions import ConfigurationError

FIELDS = {'tsa_url', 'trusted_roots', 'reason', 'location',
    'fetch_revocation'}


class Configuration(ModelSingleton, ModelSQL, ModelView,
        CompanyMultiValueMixin):
    __name__ = 'document_signature.configuration'
    __string__ = "Electronic Signature Configuration"

    tsa_url = fields.MultiValue(fields.Char(
            "Time-Stamping Service",
            help="The URL of the RFC 3161 time-stamping service (a "
            "qualified one in production). When set, every signature "
            "carries a time stamp."))
    trusted_roots = fields.MultiValue(fields.Text(
            "Trusted Roots",
            help="The root certificates (PEM, one or more) of the trust "
            "service providers whose signatures are accepted, including "
            "those of the time-stamping services."))
    reason = fields.MultiValue(fields.Char(
            "Default Reason",
            help="The reason written in the signatures of the municipality "
            "when the caller gives none."))
    location = fields.MultiValue(fields.Char(
            "Default Location",
            help="The place written in the signatures of the municipality "
            "when the caller gives none."))
    fetch_revocation = fields.MultiValue(fields.Boolean(
            "Check Revocation Online",
            help="Fetch the revocation lists and OCSP answers named in the "
            "certificates when signing and verifying (needs network "
            "access from the server)."))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field in FIELDS:
            return pool.get('document_signature.configuration.company')
        return super().multivalue_model(field)

    @classmethod
    def default_fetch_revocation(cls, **pattern):
        return False

    @classmethod
    def get_value(cls, name, company):
        "The value of name for company"
        configuration = cls(1)
        return configuration.get_multivalue(
            name, company=getattr(company, 'id', company))

    @classmethod
    def get_roots(cls, company):
        "The trusted roots of company (asn1crypto certificates)"
        text = cls.get_value('trusted_roots', company)
        if not text or not text.strip():
            return []
        return pades.load_roots(text)


class ConfigurationCompany(ModelSQL, CompanyValueMixin):
    __name__ = 'document_signature.configuration.company'
    __string__ = "Electronic Signature Configuration per Municipality"

    tsa_url = fields.Char("Time-Stamping Service")
    trusted_roots = fields.Text("Trusted Roots")
    reason = fields.Char("Default Reason")
    location = fields.Char("Default Location")
    fetch_revocation = fields.Boolean("Check Revocation Online")

    @classmethod
    def default_fetch_revocation(cls):
        return False

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        if field_names is None or field_names & {'trusted_roots', 'tsa_url'}:
            for record in records:
                record.check_roots()
                record.check_tsa_url()

    def check_roots(self):
        if self.trusted_roots and self.trusted_roots.strip():
            try:
                pades.load_roots(self.trusted_roots)
            except ValueError as exception:
                raise ConfigurationError(gettext(
                        'document_signature.msg_trusted_roots_invalid')
                    ) from exception

    def check_tsa_url(self):
        if self.tsa_url and not self.tsa_url.startswith(
                ('http://', 'https://')):
            raise ConfigurationError(gettext(
                    'document_signature.msg_tsa_url_invalid',
                    url=self.tsa_url))
