# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Build hook: ship the holiday calendars of the repository's
data/municipality/ as trytond/modules/municipality/data/."""
import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

TARGET = 'trytond/modules/municipality/data'


class CalendarsHook(BuildHookInterface):
    PLUGIN_NAME = 'custom'

    def initialize(self, version, build_data):
        source = Path(self.root).resolve().parents[1] / 'data' / 'municipality'
        if not source.is_dir():
            print(f"municipality: {source} not found: building "
                "without the shipped holiday calendars", file=sys.stderr)
            return
        for path in sorted(source.iterdir()):
            if path.is_file() and path.suffix in {'.csv', '.md'}:
                build_data['force_include'][str(path)] = (
                    f'{TARGET}/{path.name}')
