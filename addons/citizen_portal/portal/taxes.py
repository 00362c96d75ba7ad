# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""My taxes: what the citizen and the parties it represents owe, read from
local_tax.

A *standard* account sees only what is due now, by tax, like paying
without an account.  A *validated* account sees the fiscal file: the open
obligations by object and tax with the surcharge to today (Codul de
procedură fiscală art. 183), the bonification it can still get (Codul
fiscal art. 462(2), 467(2), 472(2)), the tax decisions, the payments and
their receipts.  Every amount comes from local_tax (payment.payable,
fiscal_file): nothing of the law is computed here."""
from collections import OrderedDict
from decimal import Decimal
from urllib.parse import urlencode

from flask import (
    Blueprint, abort, current_app, g, render_template, request, url_for)

from trytond.transaction import Transaction

from . import scope
from .common import add_menu, get, pool, today, transaction
from .pay import pdf_response

bp = Blueprint('taxes', __name__)
ZERO = Decimal(0)
ASSESSED = {'building', 'land', 'vehicle'}


@bp.route('/taxes')
@transaction(readonly=True)
@scope.scoped()
def index():
    parties = scope.parties(scope.DUE)
    if not parties:
        return render_template('taxes/unknown.html')
    party = chosen_party(parties)
    date = today()
    due = payable_of(party, date)
    values = {
        'parties': parties,
        'party': party,
        'date': date,
        'due': due,
        'by_tax': by_tax(due),
        'pay_all_url': pay_url(party, due.obligations),
        }
    if not g.user.validated:
        return render_template('taxes/due.html', **values)
    party = scope.party_or_404(party.id, scope.FILE)
    values.update({
            'groups': groups_of(due),
            'bonifications': bonifications(due),
            'assessments': assessments_of(party),
            'payments': payments_of(party),
            'pay_url': lambda obligations: pay_url(party, obligations),
            })
    return render_template('taxes/file.html', **values)


@bp.route('/taxes/decisions/<int:assessment_id>')
@transaction(readonly=True)
@scope.scoped('validated')
def decision(assessment_id):
    assessment = scope.taxpayer_record_or_404(
        'local_tax.assessment', assessment_id)
    return render_template('taxes/decision.html', assessment=assessment,
        lines=[(line, object_label(line)) for line in assessment.lines])


@bp.route('/taxes/decisions/<int:assessment_id>.pdf')
@transaction(readonly=True)
@scope.scoped('validated')
def decision_pdf(assessment_id):
    """The tax decision as issued (decizia de impunere), by local_tax's
    report"""
    assessment = scope.taxpayer_record_or_404(
        'local_tax.assessment', assessment_id)
    content = official_pdf('local_tax.assessment', assessment,
        company=g.company.id)
    return pdf_attachment(content, 'decizie-impunere', assessment.number)


@bp.route('/taxes/receipts/<int:receipt_id>.pdf')
@transaction(readonly=True)
@scope.scoped('validated')
def receipt_pdf(receipt_id):
    receipt = scope.taxpayer_record_or_404('local_tax.receipt', receipt_id)
    return pdf_attachment(render_receipt(receipt), 'chitanta', receipt.number)


@bp.route('/taxes/extract.pdf')
@transaction(readonly=True)
@scope.scoped('validated')
def extract_pdf():
    """The extract of the fiscal file (situația fiscală) on today's date of
    a party the citizen acts for, by local_tax's report"""
    value = request.args.get('party', '')
    if not value.isdigit():
        abort(404)
    party = scope.party_or_404(int(value), scope.FILE)
    content = official_pdf('local_tax.fiscal_file_extract', party,
        data={'company': g.company.id}, company=g.company.id,
        fiscal_file_date=today())
    return pdf_attachment(content, 'situatie-fiscala')


def chosen_party(parties):
    "The party of ?party= among those the citizen acts for (404 otherwise)"
    value = request.args.get('party')
    if not value:
        return parties[0]
    if not value.isdigit():
        abort(404)
    return scope.party_or_404(int(value), scope.DUE)


def payable_of(party, date):
    FiscalFile = get('local_tax.fiscal_file')
    return FiscalFile.payable(g.company, party, date)


def by_tax(due):
    "The open lines summed by tax: [(label, balance, surcharge, total)]"
    sums = OrderedDict()
    for line in due.lines:
        obligation = line.obligation
        row = sums.setdefault(obligation.tax_type,
            [obligation.tax_type_string, ZERO, ZERO, ZERO, ZERO])
        row[1] += line.balance
        row[2] += line.surcharge
        row[3] += line.bonification
        row[4] += line.total
    return list(sums.values())


class Group:
    "The open obligations of one tax of one year, with its objects"
    __slots__ = ('title', 'objects', 'lines', 'assessment')

    def __init__(self, title, assessment=None):
        self.title = title
        self.assessment = assessment
        self.objects = []
        self.lines = []

    @property
    def total(self):
        return sum((line.total for line in self.lines), ZERO)

    @property
    def obligations(self):
        return [line.obligation for line in self.lines]


def groups_of(due):
    """The lines by tax decision and tax (building, land, vehicle: with the
    objects of the decision), then the other revenues by type"""
    groups = OrderedDict()
    objects = objects_of({line.obligation.assessment.id for line in due.lines
            if line.obligation.tax_type in ASSESSED
            and line.obligation.assessment})
    for line in due.lines:
        obligation = line.obligation
        assessment = obligation.assessment
        if obligation.tax_type in ASSESSED and assessment:
            key = (assessment.id, obligation.tax_type)
            if key not in groups:
                group = groups[key] = Group(
                    f'{obligation.tax_type_string} {obligation.fiscal_year}',
                    assessment)
                group.objects = objects.get(key, [])
        else:
            key = ('other', obligation.tax_type)
            if key not in groups:
                groups[key] = Group(obligation.tax_type_string)
        groups[key].lines.append(line)
    return list(groups.values())


