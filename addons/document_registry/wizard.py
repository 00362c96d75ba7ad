# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from .deadline import today


class AssignStart(ModelView):
    __name__ = 'document_registry.document.assign.start'
    __string__ = "Assign Documents"

    company = fields.Many2One('company.company', "Municipality",
        readonly=True)
    department = fields.Many2One(
        'staff.department', "Department", required=True,
        domain=[('company', '=', Eval('company', -1))])
    clerk = fields.Many2One(
        'company.employee', "Clerk",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('department', 'child_of', [Eval('department', -1)],
                'parent'),
            ])
    note = fields.Char("Note")


class Assign(Wizard):
    "Assign or reassign documents to a department and a clerk"
    __name__ = 'document_registry.document.assign'
    start = StateView('document_registry.document.assign.start',
        'document_registry.document_assign_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Assign", 'assign', 'tryton-ok', default=True),
            ])
    assign = StateTransition()

    def default_start(self, fields):
        record = self.records[0] if self.records else None
        return {
            'company': record.company.id if record else None,
            'department': (record.department.id
                if record and record.department else None),
            }

    def transition_assign(self):
        self.model.assign(list(self.records), self.start.department,
            self.start.clerk, self.start.note)
        return 'end'


class ForwardStart(ModelView):
    __name__ = 'document_registry.document.forward.start'
    __string__ = "Forward Documents"

    institution = fields.Many2One(
        'party.party', "Competent Authority", required=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    company = fields.Many2One('company.company', "Municipality",
        readonly=True)
    note = fields.Char("Note")


class Forward(Wizard):
    """Forward misdirected documents to the competent authority
    (OG 27/2002 art. 6^1)"""
    __name__ = 'document_registry.document.forward'
    start = StateView('document_registry.document.forward.start',
        'document_registry.document_forward_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Forward", 'forward', 'tryton-ok', default=True),
            ])
    forward = StateTransition()

    def default_start(self, fields):
        record = self.records[0] if self.records else None
        return {'company': record.company.id if record else None}

    def transition_forward(self):
        self.model.forward(list(self.records), self.start.institution,
            self.start.note)
        return 'end'


class ReplyStart(ModelView):
    __name__ = 'document_registry.document.reply.start'
    __string__ = "Reply"

    kind = fields.Selection([
            ('answer', "Answer"),
            ('refusal', "Reasoned Refusal"),
            ('notice', "Extension Notice"),
            ], "Kind", required=True)
    summary = fields.Text("Summary", required=True)


class Reply(Wizard):
    "Prepare the reply, which takes the number of the document it answers"
    __name__ = 'document_registry.document.reply'
    start = StateView('document_registry.document.reply.start',
        'document_registry.document_reply_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateAction('document_registry.act_document_form')

    def default_start(self, fields):
        return {'kind': 'answer'}

    def do_create_(self, action):
        Document = Pool().get('document_registry.document')
        replies = []
        for record in self.records:
            reply = Document(
                company=record.company, reply_to=record,
                reply_kind=self.start.kind, summary=self.start.summary,
                channel=record.channel)
            reply.on_change_reply_to()
            reply.reply_kind = self.start.kind
            replies.append(reply)
        Document.save(replies)
        action['views'].reverse()
        return action, {'res_id': [r.id for r in replies]}


class RegisterExportStart(ModelView):
    __name__ = 'document_registry.register.export.start'
    __string__ = "Export Register"

    register = fields.Many2One(
        'document_registry.register', "Register", required=True)
    start_date = fields.Date("From", required=True)
    end_date = fields.Date("To", required=True)


class RegisterExportResult(ModelView):
    __name__ = 'document_registry.register.export.result'
    __string__ = "Exported Register"

    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)


class RegisterExport(Wizard):
    "The register of a period as an XLSX file"
    __name__ = 'document_registry.register.export'
    start = StateView('document_registry.register.export.start',
        'document_registry.register_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-ok', default=True),
            ])
    export = StateTransition()
    result = StateView('document_registry.register.export.result',
        'document_registry.register_export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        date = today()
        values = {
            'start_date': date.replace(day=1),
            'end_date': date,
            }
        if self.model and self.model.__name__ == (
                'document_registry.register') and self.records:
            values['register'] = self.records[0].id
        return values

    def transition_export(self):
        from .xlsx import write_register
        self.result.file = write_register(self.start.register,
            self.start.start_date, self.start.end_date)
        self.result.filename = (f'registru-{self.start.register.code}-'
            f'{self.start.start_date:%Y%m%d}-{self.start.end_date:%Y%m%d}'
            '.xlsx')
        return 'result'

    def default_result(self, fields):
        return {
            'file': self.result.file,
            'filename': self.result.filename,
            }


class BuildFilesStart(ModelView):
    __name__ = 'document_registry.archive_file.build.start'
    __string__ = "Build Yearly Files"

    company = fields.Many2One('company.company', "Municipality",
        required=True)
    year = fields.Integer("Year", required=True)


class BuildFiles(Wizard):
    "Build the files of a year from the registered documents"
    __name__ = 'document_registry.archive_file.build'
    start = StateView('document_registry.archive_file.build.start',
        'document_registry.archive_file_build_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Build", 'build', 'tryton-ok', default=True),
            ])
    build = StateTransition()

    def default_start(self, fields):
        from trytond.transaction import Transaction
        return {
            'company': Transaction().context.get('company'),
            'year': today().year - 1,
            }

    def transition_build(self):
        File = Pool().get('document_registry.archive_file')
        File.build(self.start.company, self.start.year)
        return 'end'
