# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Romanian translations of our Tryton modules (addons/*/locale/ro.po).

StaticTestCase reads the shipped files only: no empty or fuzzy msgstr, the
same %(name)s placeholders as the English, comma-below ș/ț (not cedilla).

ExportTestCase activates every module of addons/ in a throw-away SQLite
database (whatever TRYTOND_DATABASE_URI says), exports each module's strings
with `trytond-admin --export-translations` and checks that each
exported string has a translation in the shipped file, and that the shipped
file has no entry the module no longer has.  The export reads the *installed*
module, so the test first checks that it matches addons/<module> (reinstall
after a source change: scripts/test does it on every run).

To add the new strings of a module to its ro.po: scripts/export-translations.
"""
import importlib
import importlib.util
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
ADDONS = ROOT / 'addons'
LANGUAGE = 'ro'
VENV_BIN = Path(sys.executable).parent
DB_NAME = 'translations'
# %(name)s, %(total).2f … (the whole directive, so that a changed type shows)
PLACEHOLDER = re.compile(r'%\(([^)]+)\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]')
CEDILLA = re.compile('[\u015e\u015f\u0162\u0163]')      # Ş ş Ţ ţ
# not part of what the module installs (see pyproject.toml) or not strings
NOT_COMPARED = {'locale', 'tests', '__pycache__', 'build', 'dist'}
REINSTALL = ('.venv/bin/pip install -q --no-deps --no-build-isolation '
    '--force-reinstall ./addons/{module}')


def our_modules():
    "Names of our Tryton modules: every addons/<name>/ with a tryton.cfg"
    return sorted(p.parent.name for p in ADDONS.glob('*/tryton.cfg'))


def shipped_po(module):
    return ADDONS / module / 'locale' / f'{LANGUAGE}.po'


def shipped_files():
    return sorted(ADDONS.glob(f'*/locale/{LANGUAGE}.po'))


def describe(entry):
    return f'{entry.msgctxt} {entry.msgid!r}'


def placeholders(text):
    return {m.group(0) for m in PLACEHOLDER.finditer(text)}


def installed_dir(module):
    spec = importlib.util.find_spec(f'trytond.modules.{module}')
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def stale_files(source, installed):
    "Files of addons/<module> that differ from (or lack) the installed copy"
    stale = []
    for path in sorted(source.rglob('*')):
        relative = path.relative_to(source)
        if (not path.is_file() or NOT_COMPARED & set(relative.parts)
                or path.suffix in {'.pyc', '.pyo'}
                or any(p.endswith('.egg-info') for p in relative.parts)):
            continue
        copy = installed / relative
        if not copy.is_file() or copy.read_bytes() != path.read_bytes():
            stale.append(str(relative))
    return stale


class StaticTestCase(unittest.TestCase):
    "The shipped ro.po files, as they are"

    def setUp(self):
        self.files = shipped_files()
        self.assertTrue(
            self.files, f"no addons/*/locale/{LANGUAGE}.po found under {ADDONS}")

    def check_each(self, problem):
        "Fail with every entry for which problem(entry) returns a message"
        for path in self.files:
            with self.subTest(module=path.parents[1].name):
                messages = []
                for entry in polib.pofile(str(path)):
                    if entry.obsolete:
                        continue
                    message = problem(entry)
                    if message:
                        messages.append(f'  {describe(entry)}: {message}')
                if messages:
                    self.fail(f"{path.relative_to(ROOT)}: "
                        f"{len(messages)} entries\n" + '\n'.join(messages))

    def test_translated_and_not_fuzzy(self):
        "Every entry has a msgstr and none is fuzzy"
        def problem(entry):
            if not entry.msgstr.strip():
                return "empty msgstr"
            if entry.fuzzy:
                return f"fuzzy ({entry.msgstr!r})"
        self.check_each(problem)

    def test_placeholders(self):
        "msgstr has exactly the %(name)s placeholders of msgid"
        def problem(entry):
            if not entry.msgstr:
                return                  # reported by the test above
            source, translation = (
                placeholders(entry.msgid), placeholders(entry.msgstr))
            if source != translation:
                return (f"placeholders {sorted(source)} in msgid, "
                    f"{sorted(translation)} in msgstr")
        self.check_each(problem)

    def test_comma_below(self):
        "ș and ț with comma below, not the cedilla ş ţ"
        def problem(entry):
            found = CEDILLA.findall(entry.msgstr)
            if found:
                return f"cedilla {''.join(sorted(set(found)))} in {entry.msgstr!r}"
        self.check_each(problem)


class ExportTestCase(unittest.TestCase):
    "The shipped ro.po files against what trytond-admin exports"

    @classmethod
    def setUpClass(cls):
        cls.modules = our_modules()
        if not cls.modules:
            raise AssertionError(f"no addons/*/tryton.cfg under {ADDONS}")
        admin = VENV_BIN / 'trytond-admin'
        if not admin.exists():
            raise AssertionError(
                f"{admin} not found: run the tests with the venv's python")
        installed = {}
        for module in cls.modules:
            directory = installed_dir(module)
            if directory is None:
                raise AssertionError(
                    f"module {module} is not installed in {sys.prefix}: "
                    + REINSTALL.format(module=module))
            stale = stale_files(ADDONS / module, directory)
            if stale:
                raise AssertionError(
                    f"the installed module {module} ({directory}) differs "
                    f"from addons/{module} in {', '.join(stale)}: reinstall "
                    "it: " + REINSTALL.format(module=module))
            installed[module] = directory

        tmp = Path(tempfile.mkdtemp(prefix='op-translations-'))
        cls.addClassCleanup(shutil.rmtree, tmp, ignore_errors=True)
        config = tmp / 'trytond.conf'
        config.write_text(
            f"[database]\nuri = sqlite://\npath = {tmp}\nlanguage = en\n")
        (tmp / f'{DB_NAME}.sqlite').touch()   # trytond's SQLite backend opens only an existing file
        passfile = tmp / 'password'
        passfile.write_text(secrets.token_urlsafe(15) + '\n')
        env = {k: v for k, v in os.environ.items()
            if not k.startswith(('TRYTOND_', 'TRYTON_', 'TRYTONPASSFILE'))}
        env['TRYTONPASSFILE'] = str(passfile)
        base = [sys.executable, str(admin), '-c', str(config), '-d', DB_NAME]

        # The export writes <installed module>/locale/ro.po and the update
        # loads it: put the shipped file there, put the original back after.
        for module, directory in installed.items():
            cls._stash(module, directory / 'locale' / f'{LANGUAGE}.po')

        # stdin answers the "admin email" prompt of a new database with none
        cls._run(base + ['--all', '-u', *cls.modules,
                '--activate-dependencies', '-l', LANGUAGE], env, input='\n')
        cls._run(base + ['-u', *cls.modules, '-l', LANGUAGE,
                '--export-translations'], env)

        cls.exports = {}
        for module, directory in installed.items():
            exported = directory / 'locale' / f'{LANGUAGE}.po'
            # no file: the module has no string to translate
            cls.exports[module] = (
                polib.pofile(exported.read_text(encoding='utf-8'))
                if exported.exists() else [])

    @classmethod
    def _stash(cls, module, target):
        "Replace the installed ro.po by the shipped one until the class ends"
        locale = target.parent
        created = not locale.exists()
        original = target.read_bytes() if target.exists() else None

        def restore():
            if original is not None:
                locale.mkdir(exist_ok=True)
                target.write_bytes(original)
            else:
                target.unlink(missing_ok=True)
                if created and locale.exists() and not any(locale.iterdir()):
                    locale.rmdir()
        cls.addClassCleanup(restore)
        locale.mkdir(exist_ok=True)
        if shipped_po(module).exists():
            shutil.copyfile(shipped_po(module), target)
        else:
            target.unlink(missing_ok=True)

    @classmethod
    def _run(cls, command, env, input=None):
        result = subprocess.run(command, env=env, input=input, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        if result.returncode:
            raise AssertionError(
                f"{' '.join(command[1:])} failed ({result.returncode}):\n"
                + result.stdout[-4000:])

    def shipped(self, module):
        path = shipped_po(module)
        if not path.exists():
            return {}
        return {(e.msgctxt, e.msgid): e for e in polib.pofile(str(path))
            if not e.obsolete}

    def test_every_exported_string_translated(self):
        "Each string the module exports has a translation in its ro.po"
        for module in self.modules:
            with self.subTest(module=module):
                shipped = self.shipped(module)
                missing = []
                for entry in self.exports[module]:
                    translation = shipped.get((entry.msgctxt, entry.msgid))
                    if translation is None:
                        missing.append(f'  {describe(entry)}: not in the file')
                    elif not translation.msgstr.strip():
                        missing.append(f'  {describe(entry)}: empty msgstr')
                    elif translation.fuzzy:
                        missing.append(f'  {describe(entry)}: fuzzy')
                if missing:
                    self.fail(
                        f"addons/{module}/locale/{LANGUAGE}.po lacks "
                        f"{len(missing)} of the {len(self.exports[module])} "
                        "strings of the module (scripts/export-translations "
                        f"{module} adds them):\n" + '\n'.join(missing))

    def test_no_obsolete_entry(self):
        "The ro.po has no entry the module no longer exports"
        for module in self.modules:
            with self.subTest(module=module):
                exported = {(e.msgctxt, e.msgid)
                    for e in self.exports[module]}
                obsolete = [f'  {describe(e)}'
                    for key, e in self.shipped(module).items()
                    if key not in exported]
                if obsolete:
                    self.fail(
                        f"addons/{module}/locale/{LANGUAGE}.po has "
                        f"{len(obsolete)} entries the module no longer has "
                        "(scripts/export-translations "
                        f"{module} drops them):\n" + '\n'.join(obsolete))


if __name__ == '__main__':
    unittest.main()


class TrytonOverrideTestCase(unittest.TestCase):
    """addons/*/locale/override/ro.po, the corrections of Tryton's own
    Romanian, are what scripts/romanian-overrides writes from the installed
    Tryton catalogues (after a Tryton update: run the script again)"""

    def test_up_to_date(self):
        result = subprocess.run(
            [sys.executable, str(ROOT / 'scripts' / 'romanian-overrides'),
                '--check'],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(result.returncode, 0, result.stdout)

    def test_comma_below(self):
        paths = sorted(ADDONS.glob('*/locale/override/ro.po'))
        self.assertIn(ADDONS / 'municipality' / 'locale' / 'override' / 'ro.po',
            paths)
        found = [describe(e) for path in paths
            for e in polib.pofile(str(path)) if CEDILLA.search(e.msgstr)]
        self.assertEqual(found, [])


