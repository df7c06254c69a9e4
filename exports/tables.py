"""Rows to CSV or XLSX bytes: UTF-8 CSV with Cyrillic intact, XLSX with typed cells."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import xlsxwriter

MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    title: str
    kind: str = "number"  # number, percent, date, text


def to_csv(rows: list[dict[str, Any]], columns: list[ColumnSpec]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Cyrillic headers correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.title for c in columns])
    for row in rows:
        writer.writerow(["" if row.get(c.key) is None else _csv_value(row[c.key]) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def to_xlsx(rows: list[dict[str, Any]], columns: list[ColumnSpec], sheet: str = "Report") -> bytes:
    """One sheet: a bold header, dates as dates, numbers as numbers, rates as percentages; empty cells for None."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    page = book.add_worksheet(sheet[:31])
    formats = {
        "header": book.add_format({"bold": True}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "percent": book.add_format({"num_format": "0.00%"}),
        "number": None,
        "text": None,
    }
    for col, spec in enumerate(columns):
        page.write_string(0, col, spec.title, formats["header"])
        page.set_column(col, col, max(12, len(spec.title) + 2))
    for line, row in enumerate(rows, start=1):
        for col, spec in enumerate(columns):
            value = row.get(spec.key)
            if value is None:
                page.write_blank(line, col, None)
            elif spec.kind == "date":
                page.write_datetime(
                    line,
                    col,
                    datetime.combine(value, datetime.min.time()) if type(value) is date else value,
                    formats["date"],
                )
            elif spec.kind in ("number", "percent"):
                page.write_number(line, col, float(value), formats[spec.kind])
            else:
                page.write_string(line, col, str(value))
    book.close()
    return buffer.getvalue()
