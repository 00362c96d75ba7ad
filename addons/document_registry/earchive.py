# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The electronic archive (Legea 135/2007): digitised documents with the
metadata sheet of the law, imported in batches from a folder of PDF files
and a CSV file; the content hash taken at import is checked whenever the
content is read."""
import datetime as dt
import os
from pathlib import Path

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.municipality.csv_reader import read_csv
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .archive import RETENTIONS
from .content import ContentError, inspect, normalize, sha256
from .exceptions import ImportError_, IntegrityError_
from .search import FullTextMixin

# The metadata sheet of Legea 135/2007 (art. 8 and the ANC norms) [S]:
# CSV column → field.  "identifier" is the unique identifier in the archive.
METADATA_COLUMNS = {
    'identifier': 'identifier',
    'file': 'filename',
    'owner': 'owner',
    'issuer': 'issuer',
    'disposal_holder': 'disposal_holder',
    'history': 'history',
    'document_type': 'document_type',
    'classification': 'classification',
    'digital_format': 'digital_format',
    'keywords': 'keywords',
    'physical_location': 'physical_location',
    'issue_date': 'issue_date',
    'archive_date': 'archive_date',
    'retention': 'retention',
    'title': 'title',
    }
REQUIRED_COLUMNS = {'identifier', 'file', 'issue_date', 'retention'}
BATCH_SIZE = 50

_RO = {'readonly': True}


class ArchiveRecord(FullTextMixin, ModelSQL, ModelView):
    "A document of the electronic archive with its metadata sheet"
    __name__ = 'document_registry.archive_record'
    __string__ = "Electronic Archive Record"
    _rec_name = 'identifier'

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT', states=_RO)
    identifier = fields.Char(
        "Identifier", required=True, states=_RO,
        help="The unique identifier of the document in the archive.")
    title = fields.Char("Title", states=_RO)
    owner = fields.Char("Owner", states=_RO)
    issuer = fields.Char("Issuer", states=_RO)
    disposal_holder = fields.Char(
        "Holder of the Right of Disposal", states=_RO)
    history = fields.Text("Document History", states=_RO)
    document_type = fields.Char("Document Type", states=_RO)
    classification = fields.Char("Classification Level", states=_RO)
    digital_format = fields.Char("Digital Format", states=_RO)
    keywords = fields.Char("Keywords", states=_RO)
    physical_location = fields.Char(
        "Location of the Physical Medium", states=_RO)
    issue_date = fields.Date("Issue Date", states=_RO)
    archive_date = fields.Date("Archiving Date", states=_RO)
    retention = fields.Selection(RETENTIONS, "Retention", states=_RO)
    filename = fields.Char("File Name", states=_RO)
    data = fields.Binary(
        "Stored File", file_id='file_id', store_prefix='earchive',
        states=_RO)
    file_id = fields.Char("File ID", states=_RO)
    content = fields.Function(
        fields.Binary("File", filename='filename'), 'get_content')
    sha256 = fields.Char("SHA-256", states=_RO)
    size = fields.Integer("Size", states=_RO)
    extracted_text = fields.Text("Extracted Text", states=_RO)
    batch = fields.Many2One(
        'document_registry.archive_import', "Import", states=_RO,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('identifier_unique', Unique(t, t.company, t.identifier),
                'document_registry.msg_archive_record_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.issue_date, Index.Range())))
        cls._buttons.update({
                'verify': {},
                })

    def get_content(self, name):
        "The file, after checking it against the hash taken at import"
        self.check_integrity()
        return self.data

    def check_integrity(self):
        if sha256(self.data) != self.sha256:
            raise IntegrityError_(gettext(
                    'document_registry.msg_archive_integrity',
                    record=self.rec_name))

    @classmethod
    @ModelView.button
    def verify(cls, records):
        for record in records:
            record.check_integrity()

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise AccessError(gettext(
                    'document_registry.msg_archive_record_readonly'))


class ArchiveImport(Workflow, ModelSQL, ModelView):
    """A batch import of digitised documents: a folder with PDF files and
    a CSV file of their metadata.  Running it again continues where it
    stopped and imports nothing twice."""
    __name__ = 'document_registry.archive_import'
    __string__ = "Electronic Archive Import"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'draft'})
    folder = fields.Char(
        "Folder", required=True,
        states={'readonly': Eval('state') != 'draft'},
        help="Relative to the import folder of the configuration.")
    metadata = fields.Char(
        "Metadata File", required=True,
        states={'readonly': Eval('state') != 'draft'},
        help="The CSV file of the folder with one row per document.")
    total = fields.Integer("Rows", readonly=True)
    imported = fields.Integer("Imported", readonly=True)
    skipped = fields.Integer(
        "Already Imported", readonly=True,
        help="Rows found already in the archive, with the same content.")
    progress = fields.Function(fields.Float(
            "Progress", digits=(3, 0)), 'get_progress')
    records = fields.One2Many(
        'document_registry.archive_record', 'batch', "Records",
        readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('running', "Running"),
            ('done', "Done"),
            ], "State", readonly=True, required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._transitions |= {
            ('draft', 'running'),
            ('running', 'running'),
            ('running', 'done'),
            ('done', 'running'),
            }
        cls._buttons.update({
                'run': {
                    'invisible': Eval('state') == 'running',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_metadata(cls):
        return 'metadata.csv'

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_total(cls):
        return 0

    @classmethod
    def default_imported(cls):
        return 0

    @classmethod
    def default_skipped(cls):
        return 0

    def get_progress(self, name):
        if not self.total:
            return 0.
        return round(100. * ((self.imported or 0) + (self.skipped or 0))
            / self.total)

    def directory(self):
        Configuration = Pool().get('document_registry.configuration')
        root = Configuration(1).import_root
        if not root:
            raise ImportError_(gettext(
                    'document_registry.msg_import_no_root'))
        root = Path(root).resolve()
        path = (root / self.folder).resolve()
        if root != path and root not in path.parents:
            raise ImportError_(gettext(
                    'document_registry.msg_import_outside_root',
                    folder=self.folder))
        if not path.is_dir():
            raise ImportError_(gettext(
                    'document_registry.msg_import_no_folder',
                    folder=self.folder))
        return path

    def read_rows(self):
        """The rows of the metadata file, checked as a whole before anything
        is imported: columns, duplicate identifiers, files, dates"""
        path = self.directory() / self.metadata
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ImportError_(gettext(
                    'document_registry.msg_import_no_metadata',
                    file=self.metadata))
        rows, seen = [], {}
        for line, row in read_csv(data, required=REQUIRED_COLUMNS,
                encodings=('utf-8-sig',), error=ImportError_, messages={
                    'encoding': 'document_registry.msg_import_encoding',
                    'empty': 'document_registry.msg_import_columns',
                    'columns': 'document_registry.msg_import_columns',
                    }, file=self.metadata):
            identifier = row['identifier']
            if not identifier:
                raise ImportError_(gettext(
                        'document_registry.msg_import_row_identifier',
                        line=line))
            if identifier in seen:
                raise ImportError_(gettext(
                        'document_registry.msg_import_duplicate_row',
                        identifier=identifier, line=line,
                        first=seen[identifier]))
            seen[identifier] = line
            rows.append(self._row_values(row, line))
        return rows

    def _row_values(self, row, line):
        values = {f: row.get(c) or None for c, f in METADATA_COLUMNS.items()}
        for name in ['issue_date', 'archive_date']:
            if values[name]:
                try:
                    values[name] = dt.date.fromisoformat(values[name])
                except ValueError:
                    raise ImportError_(gettext(
                            'document_registry.msg_import_row_date',
                            line=line, value=values[name]))
        retention = (values['retention'] or '').lower()
        if retention in {'p', 'permanent', 'permanentă'}:
            retention = 'permanent'
        if retention not in dict(RETENTIONS):
            raise ImportError_(gettext(
                    'document_registry.msg_import_row_retention',
                    line=line, value=values['retention']))
        values['retention'] = retention
        filename = values['filename'] or ''
        path = (self.directory() / filename).resolve()
        if (not filename or self.directory() not in path.parents
                or not path.is_file()):
            raise ImportError_(gettext(
                    'document_registry.msg_import_row_file',
                    line=line, file=filename))
        values['_line'] = line
        values['_path'] = path
        return values

    @classmethod
    @ModelView.button
    def run(cls, imports):
        """Check the files, then import the rows not yet in the archive in
        batches; each batch commits on its own (queue), so an interrupted
        import continues where it stopped when run again"""
        todos = {}
        for batch in imports:
            rows = batch.read_rows()
            known = batch.known(rows)
            batch.total = len(rows)
            batch.imported = cls._imported_count(batch)
            batch.skipped = max(len(known) - batch.imported, 0)
            todos[batch] = [r['identifier'] for r in rows
                if r['identifier'] not in known]
            batch.state = 'running'
        cls.save(imports)
        for batch, todo in todos.items():
            for i in range(0, len(todo), BATCH_SIZE):
                cls.__queue__.import_rows([batch], todo[i:i + BATCH_SIZE])
            if not todo:
                cls.finish([batch])

    @classmethod
    def _imported_count(cls, batch):
        Record = Pool().get('document_registry.archive_record')
        return Record.search_count([('batch', '=', batch.id)])

    def known(self, rows):
        "The identifiers of rows already in the archive (checked content)"
        Record = Pool().get('document_registry.archive_record')
        identifiers = [r['identifier'] for r in rows]
        known = {}
        for i in range(0, len(identifiers), 1000):
            for record in Record.search([
                        ('company', '=', self.company.id),
                        ('identifier', 'in', identifiers[i:i + 1000]),
                        ]):
                known[record.identifier] = record
        for row in rows:
            record = known.get(row['identifier'])
            if record and record.sha256 != sha256(row['_path'].read_bytes()):
                raise ImportError_(gettext(
                        'document_registry.msg_import_changed',
                        identifier=row['identifier'], line=row['_line']))
        return set(known)

    @classmethod
    def import_rows(cls, imports, identifiers):
        "Import the rows of these identifiers that are not yet imported"
        pool = Pool()
        Record = pool.get('document_registry.archive_record')
        batch, = imports
        rows = {r['identifier']: r for r in batch.read_rows()}
        rows = [rows[i] for i in identifiers if i in rows]
        known = batch.known(rows)
        to_create = []
        for row in rows:
            if row['identifier'] in known:
                continue
            data = row['_path'].read_bytes()
            try:
                text = inspect(row['filename'], data, None).text or ''
            except ContentError as exception:
                reason, values = exception.args
                raise ImportError_(gettext(
                        'document_registry.msg_import_row_content',
                        line=row['_line'], reason=gettext(
                            f'document_registry.msg_attachment_{reason}',
                            name=row['filename'], **values))
                    ) from exception
            values = {k: v for k, v in row.items()
                if not k.startswith('_')}
            values.update({
                    'company': batch.company.id,
                    'batch': batch.id,
                    'data': data,
                    'sha256': sha256(data),
                    'size': len(data),
                    'digital_format': values.get('digital_format') or (
                        os.path.splitext(row['filename'])[1][1:].upper()),
                    'archive_date': values.get('archive_date') or (
                        pool.get('ir.date').today()),
                    'extracted_text': text,
                    'search_text': normalize(' '.join(filter(None, [
                                    values.get('identifier'),
                                    values.get('title'),
                                    values.get('issuer'),
                                    values.get('keywords'),
                                    text]))),
                    })
            to_create.append(values)
        Record.create(to_create)
        batch.imported = cls._imported_count(batch)
        batch.save()
        if batch.imported + (batch.skipped or 0) >= (batch.total or 0):
            cls.finish([batch])

    @classmethod
    @Workflow.transition('done')
    def finish(cls, imports):
        pass
