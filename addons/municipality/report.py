# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The base of the reports converted to PDF by LibreOffice"
import time

from trytond.report import Report
from trytond.report.report import FORMAT2EXT

CONVERT_ATTEMPTS = 3


class LibreOfficeReport(Report):
    """A report converted to its output format by LibreOffice.

    trytond 8.0.12 builds the converter's arguments with a one-shot map(),
    so its own retry runs an empty command and raises IndexError:
    convert once per call of the parent and retry here."""

    @classmethod
    def convert(cls, report, data, timeout=5 * 60, retry=CONVERT_ATTEMPTS):
        output = report.extension or report.template_extension
        output = FORMAT2EXT.get(output, output)
        for attempt in range(max(retry, 1)):
            if attempt:
                time.sleep(0.2 * attempt)
            format_, content = super().convert(
                report, data, timeout=timeout, retry=0)
            if format_ == output:
                break
        return format_, content
