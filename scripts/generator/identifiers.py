"""Romanian identifiers for the demo data: CNP, CUI, SIRUTA, IBAN, VIN, plates.

CNP, CUI and IBAN check digits come from python-stdnum; SIRUTA, VIN and
the new trade register number follow the published rules of INS and ONRC
and their own standards; the tests check the results against python-stdnum
where it has a validator.
"""
import datetime

from stdnum import iban as stdnum_iban
from stdnum.ro import cnp as stdnum_cnp
from stdnum.ro import cui as stdnum_cui

SIRUTA_WEIGHTS = (1, 2, 3, 5, 7)


def cnp_sex_digit(sex, birth_date):
    "S: 1/2 for 1900–1999, 3/4 for 1800–1899, 5/6 for 2000–2099"
    base = {18: 3, 19: 1, 20: 5}[birth_date.year // 100]
    return base + (0 if sex == 'male' else 1)


def make_cnp(sex, birth_date, county, sequence):
    "Build a CNP; county is 'JJ' (01–52 or 70), sequence 1–999"
    assert 1 <= sequence <= 999, sequence
    first12 = (f'{cnp_sex_digit(sex, birth_date)}'
        f'{birth_date:%y%m%d}{county}{sequence:03d}')
    return first12 + stdnum_cnp.calc_check_digit(first12)


def make_cui(base):
    "base: 1–9 digits, the first non-zero"
    base = str(base)
    assert base[0] != '0' and 1 <= len(base) <= 9, base
    return base + stdnum_cui.calc_check_digit(base)


def siruta_check_digit(base):
    """Check digit of a SIRUTA code: digits right to left weighted
    1, 2, 3, 5, 7; add the digits of each product;
    check = (11 − sum mod 10) mod 10"""
    total = 0
    for digit, weight in zip(reversed(str(base)), SIRUTA_WEIGHTS):
        total += sum(int(c) for c in str(int(digit) * weight))
    return str((11 - total % 10) % 10)


def make_siruta(base):
    return f'{base}{siruta_check_digit(base)}'


def siruta_is_valid(code):
    code = str(code)
    return (code.isdigit() and len(code) >= 2
        and siruta_check_digit(code[:-1]) == code[-1])


def make_ro_iban(bank, account):
    "RO IBAN from a 4-letter bank code and a 16-character account"
    assert len(bank) == 4 and len(account) == 16, (bank, account)
    number = f'RO00{bank}{account}'
    check = stdnum_iban.calc_check_digits(number)
    return f'RO{check}{bank}{account}'


def treasury_iban(treasury_code, revenue_code):
    """IBAN of a budget revenue account at a Trezorerie, shaped like the real
    ones: TREZ + treasury (3 digits) + 21A + revenue code (8) + XX"""
    digits = revenue_code.replace('.', '').ljust(8, '0')[:8]
    return make_ro_iban('TREZ', f'{treasury_code}21A{digits}XX')


# VIN (ISO 3779): the check digit in position 9 is the North-American rule;
# European makers do not all use it, but computing it does no harm.
VIN_CHARS = '0123456789ABCDEFGHJKLMNPRSTUVWXYZ'
_VIN_VALUES = {str(d): d for d in range(10)}
_VIN_VALUES.update(dict(zip('ABCDEFGH', range(1, 9))))
_VIN_VALUES.update(dict(zip('JKLMN', range(1, 6))))
_VIN_VALUES.update({'P': 7, 'R': 9})
_VIN_VALUES.update(dict(zip('STUVWXYZ', range(2, 10))))
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789'   # 1980 = A, 2010 = A …


def vin_check_digit(vin):
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, VIN_WEIGHTS))
    rest = total % 11
    return 'X' if rest == 10 else str(rest)


def make_vin(rng, wmi, model_year):
    "A 17-character VIN with the WMI of the make and a valid check digit"
    vds = ''.join(rng.choice(VIN_CHARS[:-1]) for _ in range(5))
    year = VIN_YEAR_CODES[(model_year - 1980) % 30]
    plant = rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')
    serial = f'{rng.randrange(10 ** 6):06d}'
    vin = f'{wmi:<3.3}{vds}0{year}{plant}{serial}'.replace(' ', '9')
    return vin[:8] + vin_check_digit(vin) + vin[9:]


# Romanian plates: the county letters, two digits (01–99) and three letters;
# the letter group does not start with I or O and Q is never used.
PLATE_FIRST = 'ABCDEFGHJKLMNPRSTUVWXYZ'
PLATE_OTHER = 'ABCDEFGHIJKLMNOPRSTUVWXYZ'


def make_plate(rng, county='CJ'):
    return (f'{county}{rng.randrange(1, 100):02d}{rng.choice(PLATE_FIRST)}'
        f'{rng.choice(PLATE_OTHER)}{rng.choice(PLATE_OTHER)}')


def random_date(rng, start, end):
    "A date in [start, end] (both datetime.date)"
    span = (end - start).days
    return start + datetime.timedelta(days=rng.randint(0, max(span, 0)))


def make_onrc(prefix, county, serial, year):
    """Trade register number: J12/1234/2015 until 2024; from 2025 the new
    format J + year + 6-digit serial + 00 + check digit (the county is no
    longer in the number; ONRC change of 26.07.2024)"""
    if year <= 2024:
        return f'{prefix}{county}/{serial}/{year}'
    number = f'{prefix}{year}{serial:06d}00'
    digits = str(ord(prefix) % 10) + number[1:]
    return number + str(sum(int(d) for d in digits) % 10)
