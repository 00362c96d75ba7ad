# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The archive of the city hall (Legea 16/1996): the archival nomenclature,
the yearly files built from the registered documents, their hand-over to
the archive with an inventory, and the selection of files whose retention
has expired, approved by a commission and by the county service of the
National Archives (SJAN) before anything is removed."""
from collections import defaultdict

from sql.aggregate import Max, Min, Sum

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.model.fields import SQL_OPERATORS
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .deadline import today
from .exceptions import ArchiveError

# Legea 16/1996, Annex 1 (model of the nomenclature): P, 10 and 5 years;
# 50, 30, 3 and 1 year are usual too [R].
RETENTIONS = [
    ('1', "1 Year"),
    ('3', "3 Years"),
    ('5', "5 Years"),
    ('10', "10 Years"),
    ('30', "30 Years"),
    ('50', "50 Years"),
    ('permanent', "Permanent"),
    ]


class Nomenclature(Workflow, ModelSQL, ModelView):
    """The archival nomenclature (nomenclatorul arhivistic), approved by the
    head of the creator and confirmed by the SJAN (Legea 16/1996 art. 10,
    Annex 1)"""
    __name__ = 'document_registry.nomenclature'
    __string__ = "Archival Nomenclature"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'draft'})
    name = fields.Char("Name", required=True)
    valid_from = fields.Date("Valid from", required=True)
    approval = fields.Char(
        "Approving Decision",
        states={'required': Eval('state') == 'approved'},
        help="E.g. HCL nr. 131/2017 or the mayor's disposition.")
    approval_date = fields.Date(
        "Approval Date", states={'required': Eval('state') == 'approved'})
    confirmation = fields.Char(
        "SJAN Confirmation",
        help="The confirmation of the county service of the National "
        "Archives.")
    entries = fields.One2Many(
        'document_registry.file_index', 'nomenclature', "Entries",
        states={'readonly': Eval('state') != 'draft'})
    state = fields.Selection([
            ('draft', "Draft"),
            ('approved', "Approved"),
            ], "State", readonly=True, required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._transitions |= {('draft', 'approved')}
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, nomenclatures):
        for nomenclature in nomenclatures:
            if not nomenclature.approval or not nomenclature.approval_date:
                raise ArchiveError(gettext(
                        'document_registry.msg_nomenclature_approval',
                        nomenclature=nomenclature.rec_name))


class FileIndex(DeactivableMixin, ModelSQL, ModelView):
    "An entry of the nomenclature: a kind of file and its retention"
    __name__ = 'document_registry.file_index'
    __string__ = "File Index"
    _rec_name = 'code'

    nomenclature = fields.Many2One(
        'document_registry.nomenclature', "Nomenclature", required=True,
        ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Municipality"),
        'on_change_with_company', searcher='search_company')
    code = fields.Char("Index", required=True)
    department = fields.Many2One(
        'staff.department', "Department", ondelete='RESTRICT')
    name = fields.Char("File Name", required=True,
        help="The short content of the files of this index.")
    retention = fields.Selection(RETENTIONS, "Retention", required=True)
    retention_string = retention.translated('retention')
    notes = fields.Char("Notes")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('nomenclature')
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.nomenclature, t.code),
                'document_registry.msg_file_index_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))

    @fields.depends('nomenclature', '_parent_nomenclature.company')
    def on_change_with_company(self, name=None):
        if self.nomenclature and self.nomenclature.company:
            return self.nomenclature.company.id

    @classmethod
    def search_company(cls, name, clause):
        return [('nomenclature.' + clause[0],) + tuple(clause[1:])]

    def get_rec_name(self, name):
        return f'{self.code} – {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('code', operator, operand, *extra),
            ('name', operator, operand, *extra),
            ]

    @property
    def years(self):
        "Retention in years, None when permanent"
        if self.retention != 'permanent':
            return int(self.retention)


FILE_STATES = [
    ('open', "Open"),
    ('closed', "Closed"),
    ('archived', "In the Archive"),
    ('proposed', "Proposed for Elimination"),
    ('eliminated', "Eliminated"),
    ]


class ArchiveFile(Workflow, ModelSQL, ModelView):
    "A file (dosar): the documents of one index and one year"
    __name__ = 'document_registry.archive_file'
    __string__ = "Archive File"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT', readonly=True)
    file_index = fields.Many2One(
        'document_registry.file_index', "File Index", required=True,
        ondelete='RESTRICT', readonly=True)
    year = fields.Integer("Year", required=True, readonly=True)
    name = fields.Char("Short Content", required=True)
    department = fields.Many2One(
        'staff.department', "Department", ondelete='RESTRICT',
        readonly=True)
    retention = fields.Selection(
        RETENTIONS, "Retention", required=True, readonly=True)
    retention_string = retention.translated('retention')
    documents = fields.One2Many(
        'document_registry.document', 'archive_file', "Documents",
        readonly=True)
    start_date = fields.Date("From", readonly=True)
    end_date = fields.Date("To", readonly=True)
    pages = fields.Integer("Pages", readonly=True)
    location = fields.Char("Location")
    handover = fields.Many2One(
        'document_registry.archive_handover', "Hand-over",
        ondelete='RESTRICT', readonly=True)
    selection = fields.Many2One(
        'document_registry.archive_selection', "Selection",
        ondelete='RESTRICT', readonly=True)
    expiry_year = fields.Function(
        fields.Integer("Kept until"), 'get_expiry_year')
    state = fields.Selection(
        FILE_STATES, "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('index_year_unique', Unique(t, t.file_index, t.year),
                'document_registry.msg_archive_file_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.year, Index.Range())))
        cls._order = [('year', 'DESC'), ('name', 'ASC'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'closed'),
            ('closed', 'open'),
            }
        cls._buttons.update({
                'close': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'closed',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'open'

    def get_rec_name(self, name):
        return f'{self.file_index.code}/{self.year} {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('name',) + tuple(clause[1:])]

    def get_expiry_year(self, name):
        "The last year the file is kept (the term counts from 1 January "
        "after the year of the file) [R]; None when permanent"
        if self.retention != 'permanent':
            return self.year + int(self.retention)

    @classmethod
    def check_modification(cls, mode, files, values=None, external=False):
        super().check_modification(
            mode, files, values=values, external=external)
        if mode == 'delete':
            # Legea 16/1996: a file leaves only through an approved
            # selection; it is never deleted
            raise ArchiveError(gettext(
                    'document_registry.msg_archive_file_delete'))

    @classmethod
    def build(cls, company, year):
        """Create the files of the year from the registered documents that
        have a file index and put each document in its file"""
        pool = Pool()
        Document = pool.get('document_registry.document')
        documents = Document.search([
                ('company', '=', company.id),
                ('year', '=', year),
                ('file_index', '!=', None),
                ('archive_file', '=', None),
                ('state', 'not in', ['draft']),
                ], order=[('number_int', 'ASC'), ('id', 'ASC')])
        by_index = defaultdict(list)
        for document in documents:
            by_index[document.file_index].append(document)
        files = {f.file_index: f for f in cls.search([
                    ('company', '=', company.id),
                    ('year', '=', year),
                    ('file_index', 'in', [i.id for i in by_index]),
                    ])}
        for index in by_index:
            if index in files and files[index].state != 'open':
                raise ArchiveError(gettext(
                        'document_registry.msg_archive_file_not_open',
                        file=files[index].rec_name))
        new = [cls(company=company, file_index=index, year=year,
                name=index.name, retention=index.retention,
                department=index.department)
            for index in by_index if index not in files]
        cls.save(new)
        files.update({f.file_index: f for f in new})
        to_write = []
        for index, docs in by_index.items():
            to_write.extend([docs, {'archive_file': files[index].id}])
        if to_write:
            Document.write(*to_write)
        return list(files.values())

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, files):
        "Close the files: extreme dates and number of pages (Annex 2)"
        pool = Pool()
        Document = pool.get('document_registry.document')
        document = Document.__table__()
        cursor = Transaction().connection.cursor()
        values = {}
        for sub in grouped_slice([f.id for f in files], 1000):
            cursor.execute(*document.select(
                    document.archive_file, Min(document.date),
                    Max(document.date), Sum(document.pages),
                    where=SQL_OPERATORS['in'](document.archive_file, sub),
                    group_by=[document.archive_file]))
            values.update({f: (d1, d2, p) for f, d1, d2, p in cursor})
        to_write = []
        for file in files:
            start, end, pages = values.get(file.id, (None, None, 0))
            to_write.extend([[file], {
                        'start_date': start,
                        'end_date': end,
                        'pages': pages or 0,
                        }])
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, files):
        pass


class Handover(Workflow, ModelSQL, ModelView):
    """The hand-over of closed files to the archive, in the second year
    after they were created, with their inventory (Legea 16/1996 Annex 2)"""
    __name__ = 'document_registry.archive_handover'
    __string__ = "Archive Hand-over"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'draft'})
    department = fields.Many2One(
        'staff.department', "Department", required=True,
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('state') != 'draft'})
    date = fields.Date("Date", required=True,
        states={'readonly': Eval('state') != 'draft'})
    reference = fields.Char("Hand-over Report",
        help="The number of the hand-over report (proces-verbal).")
    files = fields.One2Many(
        'document_registry.archive_file', 'handover', "Files",
        readonly=True)
    inventory = fields.Binary(
        "Inventory", filename='inventory_name', readonly=True)
    inventory_name = fields.Char("Inventory Name", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ], "State", readonly=True, required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._transitions |= {('draft', 'done')}
        cls._buttons.update({
                'fill': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return today()

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    @ModelView.button
    def fill(cls, handovers):
        "Add the department's closed files of the previous years"
        pool = Pool()
        File = pool.get('document_registry.archive_file')
        for handover in handovers:
            files = File.search([
                    ('company', '=', handover.company.id),
                    ('department', '=', handover.department.id),
                    ('state', '=', 'closed'),
                    ('handover', '=', None),
                    ('year', '<', handover.date.year),
                    ])
            if files:
                File.write(files, {'handover': handover.id})

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, handovers):
        pool = Pool()
        File = pool.get('document_registry.archive_file')
        for handover in handovers:
            if not handover.files:
                raise ArchiveError(gettext(
                        'document_registry.msg_handover_empty',
                        handover=handover.rec_name))
            for file in handover.files:
                if file.state != 'closed' or file.year >= handover.date.year:
                    raise ArchiveError(gettext(
                            'document_registry.msg_handover_file',
                            file=file.rec_name))
        File.write([f for h in handovers for f in h.files],
            {'state': 'archived'})
        for handover in handovers:
            handover.inventory = handover.build_inventory()
            handover.inventory_name = f'inventar-{handover.id}.xlsx'
        cls.save(handovers)

    def build_inventory(self):
        from .xlsx import write_inventory
        return write_inventory(self)


class Selection(Workflow, ModelSQL, ModelView):
    """A selection (destruction) proposal: the commission's report lists the
    files whose retention has expired; the SJAN approves it; only then are
    the files eliminated, and their records kept (Legea 16/1996)"""
    __name__ = 'document_registry.archive_selection'
    __string__ = "Archive Selection"

    company = fields.Many2One(
        'company.company', "Municipality", required=True,
        ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'draft'})
    year = fields.Integer(
        "Year", required=True,
        states={'readonly': Eval('state') != 'draft'},
        help="The year of the selection: files kept until an earlier year "
        "can be proposed.")
    commission = fields.Text(
        "Commission", help="The president, the secretary and the members "
        "(an odd number), appointed by disposition.",
        states={'readonly': Eval('state') != 'draft'})
    commission_act = fields.Char(
        "Appointing Act", states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            })
    report = fields.Char(
        "Selection Report", help="The number of the commission's report "
        "(proces-verbal de selecționare).", states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            })
    report_date = fields.Date("Report Date", states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            })
    approval = fields.Char(
        "SJAN Approval", states={
            'readonly': Eval('state') != 'proposed',
            'required': Eval('state').in_(['approved', 'eliminated']),
            })
    approval_date = fields.Date("SJAN Approval Date", states={
            'readonly': Eval('state') != 'proposed',
            'required': Eval('state').in_(['approved', 'eliminated']),
            })
    elimination_date = fields.Date("Elimination Date", readonly=True)
    files = fields.One2Many(
        'document_registry.archive_file', 'selection', "Files",
        readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('proposed', "Proposed"),
            ('approved', "Approved"),
            ('eliminated', "Eliminated"),
            ('refused', "Refused"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._transitions |= {
            ('draft', 'proposed'),
            ('proposed', 'approved'),
            ('proposed', 'refused'),
            ('approved', 'eliminated'),
            }
        cls._buttons.update({
                'fill': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'propose': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'proposed',
                    'depends': ['state'],
                    },
                'refuse': {
                    'invisible': Eval('state') != 'proposed',
                    'depends': ['state'],
                    },
                'eliminate': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_year(cls):
        return today().year

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def add_files(cls, selection, files):
        "Put files in the proposal: in the archive, retention expired"
        File = Pool().get('document_registry.archive_file')
        for file in files:
            if (file.state != 'archived' or file.retention == 'permanent'
                    or file.expiry_year >= selection.year
                    or file.company != selection.company):
                raise ArchiveError(gettext(
                        'document_registry.msg_selection_file',
                        file=file.rec_name))
        File.write(list(files), {'selection': selection.id})

    @classmethod
    @ModelView.button
    def fill(cls, selections):
        "Add the files of the archive whose retention has expired"
        for selection in selections:
            files = cls.expired_files(selection)
            if files:
                cls.add_files(selection, files)

    @classmethod
    def expired_files(cls, selection):
        File = Pool().get('document_registry.archive_file')
        return [f for f in File.search([
                    ('company', '=', selection.company.id),
                    ('state', '=', 'archived'),
                    ('retention', '!=', 'permanent'),
                    ('selection', '=', None),
                    ])
            if f.expiry_year < selection.year]

    @classmethod
    @ModelView.button
    @Workflow.transition('proposed')
    def propose(cls, selections):
        File = Pool().get('document_registry.archive_file')
        for selection in selections:
            if not selection.files:
                raise ArchiveError(gettext(
                        'document_registry.msg_selection_empty',
                        selection=selection.rec_name))
            if not (selection.commission_act and selection.report
                    and selection.report_date):
                raise ArchiveError(gettext(
                        'document_registry.msg_selection_report',
                        selection=selection.rec_name))
        File.write([f for s in selections for f in s.files],
            {'state': 'proposed'})

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, selections):
        for selection in selections:
            if not selection.approval or not selection.approval_date:
                raise ArchiveError(gettext(
                        'document_registry.msg_selection_approval',
                        selection=selection.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('refused')
    def refuse(cls, selections):
        "The SJAN did not approve: the files go back to the archive"
        File = Pool().get('document_registry.archive_file')
        File.write([f for s in selections for f in s.files],
            {'state': 'archived', 'selection': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('eliminated')
    def eliminate(cls, selections):
        """Record the elimination: the files and the register entries stay,
        the stored copies of their documents' files are purged"""
        pool = Pool()
        File = pool.get('document_registry.archive_file')
        Attachment = pool.get('document_registry.attachment')
        files = [f for s in selections for f in s.files]
        for file in files:
            if file.state != 'proposed':
                raise ArchiveError(gettext(
                        'document_registry.msg_selection_file',
                        file=file.rec_name))
        attachments = Attachment.search([
                ('document.archive_file', 'in', [f.id for f in files]),
                ])
        if attachments:
            Attachment.write(attachments, {'data': None, 'purged': True})
        File.write(files, {'state': 'eliminated'})
        cls.write(selections, {'elimination_date': today()})
