# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""XLSX exports of the registry: their columns and row readers, written by
the one constant-memory sheet writer of municipality.spreadsheet"""
from trytond.i18n import gettext
from trytond.modules.municipality.spreadsheet import Column, sheet_bytes
from trytond.pool import Pool
from trytond.tools import grouped_slice


def _party(party):
    return party.rec_name if party else ''


def _date(value):
    return value.strftime('%d.%m.%Y') if value else ''


# The columns of the register (Instrucțiunile 217/1996 art. 9)
REGISTER_COLUMNS = [
    ('document_registry.msg_col_number', 'text', 10),
    ('document_registry.msg_col_date', 'text', 11),
    ('document_registry.msg_col_sender_ref', 'text', 18),
    ('document_registry.msg_col_pages', 'integer', 7),
    ('document_registry.msg_col_annexes', 'integer', 7),
    ('document_registry.msg_col_issuer', 'text', 28),
    ('document_registry.msg_col_summary', 'text', 40),
    ('document_registry.msg_col_department', 'text', 24),
    ('document_registry.msg_col_dispatch', 'text', 11),
    ('document_registry.msg_col_resolution', 'text', 28),
    ('document_registry.msg_col_recipient', 'text', 28),
    ('document_registry.msg_col_linked', 'text', 14),
    ('document_registry.msg_col_file_index', 'text', 10),
    ]


def _columns(columns):
    return [Column(gettext(m), kind, width) for m, kind, width in columns]


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

    def rows():
        for sub in grouped_slice(documents, 1000):
            for document in Document.browse([d.id for d in sub]):
                yield register_row(document)
    return sheet_bytes(register.code, _columns(REGISTER_COLUMNS), rows(),
        title=gettext('document_registry.msg_register_title',
            register=register.rec_name, start=_date(start), end=_date(end)))


INVENTORY_COLUMNS = [
    ('document_registry.msg_col_item', 'integer', 6),
    ('document_registry.msg_col_file_index', 'text', 10),
    ('document_registry.msg_col_content', 'text', 40),
    ('document_registry.msg_col_dates', 'text', 24),
    ('document_registry.msg_col_pages', 'integer', 7),
    ('document_registry.msg_col_notes', 'text', 24),
    ]


def write_inventory(handover):
    "The inventory of the hand-over (Legea 16/1996, Annex 2)"
    files = sorted(handover.files,
        key=lambda f: (f.year, f.file_index.code, f.id))
    rows = ([
            i,
            file.file_index.code,
            f'{file.name} ({file.year})',
            ' – '.join(filter(None, [
                        _date(file.start_date), _date(file.end_date)])),
            file.pages or 0,
            file.retention_string,
            ] for i, file in enumerate(files, start=1))
    return sheet_bytes('Inventar', _columns(INVENTORY_COLUMNS), rows,
        title=gettext('document_registry.msg_inventory_title',
            department=handover.department.rec_name,
            date=_date(handover.date)))
