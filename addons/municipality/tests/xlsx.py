# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Reading back, in tests, the workbooks of municipality.spreadsheet: an
XLSX file is read as what it is, a zip of XML parts (openpyxl is not a
dependency)."""
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

from lxml import etree

NS = {'x': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
EXCEL_EPOCH = dt.date(1899, 12, 30)


def column_index(reference):
    letters = re.match(r'[A-Z]+', reference).group()
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord('A') + 1
    return index - 1


def read_xlsx(data, styles=False):
    """The rows of the first worksheet: strings, numbers (as Decimal
    rounded to cents) and None for empty cells"""
    with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
        self_test = xlsx.testzip()
        assert self_test is None, self_test
        shared = []
        if 'xl/sharedStrings.xml' in xlsx.namelist():
            root = etree.fromstring(xlsx.read('xl/sharedStrings.xml'))
            shared = [''.join(si.itertext())
                for si in root.findall('x:si', NS)]
        root = etree.fromstring(xlsx.read('xl/worksheets/sheet1.xml'))
    rows = []
    for row in root.iterfind('x:sheetData/x:row', NS):
        values = {}
        for cell in row.iterfind('x:c', NS):
            index = column_index(cell.get('r'))
            kind = cell.get('t')
            if kind == 'inlineStr':
                values[index] = ''.join(cell.find('x:is', NS).itertext())
            elif kind == 's':
                values[index] = shared[int(cell.find('x:v', NS).text)]
            elif kind == 'str' or cell.find('x:f', NS) is not None:
                values[index] = ('=', cell.find('x:f', NS).text)
            elif cell.find('x:v', NS) is not None:
                values[index] = Decimal(cell.find('x:v', NS).text).quantize(
                    Decimal('0.01'))
        width = max(values) + 1 if values else 0
        rows.append([values.get(i) for i in range(width)])
    return rows


def sheet_names(data):
    "The names of the worksheets"
    with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
        root = etree.fromstring(xlsx.read('xl/workbook.xml'))
    return [s.get('name') for s in root.iterfind('x:sheets/x:sheet', NS)]


def as_date(serial):
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))