class HungarianModuleCatalogTestCase(unittest.TestCase):
    """The Hungarian catalogues of the modules (addons/*/locale/hu.po) hold
    what reaches the citizen portal (tax types, services, states, e-mails,
    errors; complete where a citizen reads, as the portal's language test
    shows): each entry translated, with the English's placeholders, and
    still a string of the module (its ro.po has it)"""

    def test_hungarian_catalogs(self):
        paths = sorted(ADDONS.glob('*/locale/hu.po'))
        self.assertTrue(paths)
        for path in paths:
            with self.subTest(catalog=str(path.relative_to(ROOT))):
                ro = {(e.msgctxt, e.msgid)
                    for e in polib.pofile(str(path.with_name('ro.po')))}
                entries = polib.pofile(str(path))
                self.assertEqual([describe(e) for e in entries
                        if not e.msgstr or e.fuzzy], [], "untranslated")
                self.assertEqual([describe(e) for e in entries
                        if placeholders(e.msgid) != placeholders(e.msgstr)],
                    [], "placeholders differ")
                self.assertEqual([describe(e) for e in entries
                        if (e.msgctxt, e.msgid) not in ro], [],
                    "not a string of the module (any more)")


class PortalCatalogTestCase(unittest.TestCase):
    """The portal catalogues (addons/*/portal/locale/{ro,hu}.po): every
    message of the templates and of the Flask code translated, none left
    over, the same placeholders"""

    def test_portal_catalogs(self):
        for extract in sorted(ADDONS.glob('*/portal/extract.py')):
            module = extract.parents[1].name
            spec = importlib.util.find_spec(
                f'trytond.modules.{module}.portal.extract')
            self.assertIsNotNone(spec, module)
            tool = importlib.import_module(
                f'trytond.modules.{module}.portal.extract')
            found = set(tool.messages(extract.parent))
            for lang in ['ro', 'hu']:
                path = extract.parent / 'locale' / f'{lang}.po'
                with self.subTest(catalog=str(path.relative_to(ROOT))):
                    po = polib.pofile(str(path))
                    shipped = {e.msgid: e for e in po}
                    self.assertEqual(sorted(found - set(shipped)), [],
                        "not in the catalogue: scripts/export-translations")
                    self.assertEqual(sorted(set(shipped) - found), [],
                        "no longer used: scripts/export-translations")
                    empty = [m for m, e in shipped.items()
                        if not e.msgstr or e.fuzzy]
                    self.assertEqual(empty, [], "untranslated")
                    wrong = [m for m, e in shipped.items() if e.msgstr
                        and placeholders(m) != placeholders(e.msgstr)]
                    self.assertEqual(wrong, [], "placeholders differ")
