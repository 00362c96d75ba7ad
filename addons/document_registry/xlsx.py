# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"XLSX exports written row by row in constant memory (XlsxWriter's constant_memory mode)"
import os
import tempfile

import xlsxwriter

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tools import grouped_slice


def _workbook(write):
    "Run write(workbook) on a constant-memory workbook; return the bytes"
    handle, path = tempfile.mkstemp(suffix='.xlsx')
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(path, {'constant_memory': True})
        write(workbook)
        workbook.close()
        with open(path, 'rb') as file:
            return file.read()
    finally:
        os.unlink(path)


def _party(party):
    return party.rec_name if party else ''


def _date(value):
    return value.strftime('%d.%m.%Y') if value else ''


# The columns of the register (Instrucțiunile 217/1996 art. 9)
REGISTER_COLUMNS = [
    ('number', 'document_registry.msg_col_number'),
    ('date', 'document_registry.msg_col_date'),
    ('sender', 'document_registry.msg_col_sender_ref'),
    ('pages', 'document_registry.msg_col_pages'),
    ('annexes', 'document_registry.msg_col_annexes'),
    ('issuer', 'document_registry.msg_col_issuer'),
    ('summary', 'document_registry.msg_col_summary'),
    ('department', 'document_registry.msg_col_department'),
    ('dispatch', 'document_registry.msg_col_dispatch'),
    ('resolution', 'document_registry.msg_col_resolution'),
    ('recipient', 'document_registry.msg_col_recipient'),
    ('linked', 'document_registry.msg_col_linked'),
    ('index', 'document_registry.msg_col_file_index'),
    ]


def register_row(document):
    return [
        document.number or '',
        _date(document.date),
        ' / '.join(filter(None, [
                    document.sender_number, _date(document.sender_date)])),
        document.pages or 0,
        document.annexes or 0,
        _party(document.issuer),
        document.summary or '',
        document.department.rec_name if document.department else '',
        _date(document.dispatch_date),
        document.resolution or '',
        _party(document.recipient),
        (document.linked_to.rec_name if document.linked_to
            else (document.reply_to.rec_name if document.reply_to else '')),
        document.file_index.code if document.file_index else '',
        ]


def write_register(register, start, end):
    "The register of the period as XLSX (registrul de intrare-ieșire)"
    Document = Pool().get('document_registry.document')
    documents = Document.search([
            ('registry', '=', register.id),
            ('state', '!=', 'draft'),
            ('date', '>=', start),
            ('date', '<=', end),
            ], order=[('year', 'ASC'), ('number_int', 'ASC'),
            ('reply_to', 'DESC'), ('id', 'ASC')])

    def write(workbook):
        sheet = workbook.add_worksheet(register.code[:31])
        bold = workbook.add_format({'bold': True})
        sheet.write_row(0, 0, [gettext(
                    'document_registry.msg_register_title',
                    register=register.rec_name,
                    start=_date(start), end=_date(end))], bold)
        sheet.write_row(1, 0, [gettext(m) for _, m in REGISTER_COLUMNS],
            bold)
        row = 2
        for sub in grouped_slice(documents, 1000):
            for document in Document.browse([d.id for d in sub]):
                sheet.write_row(row, 0, register_row(document))
                row += 1
    return _workbook(write)


INVENTORY_COLUMNS = [
    'document_registry.msg_col_item',
    'document_registry.msg_col_file_index',
    'document_registry.msg_col_content',
    'document_registry.msg_col_dates',
    'document_registry.msg_col_pages',
    'document_registry.msg_col_notes',
    ]


def write_inventory(handover):
    "The inventory of the hand-over (Legea 16/1996, Annex 2)"
    def write(workbook):
        sheet = workbook.add_worksheet('Inventar')
        bold = workbook.add_format({'bold': True})
        sheet.write_row(0, 0, [gettext(
                    'document_registry.msg_inventory_title',
                    department=handover.department.rec_name,
                    date=_date(handover.date))], bold)
        sheet.write_row(1, 0, [gettext(m) for m in INVENTORY_COLUMNS], bold)
        files = sorted(handover.files,
            key=lambda f: (f.year, f.file_index.code, f.id))
        for i, file in enumerate(files, start=1):
            sheet.write_row(i + 1, 0, [
                    i,
                    file.file_index.code,
                    f'{file.name} ({file.year})',
                    ' – '.join(filter(None, [
                                _date(file.start_date),
                                _date(file.end_date)])),
                    file.pages or 0,
                    file.retention_string,
                    ])
    return _workbook(write)
