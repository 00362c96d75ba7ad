# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class InvalidIdentifier(ValidationError):
    pass


class DuplicateIdentifier(ValidationError):
    pass


class PersonError(ValidationError):
    pass


class AddressError(ValidationError):
    pass


class AreaError(ValidationError):
    pass


class BuildingError(ValidationError):
    pass


class VehicleError(ValidationError):
    pass


class OwnershipError(ValidationError):
    pass


class SirutaImportError(UserError):
    pass


class TerritoryError(ValidationError):
    pass


class CalendarError(UserError):
    pass


class CSVError(UserError):
    "A CSV file cannot be read"
