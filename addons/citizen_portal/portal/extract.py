# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Extract the portal's messages into locale/<lang>.po, keeping the
translations already there (run by scripts/export-translations):

    python -m trytond.modules.citizen_portal.portal.extract [SOURCE_DIR]

Templates: Jinja's own extractor ({{ _("…") }}, {% trans %}); Python: the
string arguments of _(), gettext(), ngettext() and N_()."""
import ast
import sys
from pathlib import Path

import polib
from jinja2.ext import babel_extract

from .i18n import LANGUAGES

KEYWORDS = {'_', 'gettext', 'N_', 'ngettext'}


def python_messages(path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in KEYWORDS):
            for arg in node.args[:2 if node.func.id == 'ngettext' else 1]:
                if isinstance(arg, ast.Constant) and isinstance(
                        arg.value, str):
                    yield node.lineno, arg.value


def template_messages(path):
    with path.open('rb') as fileobj:
        for lineno, _, message, _ in babel_extract(
                fileobj, KEYWORDS, [], {'extensions': 'jinja2.ext.i18n'}):
            for text in (message if isinstance(message, tuple)
                    else [message]):
                if text:
                    yield lineno, text


def messages(root):
    found = {}
    for path in sorted(root.rglob('*.py')):
        for lineno, text in python_messages(path):
            found.setdefault(text, f'{path.relative_to(root)}:{lineno}')
    for path in sorted((root / 'templates').rglob('*.html')):
        for lineno, text in template_messages(path):
            found.setdefault(text, f'{path.relative_to(root)}:{lineno}')
    return found


def update(root):
    found = messages(root)
    for lang in LANGUAGES:
        if lang == 'en':
            continue
        path = root / 'locale' / f'{lang}.po'
        old = polib.pofile(str(path)) if path.exists() else polib.POFile()
        known = {e.msgid: e for e in old}
        po = polib.POFile()
        po.metadata = {
            'Content-Type': 'text/plain; charset=utf-8',
            'Language': lang,
            }
        for msgid, where in found.items():
            entry = known.get(msgid)
            po.append(polib.POEntry(
                    msgid=msgid, msgstr=entry.msgstr if entry else '',
                    occurrences=[tuple(where.rsplit(':', 1))]))
        path.parent.mkdir(exist_ok=True)
        po.save(str(path))
        missing = sum(1 for e in po if not e.msgstr)
        print(f"{path}: {len(po)} messages, {missing} untranslated")


if __name__ == '__main__':
    update(Path(sys.argv[1]) if len(sys.argv) > 1
        else Path(__file__).parent)
