# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class CertificateError(ValidationError):
    pass


class ConfigurationError(ValidationError):
    pass


class SigningError(UserError):
    pass


class SignatureReadonlyError(AccessError):
    pass
