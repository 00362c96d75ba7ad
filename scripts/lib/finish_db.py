"""Make a freshly created OpenPrimărie database ready for a person at a browser.

Used by scripts/demo and tests/browser after trytond-admin:
- the admin user works in Romanian;
- every "Module Configuration" wizard item is marked done, otherwise the first login in sao
  opens that wizard and hides the menu.

Usage: python scripts/lib/finish_db.py -c CONFIG [CONFIG ...] -d DATABASE [--language ro]
"""
from trytond_db import open_pool, parse_args


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        lambda parser: parser.add_argument('--language', default='ro'))
    pool = open_pool(args.config, args.database)

    from trytond.transaction import Transaction
    with Transaction().start(args.database, 0):
        User = pool.get('res.user')
        Lang = pool.get('ir.lang')
        Item = pool.get('ir.module.config_wizard.item')

        lang, = Lang.search([('code', '=', args.language)])
        if not lang.translatable:
            Lang.write([lang], {'translatable': True})
        admin, = User.search([('login', '=', 'admin')])
        User.write([admin], {'language': lang.id})

        items = Item.search([('state', '!=', 'done')])
        Item.write(items, {'state': 'done'})
        # leaving the with-block without an exception commits
    print(f"admin language set to {args.language!r}; "
        f"{len(items)} configuration wizard item(s) marked done")


if __name__ == '__main__':
    main()
