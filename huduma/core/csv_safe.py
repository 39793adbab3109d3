"""Every CSV (and spreadsheet export) we produce, safe to open in Excel or LibreOffice.

A cell that starts with =, +, -, @, tab or carriage return is read by spreadsheets as a formula
(`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`, `@SUM(...)`): OWASP's CSV-injection rule is to prefix
such text with a single quote, which makes it text. Numbers (a refund's -100.00 as a Decimal)
stay numbers. Every CSV writer and export in the project goes through this module."""

import csv
from collections.abc import Iterable

from import_export import resources

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """The value as a spreadsheet will read it as text, never as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose every text cell is neutralised (csv_cell)."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable):
        return self._writer.writerow([csv_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable]):
        for row in rows:
            self.writerow(row)


def writer(out, **kwargs) -> SafeWriter:
    return SafeWriter(out, **kwargs)


class ValidatedResource(resources.ModelResource):
    """The admin's import/export: every imported row passes the model's own validation (the
    same full_clean as the admin form: a service code `=HYPERLINK(...)` or with `|` is refused
    with the row's error), and every exported text cell is neutralised."""

    class Meta:
        clean_model_instances = True

    def export_field(self, field, instance, **kwargs):
        return csv_cell(super().export_field(field, instance, **kwargs))
