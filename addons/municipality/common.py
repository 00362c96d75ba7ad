# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.


def search_any(clause, field_names):
    """Domain that applies a rec_name clause to several fields: any must match
    (all must not, for a negative operator)"""
    _, operator, operand, *extra = clause
    negative = operator.startswith('!') or operator.startswith('not ')
    return ['AND' if negative else 'OR'] + [
        (name, operator, operand, *extra) for name in field_names]
