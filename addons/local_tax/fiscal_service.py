# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The fiscal-file service: what a taxpayer owes on a date, in one place.

A model without storage, as ir.date is: the cash desk, the certificate, the
exports, the citizen portal and Ghișeul.ro call it through the Pool, and a
later module (forced collection, payment plans) overrides it there."""
from trytond.i18n import gettext
from trytond.model import Model
from trytond.pool import Pool
from trytond.transaction import without_check_access

from .exceptions import ObligationError
from .fiscal_file import ACCESSORY_TYPES, NO_SURCHARGE, ZERO, surcharge
from .payment import (
    Payable, PayableLine, bonification_amount, bonification_groups,
    legal_first, unique)


class FiscalFile(Model):
    __name__ = 'local_tax.fiscal_file'
    __string__ = "Fiscal File"

    @classmethod
    def bears_surcharge(cls, tax_type, due_date, date):
        """CPF art. 183: a principal obligation — not a surcharge itself,
        not a fine (art. 173(3)) — unpaid after its due date bears a
        surcharge"""
        return (tax_type not in ACCESSORY_TYPES
            and tax_type not in NO_SURCHARGE
            and due_date < date)

    @classmethod
    def surcharge_rate(cls, company, date):
        """The surcharge per month (%) of the Code table of the year of the
        date, or of the latest year before it (of the first year for an
        older date); public law, read whatever the user's access"""
        Line = Pool().get('local_tax.code_table.line')
        kind = [('kind', '=', 'late_payment_surcharge')]
        with without_check_access():
            lines = (Line.search(
                    kind + [('code_table.year', '<=', date.year)],
                    order=[('code_table.year', 'DESC')], limit=1)
                or Line.search(
                    kind, order=[('code_table.year', 'ASC')], limit=1))
        if not lines:
            raise ObligationError(gettext('local_tax.msg_no_surcharge_rate'))
        return lines[0].value

    @classmethod
    def balances(cls, company, taxpayer, date=None):
        """The taxpayer's posted obligations with their balance on the date,
        unpaid first in the order of art. 165"""
        Obligation = Pool().get('local_tax.obligation')
        domain = [
            ('company', '=', company.id),
            ('taxpayer', '=', taxpayer.id),
            ('state', '=', 'posted'),
            ]
        if date:
            domain.append(('date', '<=', date))
        obligations = Obligation.search(domain)
        amounts = Obligation._amounts([o.id for o in obligations], date)
        return [(o, o.amount - sum(amounts[o.id])) for o in obligations]

    @classmethod
    def position(cls, company, taxpayer, date):
        """The fiscal file on the date: unpaid principal and accessories by
        type, the surcharge then due, the credit and the balance"""
        Payment = Pool().get('local_tax.payment')
        rate = None
        principal, accessories, by_type = ZERO, ZERO, {}
        pending = ZERO
        for obligation, balance in cls.balances(company, taxpayer, date):
            if balance <= 0:
                continue
            by_type[obligation.tax_type] = by_type.get(
                obligation.tax_type, ZERO) + balance
            if obligation.nature == 'accessory':
                accessories += balance
                continue
            principal += balance
            if cls.bears_surcharge(
                    obligation.tax_type, obligation.due_date, date):
                if rate is None:
                    rate = cls.surcharge_rate(company, date)
                pending += surcharge(balance, obligation.due_date, date, rate)
        if pending:
            by_type['surcharge'] = by_type.get('surcharge', ZERO) + pending
        credit = Payment.credit(company, taxpayer, date)
        return {
            'principal': principal,
            'accessories': accessories + pending,
            'pending_surcharge': pending,
            'by_type': by_type,
            'credit': credit,
            'balance': principal + accessories + pending - credit,
            }

    @classmethod
    def payable(cls, company, taxpayer, date, obligations=None):
        """The open obligations of the taxpayer on the date (or those
        chosen, with the enforceable fines the law pays first), each with
        its surcharge to the date (CPF art. 183) and the bonification paying
        the whole year's tax now would get: what Payment.receive with the
        same obligations on the same date books"""
        Payment = Pool().get('local_tax.payment')
        open_balances = {o: b for o, b in cls.balances(company, taxpayer)
            if b > 0 and o.state == 'posted'}
        if obligations is None:
            chosen = list(open_balances)
        else:
            chosen = [o for o in obligations if o in open_balances]
            chosen = unique(legal_first(list(open_balances), chosen) + chosen)
        rate = None
        lines = []
        for obligation in sorted(chosen, key=lambda o: (o.due_date, o.id)):
            balance = open_balances[obligation]
            line = PayableLine(obligation, balance)
            if cls.bears_surcharge(
                    obligation.tax_type, obligation.due_date, date):
                if rate is None:
                    rate = cls.surcharge_rate(company, date)
                line.surcharge = surcharge(
                    balance, obligation.due_date, date, rate)
            lines.append(line)
        by_obligation = {line.obligation: line for line in lines}
        for group in bonification_groups(open_balances, date).values():
            if not all(o in by_obligation for o in group):
                continue
            bonus, _ = bonification_amount(group, open_balances)
            # booked on the latest instalments first, like the allocation
            for obligation in sorted(group, key=lambda o: (o.due_date, o.id),
                    reverse=True):
                line = by_obligation[obligation]
                line.bonification = min(line.balance, bonus)
                bonus -= line.bonification
        return Payable(company, taxpayer, date, lines,
            Payment.credit(company, taxpayer, date))
