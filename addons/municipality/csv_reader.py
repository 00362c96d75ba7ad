# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The reader of the CSV files a city hall imports (SIRUTA, holiday
calendars, Code tables, council decisions, bank statements, archive
metadata).

A file comes from a spreadsheet: UTF-8 with or without a byte order mark,
or Windows-1250 (what Excel saves as "CSV" on a Romanian Windows), with
commas or semicolons.  The whole file is read and checked before anything
is written; an error names the line (the line of the file, the header
being line 1) and is translatable."""
import csv
import io

from trytond.i18n import gettext

from .exceptions import CSVError

# utf-8-sig reads UTF-8 with or without a byte order mark
ENCODINGS = ('utf-8-sig', 'cp1250')
DELIMITERS = (',', ';')
MESSAGES = {
    'encoding': 'municipality.msg_csv_encoding',
    'empty': 'municipality.msg_csv_empty',
    'columns': 'municipality.msg_csv_columns',
    'value': 'municipality.msg_csv_value',
    }


def decode(data, encodings=ENCODINGS):
    "The text of data in the first of encodings that decodes it, or None"
    if isinstance(data, str):
        return data
    data = bytes(data)
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue


def sniff_delimiter(header):
    "The delimiter used most in the header line (a comma on a tie)"
    return max(DELIMITERS, key=header.count)


def read_csv(data, required=(), filled=(), types=None, encodings=ENCODINGS,
        header=str.lower, error=CSVError, messages=None, **details):
    """The non-empty rows of data (bytes or text) as (line, row).

    row maps each column of the header (stripped, through header: lower
    case by default) to its stripped value; a column of types is converted
    by its function (None when empty).  A file in none of encodings,
    without a header, without a column of required, with a row without a
    value in a column of filled or with a value a type refuses raises
    error with the message of messages (a key of MESSAGES → an ir.message
    id), formatted with details, the columns, the line, the column and the
    value."""
    messages = {**MESSAGES, **(messages or {})}
    types = types or {}

    def fail(key, **values):
        return error(gettext(messages[key], **details, **values))

    text = decode(data, encodings)
    if text is None:
        raise fail('encoding')
    first_line = text.split('\n', 1)[0]
    reader = csv.DictReader(
        io.StringIO(text), delimiter=sniff_delimiter(first_line))
    if not reader.fieldnames or not any(f.strip() for f in reader.fieldnames):
        raise fail('empty', columns=', '.join(sorted(required)))
    reader.fieldnames = [header(f.strip()) for f in reader.fieldnames]
    missing = (set(required) | set(filled)) - set(reader.fieldnames)
    if missing:
        raise fail('columns', columns=', '.join(sorted(missing)))
    rows = []
    for raw in reader:
        row = {k: (v or '').strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        line = reader.line_num
        for column in filled:
            if not row[column]:
                raise fail('value', line=line, column=column, value='')
        for column, type_ in types.items():
            value = row.get(column, '')
            if not value:
                row[column] = None
                continue
            try:
                row[column] = type_(value)
            except (ValueError, TypeError, ArithmeticError):
                raise fail('value', line=line, column=column, value=value)
        rows.append((line, row))
    return rows
