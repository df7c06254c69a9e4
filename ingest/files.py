"""Readers that turn a landing file into text columns, keeping every record's original text."""

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv


def read_json_lines(path: Path) -> pa.Table:
    """One row per non-empty line: `_line` (1-based line number) and `raw` (the line's text).

    Built straight from the file's bytes and its newline positions, with no per-line Python work.
    Invalid UTF-8 is replaced (U+FFFD), so the record still reaches quarantine as readable text.
    """
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = data.decode("utf-8", errors="replace").encode("utf-8")
    if data and not data.endswith(b"\n"):
        data += b"\n"
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    offsets = np.concatenate([[0], newlines + 1]).astype(np.int64)
    lines = pa.LargeStringArray.from_buffers(len(newlines), pa.py_buffer(offsets), pa.py_buffer(data))
    lines = pc.utf8_rtrim(lines, characters="\r\n")
    keep = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(lines)), 0)
    numbers = pa.array(np.arange(1, len(newlines) + 1, dtype=np.uint64))
    return pa.table({"_line": numbers.filter(keep), "raw": lines.filter(keep).cast(pa.string())})


def json_lines_from_text(texts: list[str], first_line: int = 1) -> pa.Table:
    """The same shape as `read_json_lines` for records that arrive as JSON text (e.g. from MongoDB)."""
    return pa.table(
        {
            "_line": pa.array(range(first_line, first_line + len(texts)), pa.uint64()),
            "raw": pa.array(texts, pa.string()),
        }
    )


def csv_header(path: Path) -> list[str]:
    """The field names on a CSV file's first line."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def read_csv(path: Path) -> tuple[pa.Table, list[tuple[int, str, str]]]:
    """Every column as text plus `_line` and `raw` (the record re-joined with commas).

    Rows with the wrong number of fields are not parsed; they come back as (line, reason, text) for
    quarantine.
    """
    malformed: list[tuple[int, str, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        malformed.append(
            (
                row.number or 0,
                f"malformed CSV row: expected {row.expected_columns} fields, got {row.actual_columns}",
                row.text,
            )
        )
        return "skip"

    names = csv_header(path)
    table = pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    raw = pc.binary_join_element_wise(*[table.column(n) for n in names], ",") if names else pa.array([], pa.string())
    table = table.append_column("raw", raw)
    # data rows start on line 2; skipped rows shift later numbers, which only affects the reported line
    table = table.add_column(0, "_line", pa.array(range(2, table.num_rows + 2), pa.uint64()))
    return table, malformed
