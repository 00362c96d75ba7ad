"""Open an existing trytond database from a small maintenance script."""
import argparse


def parse_args(description, extra=None):
    "The -c CONFIG… -d DATABASE arguments shared by these scripts"
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('-c', '--config', nargs='+', required=True)
    parser.add_argument('-d', '--database', required=True)
    if extra:
        extra(parser)
    return parser.parse_args()


def open_pool(configs, database):
    "Read the configuration and return the initialised pool of the database"
    from trytond.config import update_etc
    update_etc(configs)

    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool.start()
    pool = Pool(database)
    with Transaction().start(database, 0, readonly=True):
        pool.init()
    return pool


def run_committed(database, func, context=None):
    """Run func in a transaction as user 0 and commit it; restarted with the locks a strict
    sequence or a lock asks for, as trytond's dispatcher does"""
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    while True:
        with Transaction().start(
                database, 0, context=context or {}, **extras) as transaction:
            try:
                result = func()
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)
                continue
            transaction.commit()
            return result
