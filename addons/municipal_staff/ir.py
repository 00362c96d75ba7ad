# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.domain.help += (
            '\n- "departments" as list of ids of the departments of the '
            'current user\'s employees and their sub-departments'
            '\n- "employees" as list of ids of the current user\'s employees'
            '\n- "user_id" as the id of the current user')

    @classmethod
    def _get_cache_key(cls, model_names):
        key = super()._get_cache_key(model_names)
        # the departments follow from the user (the user must be
        # in the key, otherwise one user's domain is reused for another)
        return (*key, Transaction().user)

    @classmethod
    def _get_context(cls, model_name):
        pool = Pool()
        Department = pool.get('staff.department')
        User = pool.get('res.user')
        context = super()._get_context(model_name)
        context['employees'] = list(User.get_employees())
        context['departments'] = Department.of_user()
        context.setdefault('user_id', Transaction().user)
        return context
