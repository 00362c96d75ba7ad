"""Write the back office's menu entries as JSON, for the menu walk (test_menu_walk.py).

    python tests/browser/menus.py -c CONFIG [CONFIG ...] -d DATABASE --out FILE.json

Each entry: the path of names as sao shows them in Romanian, the action type, its model and the
view types of a window action. Read from the database, so a new module's menus are walked
without touching the test.
"""
import json
import sys
from pathlib import Path


def entries(pool):
    Menu = pool.get('ir.ui.menu')
    result = []
    for menu in Menu.search([], order=[('id', 'ASC')]):
        action = menu.action
        if not action:
            continue
        path = []
        node = menu
        while node:
            path.insert(0, node.name)
            node = node.parent
        entry = {'path': path, 'type': action.type, 'id': menu.id}
        if action.type == 'ir.action.act_window':
            entry['model'] = action.res_model
            entry['views'] = [v.view.type if v.view else None for v in action.act_window_views]
        result.append(entry)
    return sorted(result, key=lambda e: e['path'])


def main():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'scripts' / 'lib'))
    from trytond_db import open_pool, parse_args
    args = parse_args(__doc__.splitlines()[0],
        lambda parser: parser.add_argument('--out', required=True))
    pool = open_pool(args.config, args.database)

    from trytond.transaction import Transaction
    with Transaction().start(args.database, 0, readonly=True):
        admin, = pool.get('res.user').search([('login', '=', 'admin')])
    # as admin: the menus his groups show him in sao
    with Transaction().start(args.database, admin.id, readonly=True,
            context={'language': 'ro'}):
        Path(args.out).write_text(json.dumps(entries(pool), ensure_ascii=False, indent=1))


if __name__ == '__main__':
    main()
