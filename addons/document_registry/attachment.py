# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The files of a registered document: PDF or image, checked by content."""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool

from .content import ContentError, inspect, sha256
from .exceptions import AttachmentError

class Attachment(ModelSQL, ModelView):
    "A file of a registered document (PDF or image, checked by content)"
    __name__ = 'document_registry.attachment'
    __string__ = "Document Attachment"

    document = fields.Many2One(
        'document_registry.document', "Document", required=True,
        ondelete='CASCADE')
    name = fields.Char("File Name", required=True)
    data = fields.Binary(
        "File", filename='name', file_id='file_id',
        store_prefix='document_registry')
    file_id = fields.Char("File ID", readonly=True)
    content_type = fields.Char("Content Type", readonly=True)
    size = fields.Integer("Size", readonly=True)
    sha256 = fields.Char("SHA-256", readonly=True)
    text = fields.Text("Extracted Text", readonly=True)
    purged = fields.Boolean(
        "Purged", readonly=True,
        help="The file was eliminated after an approved selection; its "
        "metadata are kept.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('document')

    @classmethod
    def default_purged(cls):
        return False

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Document = pool.get('document_registry.document')
        Configuration = pool.get('document_registry.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('data') is not None:
            document = Document(values['document'])
            max_size = Configuration.get_value(
                'attachment_max_size', document.company)
            data = values['data']
            content = inspect_file(values.get('name'), data, max_size)
            values.update({
                    'content_type': content.content_type,
                    'size': len(data),
                    'sha256': sha256(data),
                    'text': content.text,
                    })
        return values

    def check_content(self):
        if not self.purged and self.data is None:
            raise AttachmentError(gettext(
                    'document_registry.msg_attachment_empty',
                    name=self.name))

    @classmethod
    def check_modification(cls, mode, attachments, values=None,
            external=False):
        super().check_modification(
            mode, attachments, values=values, external=external)
        if mode == 'write' and set(values) - {'purged', 'data', 'file_id'}:
            raise AccessError(gettext(
                    'document_registry.msg_attachment_readonly'))
        if mode == 'write' and set(values) & {'data', 'file_id'} and (
                not values.get('purged') or values.get('data')):
            raise AccessError(gettext(
                    'document_registry.msg_attachment_readonly'))
        if mode == 'delete':
            for attachment in attachments:
                if attachment.document.state != 'draft':
                    raise AccessError(gettext(
                            'document_registry.msg_attachment_registered',
                            name=attachment.name,
                            document=attachment.document.rec_name))

    @classmethod
    def on_modification(cls, mode, attachments, field_names=None):
        pool = Pool()
        Document = pool.get('document_registry.document')
        super().on_modification(mode, attachments, field_names=field_names)
        if mode == 'create':
            documents = Document.browse(
                list({a.document.id for a in attachments}))
            registered = [d for d in documents if d.state != 'draft']
            Document.update_search_text(registered)


def check_file(name, data, max_size):
    "The content type of the file, or AttachmentError with the reason"
    return inspect_file(name, data, max_size).content_type


def inspect_file(name, data, max_size):
    """The content.Content of the file (type, pages, text), or
    AttachmentError with the reason"""
    try:
        return inspect(name, data, max_size)
    except ContentError as exception:
        reason, values = exception.args
        raise AttachmentError(gettext(
                f'document_registry.msg_attachment_{reason}',
                name=name, **values)) from exception
