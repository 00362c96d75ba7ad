# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError


class AccountError(UserError):
    pass


class MandateError(UserError):
    pass


class ServiceError(UserError):
    pass


class RequestError(UserError):
    pass


class EnrolmentError(UserError):
    pass
