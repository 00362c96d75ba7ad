# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Build hook: ship the Code tables of the repository's data/local_tax/.

The CSV files live once, in data/local_tax/ at the top of the repository
(with their README).  When the wheel is built from a checkout they are added
as trytond/modules/local_tax/data/, where CodeTable.import_shipped() reads
them.  Built without the repository around it (e.g. from addons/ alone), the
module has no shipped tables and they must be imported from a file with the
"Import Code Tables" wizard."""
import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

TARGET = 'trytond/modules/local_tax/data'


class CodeTablesHook(BuildHookInterface):
    PLUGIN_NAME = 'custom'

    def initialize(self, version, build_data):
        source = Path(self.root).resolve().parents[1] / 'data' / 'local_tax'
        if not source.is_dir():
            print(f"local_tax: {source} not found: building without the "
                "shipped Code tables", file=sys.stderr)
            return
        for path in sorted(source.iterdir()):
            if path.is_file() and path.suffix in {'.csv', '.md'}:
                build_data['force_include'][str(path)] = (
                    f'{TARGET}/{path.name}')
