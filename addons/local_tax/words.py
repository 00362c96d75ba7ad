# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Amounts in words, in Romanian, for receipts ("suma în litere").

num2words 0.5.14 (lang='ro') gives the words of the numbers up to 999
right ("o sută douăzeci și unu", "două sute doi", "nouăsprezece") but its
currency mode gets the grammar of receipts wrong.  Observed:

* ``to_currency`` forces the numeral "one" to "una": "una mie de lei",
  "una sută de lei", "una sută unu lei" (instead of "o mie", "o sută");
  it does so by changing an attribute of the converter and restores it
  without ``try/finally``, so the shared converter of ``num2words()`` can
  stay corrupted;
* the thousands and millions do not agree with their noun:
  "douăzeci și unu de mii" (mie is feminine: "douăzeci și una de mii"),
  "o sută doi de mii" ("o sută două mii"), "o sută doisprezece de mii"
  ("o sută douăsprezece mii"), "o sută doi milioane" ("o sută două
  milioane");
* the preposition "de" of the thousands and millions does not follow
  the rule of the last two digits: "o sută unu de mii" but "douăzeci și
  unu milioane" ("douăzeci și unu de milioane").

So the wrapper below asks num2words, with a fresh ``Num2Word_RO`` per call
(never the shared instance), only for the groups of three digits, and
puts the groups, the scale words (mie, milion, miliard) and the currency
nouns (leu, ban) together itself:

* a noun after a numeral whose last two digits are 00 or 20–99 takes "de"
  (douăzeci de lei, o sută de lei, o mie de lei, douăzeci și unu de lei),
  one whose last two digits are 01–19 does not (o sută unu lei,
  nouăsprezece lei, o sută două mii);
* "one" before the noun is "un" (un leu, un ban, un milion, un miliard)
  or "o" (o mie, o sută); a group ending in one or two before a feminine
  noun is "una", "două", "douăsprezece" (douăzeci și una de mii,
  douăsprezece mii), before a neuter noun (milion, miliard) "unu", "două",
  "douăsprezece" (douăzeci și unu de milioane, două milioane)."""
import re
from decimal import ROUND_HALF_UP, Decimal

from num2words.lang_RO import Num2Word_RO

CENT = Decimal('0.01')

# (value, singular, plural, feminine): the scale words above the units
SCALES = [
    (10 ** 9, "un miliard", "miliarde", False),
    (10 ** 6, "un milion", "milioane", False),
    (10 ** 3, "o mie", "mii", True),
    ]


def _cardinal(number):
    "The masculine cardinal of 0 ≤ number < 1000, from num2words"
    assert 0 <= number < 1000
    # a fresh converter: to_currency mutates the instance's numerals
    return Num2Word_RO().to_cardinal(number)


def _takes_de(number):
    "A noun after the number is preceded by 'de' (last two digits 00, 20+)"
    return number > 0 and (number % 100 == 0 or number % 100 >= 20)


def _feminine(words):
    """The group's words before a feminine noun (mie): a last 'unu'
    becomes 'una', a last 'doi' or 'doisprezece' 'două…'"""
    words = re.sub(r'\bunu$', 'una', words)
    words = re.sub(r'\bdoi$', 'două', words)
    return re.sub(r'\bdoisprezece$', 'douăsprezece', words)


def _neuter(words):
    """The group's words before a neuter noun (milion, miliard): the
    plural takes the feminine 'două', 'douăsprezece'; 'unu' stays"""
    words = re.sub(r'\bdoi$', 'două', words)
    return re.sub(r'\bdoisprezece$', 'douăsprezece', words)


def number_in_words(number):
    "The cardinal of a whole number ≥ 0 in Romanian, in its masculine form"
    number = int(number)
    if number < 0:
        raise ValueError(number)
    if number == 0:
        return _cardinal(0)
    parts = []
    rest = number
    for value, singular, plural, feminine in SCALES:
        count, rest = divmod(rest, value)
        if not count:
            continue
        if count == 1:
            parts.append(singular)
            continue
        words = number_in_words(count) if count >= 1000 else _cardinal(count)
        words = _feminine(words) if feminine else _neuter(words)
        if _takes_de(count):
            words += " de"
        parts.append(f"{words} {plural}")
    if rest:
        parts.append(_cardinal(rest))
    return " ".join(parts)


def _with_noun(number, singular, plural):
    "The number and its masculine noun: un leu, doi lei, douăzeci de lei"
    if number == 1:
        return f"un {singular}"
    words = number_in_words(number)
    if _takes_de(number):
        return f"{words} de {plural}"
    return f"{words} {plural}"


def amount_in_words(amount):
    """The amount of lei in words as written on receipts:
    1 234.56 → "o mie două sute treizeci și patru de lei și cincizeci și
    șase de bani"; 0.50 → "cincizeci de bani"; 0 → "zero lei"."""
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = ""
    if amount < 0:
        sign, amount = "minus ", -amount
    lei = int(amount)
    bani = int((amount - lei) * 100)
    parts = []
    if lei or not bani:
        parts.append(_with_noun(lei, "leu", "lei"))
    if bani:
        parts.append(_with_noun(bani, "ban", "bani"))
    return sign + " și ".join(parts)
