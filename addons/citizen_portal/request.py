# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Requests sent through the portal: each one is ONE registered document of
the registry (channel portal, the citizen's party as issuer), with the
answers of the form in its summary and the uploaded files as its
attachments.  The portal keeps only the link (who, which service, which
document, the answers); state, term and answer are the document's.

Anonymous petitions are not accepted online: the issuer is always the
party of the account (OG 27/2002 art. 7 files anonymous petitions)."""
import datetime as dt
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from . import mail
from .exceptions import RequestError

MAX_TEXT = 4000          # characters of one answer
MAX_SHORT = 250


class Request(ModelSQL, ModelView):
    "A request a citizen sent through the portal"
    __name__ = 'citizen_portal.request'
    __string__ = "Portal Request"

    company = fields.Many2One(
        'company.company', "Municipality", required=True, readonly=True,
        ondelete='RESTRICT')
    web_user = fields.Many2One(
        'web.user', "Account", required=True, readonly=True,
        ondelete='RESTRICT')
    party = fields.Many2One(
        'party.party', "Requester", required=True, readonly=True,
        ondelete='RESTRICT')
    service = fields.Many2One(
        'citizen_portal.service', "Service", required=True, readonly=True,
        ondelete='RESTRICT')
    document = fields.Many2One(
        'document_registry.document', "Registered Document", required=True,
        readonly=True, ondelete='RESTRICT')
    answers = fields.Dict(None, "Answers", readonly=True)
    answers_text = fields.Text("Answers", readonly=True)
    state = fields.Function(fields.Char("State"), 'get_document_field')
    deadline = fields.Function(fields.Date("Deadline"), 'get_document_field')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Equality())),
                Index(t, (t.document, Index.Equality())),
                })
        cls._order = [('id', 'DESC')]

    def get_rec_name(self, name):
        return self.document.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('document.rec_name',) + tuple(clause[1:])]

    def get_document_field(self, name):
        if name == 'state':
            return self.document.state_string
        return getattr(self.document, name)

    @classmethod
    def submit(cls, service, web_user, party, values, files):
        """Register the request of party made by web_user: values maps the
        names of the service's fields to the strings sent, files the names
        of its attachments to (filename, bytes).  Everything is checked
        before anything is written; the caller's transaction holds it
        all (a refused file rolls the whole request back)."""
        pool = Pool()
        Document = pool.get('document_registry.document')
        Attachment = pool.get('document_registry.attachment')
        company = service.company
        if not party or not web_user or service.company != web_user.company:
            raise RequestError(gettext('citizen_portal.msg_request_no_party'))
        answers, text = cls.check_values(service, values)
        uploads = cls.check_files(service, files)
        summary = '\n'.join(filter(None, [service.name, text]))
        document = Document(
            company=company, registry=service.register_of(company),
            direction='incoming', channel='portal', issuer=party,
            anonymous=False, document_type=service.document_type,
            department=service.department, summary=summary,
            annexes=len(uploads), pages=1)
        document.save()
        Attachment.create([{
                    'document': document.id,
                    'name': name,
                    'data': data,
                    } for name, data in uploads])
        with Transaction().set_context(_portal_quiet=True):
            Document.register([document])
        if not document.deadline and service.deadline_days:
            with Transaction().set_context(_check_access=False):
                Document.write([document], {
                        'deadline': document.date + dt.timedelta(
                            days=service.deadline_days)})
        request = cls(company=company, web_user=web_user, party=party,
            service=service, document=document, answers=answers,
            answers_text=text)
        request.save()
        request.notify('citizen_portal.msg_mail_registered')
        return request

    @classmethod
    def check_values(cls, service, values):
        "The answers by name and their readable text; RequestError if bad"
        answers, lines = {}, []
        for field in service.form_fields:
            checked = cls.check_answer(field, values.get(field.name))
            if checked is None:
                continue
            value, shown = checked
            answers[field.name] = value
            lines.append(f'{field.label}: {shown}')
        return answers, '\n'.join(lines)

    @classmethod
    def check_answer(cls, field, raw):
        """(stored value, text shown) of the answer to the field, None when
        it is empty and may be; RequestError if bad"""
        raw = (raw or '').strip()
        value = cls.check_value(field, raw)
        if value in (None, '', False) and field.type != 'checkbox':
            if field.required:
                raise RequestError(gettext(
                        'citizen_portal.msg_request_field_required',
                        field=field.label))
            return None
        if field.type == 'checkbox':
            if field.required and not value:
                raise RequestError(gettext(
                        'citizen_portal.msg_request_field_required',
                        field=field.label))
            shown = gettext('citizen_portal.msg_yes' if value
                else 'citizen_portal.msg_no')
        elif field.type == 'date':
            shown = value.strftime('%d.%m.%Y')
            value = value.isoformat()
        else:
            shown = str(value)
            value = str(value)
        return value, shown

    @classmethod
    def form_errors(cls, service, values, files):
        """Every error of the form at once, before anything is written:
        [(field, message)], the field 'f_<name>' of an answer or
        'a_<name>' of an attachment (the portal's input ids).  The content
        of the files is checked by submit."""
        errors = []
        for field in service.form_fields:
            try:
                cls.check_answer(field, values.get(field.name))
            except RequestError as exception:
                errors.append((f'f_{field.name}', exception.message))
        for attachment in service.attachments:
            name, data = files.get(attachment.name) or (None, None)
            try:
                cls.check_upload_name(attachment, name, data)
            except RequestError as exception:
                errors.append((f'a_{attachment.name}', exception.message))
        return errors

    @classmethod
    def check_value(cls, field, raw):
        def bad():
            raise RequestError(gettext(
                    'citizen_portal.msg_request_field_invalid',
                    field=field.label))
        if field.type == 'checkbox':
            return raw in {'1', 'on', 'true', 'yes'}
        if not raw:
            return None
        if len(raw) > (MAX_TEXT if field.type == 'long_text' else MAX_SHORT):
            bad()
        if field.type == 'date':
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                bad()
        if field.type == 'number':
            try:
                number = Decimal(raw.replace(',', '.'))
            except InvalidOperation:
                bad()
            if not number.is_finite():
                bad()
            return number
        if field.type == 'choice' and raw not in field.choice_list:
            bad()
        if field.type == 'text':
            raw = ' '.join(raw.split())
        return raw

    @classmethod
    def check_files(cls, service, files):
        """The uploads as (name, data), each of an accepted extension; the
        registry's attachment rules check the content and size"""
        pool = Pool()
        Configuration = pool.get('document_registry.configuration')
        from trytond.modules.document_registry.attachment import check_file
        max_size = Configuration.get_value(
            'attachment_max_size', service.company)
        uploads = []
        for attachment in service.attachments:
            name, data = files.get(attachment.name) or (None, None)
            name = cls.check_upload_name(attachment, name, data)
            if name is None:
                continue
            check_file(name, data, max_size)
            uploads.append((name[-120:], data))
        return uploads

    @classmethod
    def check_upload_name(cls, attachment, name, data):
        """The safe name of the file sent for the attachment, None when
        none was sent and none is required; RequestError if one is needed
        or its extension is not accepted"""
        if not data:
            if attachment.required:
                raise RequestError(gettext(
                        'citizen_portal.msg_request_attachment_required',
                        attachment=attachment.label))
            return None
        name = (name or 'file').replace('/', '_').replace('\\', '_')
        extension = name.rsplit('.', 1)[-1].lower() if '.' in name else ''
        if extension not in attachment.extensions:
            raise RequestError(gettext(
                    'citizen_portal.msg_request_attachment_type',
                    attachment=attachment.label,
                    types=', '.join(attachment.extensions)))
        return name

    def notify(self, message, **variables):
        """E-mail the citizen in the account's language, sent only when the
        transaction commits"""
        user = self.web_user
        if not user.email:
            return
        language = user.language or 'ro'
        Document = Pool().get('document_registry.document')
        with Transaction().set_context(language=language):
            document = Document(self.document.id)
            service_name = self.service.__class__(self.service.id).name
            variables.update({
                    'number': document.rec_name,
                    'service': service_name,
                    'state': document.state_string,
                    'deadline': mail.local_date(document.deadline, language),
                    'url': self.portal_url(),
                    })
            body = gettext(message, **variables)
            subject = gettext('citizen_portal.msg_mail_subject',
                number=document.rec_name)
        mail.send(user.email, subject, body)

    def portal_url(self):
        return mail.portal_url(f'/requests/{self.id}')


class Document(metaclass=PoolMeta):
    __name__ = 'document_registry.document'

    portal_requests = fields.One2Many(
        'citizen_portal.request', 'document', "Portal Requests",
        readonly=True)

    @classmethod
    def on_modification(cls, mode, documents, field_names=None):
        super().on_modification(mode, documents, field_names=field_names)
        if (mode == 'write' and field_names and 'state' in field_names
                and not Transaction().context.get('_portal_quiet')):
            cls.notify_portal(documents)

    @classmethod
    def notify_portal(cls, documents):
        "Tell the citizens whose requests the documents are of their state"
        Request = Pool().get('citizen_portal.request')
        requests = Request.search([
                ('document', 'in', [d.id for d in documents]),
                ])
        for request in requests:
            request.notify('citizen_portal.msg_mail_state')
