# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class DeadlineError(ValidationError):
    pass


class RegistrationError(ValidationError):
    pass


class RegisteredAccessError(AccessError):
    pass


class AttachmentError(ValidationError):
    pass


class WorkflowError(UserError):
    pass


class ArchiveError(ValidationError):
    pass


class ImportError_(UserError):
    pass


class IntegrityError_(UserError):
    pass
