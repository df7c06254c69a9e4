"""`ott-analytics sql`: SQL against the warehouse for analysts, one statement or a script at a time, or an
interactive prompt. Read-only unless asked (ClickHouse's `readonly = 2`: queries and settings, no changes)."""

import io
import json
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import sqlparse
from tabulate import tabulate

from exports.files import write_atomically
from warehouse.connection import WarehouseConnection

TABLE_ROWS = 1000  # rows an aligned table shows; files take every row


class SqlError(Exception):
    """A statement the warehouse refused, with ClickHouse's own message."""


@dataclass(frozen=True)
class Result:
    table: pa.Table
    seconds: float
    truncated: bool  # a table-format result had more rows than it shows


def statements(text: str) -> list[str]:
    """The statements of a script, split on `;` outside strings and comments; empty ones dropped."""
    found = []
    for statement in sqlparse.split(text):
        stripped = statement.strip().rstrip(";").strip()
        if sqlparse.format(stripped, strip_comments=True).strip():
            found.append(stripped)
    return found


def prepare(conn: WarehouseConnection, write: bool, fmt: str) -> None:
    """Make the session read-only (unless `write`), and let an aligned table stop reading after the rows it shows."""
    if fmt == "table":
        conn.command(f"SET max_result_rows = {TABLE_ROWS + 1}")
        conn.command("SET result_overflow_mode = 'break'")
    if not write:
        conn.command("SET readonly = 2")


def execute(conn: WarehouseConnection, statement: str, fmt: str) -> Result:
    started = time.monotonic()
    try:
        table = conn.query_arrow(statement)
    except Exception as exc:  # each backend has its own error class; all carry ClickHouse's message
        message = _clickhouse_message(exc)
        if "(READONLY)" in message:
            message += "\nThe session is read-only: run with --write to change data or tables."
        raise SqlError(message) from None
    truncated = fmt == "table" and table.num_rows > TABLE_ROWS
    return Result(table.slice(0, TABLE_ROWS) if truncated else table, time.monotonic() - started, truncated)


def write(result: Result, fmt: str, out: IO[bytes]) -> None:
    """One result in `fmt` on a binary stream."""
    table = result.table
    if fmt == "parquet":
        pq.write_table(table, out)
    elif fmt == "csv":
        if table.num_columns:
            pacsv.write_csv(table, out)
    elif fmt == "json":
        for row in table.to_pylist():
            out.write((json.dumps(row, ensure_ascii=False, default=_json_value) + "\n").encode())
    else:
        out.write(aligned(result).encode())


def aligned(result: Result) -> str:
    """An aligned text table with a line saying how many rows and how long, as psql and clickhouse-client do."""
    table = result.table
    if table.num_columns == 0:
        return f"OK ({result.seconds:.2f} s)\n"
    rows = [[_cell(value) for value in row.values()] for row in table.to_pylist()]
    numeric = [pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) for t in table.schema.types]
    text = tabulate(
        rows,
        headers=table.column_names,
        tablefmt="simple",
        disable_numparse=True,
        colalign=["right" if n else "left" for n in numeric],  # numbers right-aligned, text left
    )
    count = (
        f"more than {TABLE_ROWS} rows, the first {TABLE_ROWS} shown: --format csv --output FILE writes them all"
        if result.truncated
        else f"{table.num_rows} row{'s' if table.num_rows != 1 else ''}"
    )
    return f"{text}\n({count}; {result.seconds:.2f} s)\n\n"


def run_script(conn: WarehouseConnection, text: str, fmt: str, out: IO[bytes]) -> int:
    """Run every statement, writing each result; stop at the first error (its message on stderr, exit code 2)."""
    for statement in statements(text):
        try:
            write(execute(conn, statement, fmt), fmt, out)
        except SqlError as exc:
            print(f"ott-analytics sql: {exc}", file=sys.stderr)
            return 2
    return 0


def interactive(conn: WarehouseConnection, history: Path, fmt: str) -> int:
    """A prompt with history and SQL highlighting; a statement ends with `;`, `exit` or Ctrl-D leaves."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.lexers import PygmentsLexer
    from pygments.lexers.sql import SqlLexer

    bindings = KeyBindings()

    @bindings.add("enter")
    def _enter(event: Any) -> None:
        text = event.current_buffer.text.strip()
        if not text or text.endswith(";") or text.lower() in ("exit", "quit", "\\q"):
            event.current_buffer.validate_and_handle()
        else:
            event.current_buffer.insert_text("\n")

    history.parent.mkdir(parents=True, exist_ok=True)
    session = PromptSession(
        history=FileHistory(str(history)),
        lexer=PygmentsLexer(SqlLexer),
        key_bindings=bindings,
        multiline=True,
        prompt_continuation="... ",
    )
    out = sys.stdout.buffer
    while True:
        try:
            # An error inside prompt_toolkit (its history loader runs in a thread) would otherwise show
            # "Press ENTER to continue" and, with standard input closed, wait for it forever.
            text = session.prompt("sql> ", set_exception_handler=False)
        except KeyboardInterrupt:
            continue
        except EOFError:
            return 0
        if text.strip().lower() in ("exit", "quit", "\\q"):
            return 0
        for statement in statements(text):
            try:
                write(execute(conn, statement, fmt), fmt, out)
            except SqlError as exc:
                out.write(f"{exc}\n".encode())
            out.flush()


def run_to_file(conn: WarehouseConnection, text: str, fmt: str, path: Path) -> int:
    """run_script into a file that appears whole, and only when every statement ran."""
    out = io.BytesIO()
    code = run_script(conn, text, fmt, out)
    if code == 0:
        write_atomically(path, out.getvalue())
    return code


def _clickhouse_message(exc: Exception) -> str:
    text = str(exc).strip()
    first = text.split("Stack trace:")[0].strip()
    return first.splitlines()[0] if first else type(exc).__name__


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