def objects_of(assessment_ids):
    """The objects of the decisions by (decision, tax): the address or the
    registration number, read in one query with only these fields"""
    Line = get('local_tax.assessment.line')
    result = OrderedDict()
    for row in Line.search_read([('assessment', 'in', list(assessment_ids))],
            order=[('id', 'ASC')], fields_names=[
                'assessment', 'tax', 'vehicle.registration_number',
                'building.address', 'parcel.address']):
        label = next((related[name]
                for related, name in [
                    (row.get('vehicle.'), 'registration_number'),
                    (row.get('building.'), 'address'),
                    (row.get('parcel.'), 'address')]
                if related), '')
        result.setdefault((row['assessment'], row['tax']), []).append(label)
    return result


def object_label(line):
    "The object of a decision line: address or registration number"
    if line.vehicle:
        return line.vehicle.registration_number
    if line.building:
        return line.building.address
    if line.parcel:
        return line.parcel.address
    return ''


def bonifications(due):
    """The bonifications payable() grants if the year's tax is paid now:
    [(tax label, deadline, bonification, amount to pay to get it)]"""
    result = OrderedDict()
    for line in due.lines:
        if not line.bonification:
            continue
        obligation = line.obligation
        key = (obligation.fiscal_year, obligation.tax_type)
        result.setdefault(key, {
                'title': (
                    f'{obligation.tax_type_string} {obligation.fiscal_year}'),
                'deadline': obligation.assessment.bonification_deadline,
                'rate': obligation.assessment.bonification,
                'bonification': ZERO,
                'lines': [],
                })
        result[key]['bonification'] += line.bonification
    for line in due.lines:
        obligation = line.obligation
        key = (obligation.fiscal_year, obligation.tax_type)
        if key in result:
            result[key]['lines'].append(line)
    for item in result.values():
        item['to_pay'] = sum((l.total for l in item['lines']), ZERO)
        item['obligations'] = [l.obligation for l in item['lines']]
    return list(result.values())


def assessments_of(party):
    return scope.taxpayer_records('local_tax.assessment', [
            ('taxpayer', '=', party.id),
            ])


def payments_of(party):
    "The payments of the party, newest first, with their receipt"
    Payment = get('local_tax.payment')
    Receipt = get('local_tax.receipt')
    payments = Payment.search([
            ('company', '=', g.company.id),
            ('taxpayer', '=', party.id),
            ('taxpayer', 'in', scope.party_ids(scope.FILE)),
            ], limit=200)
    receipts = {r.payment.id: r for r in Receipt.search([
                ('payment', 'in', [p.id for p in payments]),
                ])}
    return [(p, receipts.get(p.id)) for p in payments]


def pay_url(party, obligations):
    """The link to pay the obligations of the party (the pay blueprint's
    start page, a plain URL while it is not installed)"""
    params = [('party', party.id)] + [
        ('obligations', o.id) for o in obligations]
    if 'pay.start' in current_app.view_functions:
        return url_for('pay.start') + '?' + urlencode(params)
    return '/pay?' + urlencode(params)


def obligation_label(obligation):
    """The obligation in the page's language, composed again from what
    local_tax wrote its description from (its messages, translated by the
    module's catalogues): the description itself is in the language of the
    back office that booked it.  A fee or fine a clerk typed keeps its
    text."""
    # Tryton's messages, not the portal's catalogue
    from trytond.i18n import gettext as message
    if obligation.tax_type == 'surcharge' and obligation.principal:
        return message('local_tax.msg_surcharge_description',
            obligation=obligation_label(obligation.principal))
    if obligation.assessment and obligation.instalment:
        return message('local_tax.msg_obligation_description',
            tax=obligation.tax_type_string, year=obligation.fiscal_year,
            instalment=obligation.instalment)
    return obligation.description


def receipt_line_label(line):
    "A line of a receipt in the page's language"
    if line.obligation:
        return obligation_label(line.obligation)
    return line.description


def render_receipt(receipt):
    "The receipt's PDF by local_tax's report"
    return official_pdf('local_tax.receipt', receipt)


def official_pdf(report_name, record, data=None, **context):
    """The PDF of the record by the report (LibreOffice), in the language
    of the database: an official document, the same as the clerk prints;
    503 when no PDF comes out"""
    Configuration = get('ir.configuration')
    Report = pool().get(report_name, type='report')
    with Transaction().set_context(language=Configuration.get_language(),
            with_rec_name=False, **context):
        format_, content, *_ = Report.execute([record.id], dict(data or {},
                model=record.__name__, id=record.id, ids=[record.id]))
    content = bytes(content)
    if format_ != 'pdf' or not content.startswith(b'%PDF'):
        abort(503)
    return content


def pdf_attachment(content, name, number=None):
    "The PDF as a download named name[-number].pdf, not kept by a cache"
    if number:
        name += '-' + ''.join(c if c.isalnum() else '-' for c in number)
    return pdf_response(content, f'{name}.pdf')


def init_app(app, tryton):
    from .security import N_
    app.register_blueprint(bp)
    app.jinja_env.globals.update(obligation_label=obligation_label,
        receipt_line_label=receipt_line_label)
    add_menu(app, 'taxes.index', N_("My taxes"),
        N_("What you owe, with surcharges to today; decisions, payments "
            "and receipts"), audience='user', order=20)
