# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class CodeTableError(ValidationError):
    "A Code table or one of its lines is inconsistent"


class CodeTableImportError(UserError):
    "A Code table file cannot be imported"


class OutOfRangeError(ValidationError):
    "A council decision sets a value outside the Code's bounds"


class DecisionError(ValidationError):
    "A council decision is incomplete or inconsistent"


class ApprovedDecisionError(AccessError):
    "An approved council decision cannot be changed"


class NoDecisionError(UserError):
    "No approved council decision applies"


class MissingParameterError(UserError):
    "The Code table or the council decision lacks a value a rule needs"


class TaxObjectError(UserError):
    "The data of a building, parcel or vehicle do not allow the tax"


class TaxValueError(ValidationError):
    "The taxable value recorded on a building is incomplete"


class ObligationError(ValidationError):
    "A fiscal obligation is inconsistent"


class PostedObligationError(AccessError):
    "A booked obligation, reduction or payment cannot be changed"


class PaymentError(UserError):
    "A payment cannot be booked"


class IssuedDecisionError(AccessError):
    "An issued tax decision cannot be changed"


class ExemptionError(ValidationError):
    "An exemption is inconsistent"


class BankStatementError(UserError):
    "A bank statement file cannot be read"


class CashDeskError(UserError):
    "A payment cannot be booked or a receipt issued at a cash desk"


class CashDeskClosedError(CashDeskError):
    "The day of the cash desk is closed"


class ReceiptError(AccessError):
    "An issued receipt or a closed cash-desk day cannot be changed"


class CertificateError(UserError):
    "A fiscal certificate cannot be issued"


class IssuedCertificateError(AccessError):
    "An issued fiscal certificate cannot be changed"


class ExportError(UserError):
    "An export cannot be made"
