# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('ghiseul.transaction|refresh_pending',
                    "Poll Pending Ghișeul.ro Payments"),
                ('ghiseul.settlement|fetch_daily',
                    "Fetch Yesterday's Ghișeul.ro Settlements"),
                ])
