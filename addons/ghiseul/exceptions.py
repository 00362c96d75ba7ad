# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class ConfigurationError(ValidationError):
    "The Ghișeul.ro configuration of a municipality is missing or wrong"


class CardPaymentError(UserError):
    "A card payment cannot be started or confirmed"


class ConfirmationError(CardPaymentError):
    "A confirmation contradicts what is known of the transaction"


class ConfirmationParked(ConfirmationError):
    """A confirmation of another taxpayer than the transaction's: nothing is
    booked and the transaction waits for a clerk (state to reconcile),
    which is kept when the confirmation is refused"""


class SettlementError(UserError):
    "A settlement report cannot be fetched"


class ImmutableError(AccessError):
    "A logged message or a record made by the connector cannot be changed"
