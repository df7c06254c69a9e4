"""Vectorized building blocks for landing files: ids, timestamps and JSON lines from columns."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

Piece = str | pa.Array


def hex_ids(rng: np.random.Generator, n: int, nbytes: int, prefix_seconds: np.ndarray | None = None) -> pa.Array:
    """`n` lowercase hex strings of `nbytes` bytes; with `prefix_seconds`, a Mongo ObjectId layout
    (4-byte big-endian creation time, then random bytes)."""
    body = rng.integers(0, 256, size=(n, nbytes), dtype=np.uint8)
    if prefix_seconds is not None:
        body[:, :4] = prefix_seconds.astype(">u4").view(np.uint8).reshape(n, 4)
    text = body.tobytes().hex().encode()
    fixed = np.frombuffer(text, dtype=f"S{nbytes * 2}")
    return pa.array(fixed, type=pa.binary(nbytes * 2)).cast(pa.string())


def uuids(rng: np.random.Generator, n: int) -> pa.Array:
    """`n` random (version 4 layout) UUID strings."""
    raw = hex_ids(rng, n, 16)
    parts = [pc.utf8_slice_codeunits(raw, a, b) for a, b in ((0, 8), (8, 12), (13, 16), (17, 20), (20, 32))]
    version = pc.binary_join_element_wise("4", parts[2], "")
    variant = pc.binary_join_element_wise("a", parts[3], "")
    return pc.binary_join_element_wise(parts[0], parts[1], version, variant, parts[4], "-")


def iso_utc(seconds: np.ndarray, millis: bool = False) -> pa.Array:
    """ISO 8601 UTC text (`2024-01-01T10:00:00Z`, or `...00.000Z` with millis) for Unix seconds."""
    unit = "ms" if millis else "s"
    stamps = pa.array(seconds.astype("datetime64[s]").astype(f"datetime64[{unit}]"))
    spaced = pc.cast(stamps, pa.string())  # `2024-01-01 10:00:00[.000]`: Arrow's cast is the fast path
    return pc.binary_join_element_wise(pc.binary_replace_slice(spaced, 10, 11, "T"), "Z", "")


def sql_datetime(seconds: np.ndarray) -> pa.Array:
    """`2024-01-01 10:00:00` text (UTC) for Unix seconds, the CSV form ClickHouse reads."""
    return pc.cast(pa.array(seconds.astype("datetime64[s]")), pa.string())


def text(values: np.ndarray | pa.Array) -> pa.Array:
    array = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)
    return pc.cast(array, pa.string())


def quoted(values: pa.Array) -> pa.Array:
    """JSON string literals; the generator's own values never contain quotes or backslashes."""
    return pc.binary_join_element_wise('"', text(values), '"', "")


def money(minor_units: np.ndarray) -> pa.Array:
    """Decimal text with two digits (`299.00`) from integer kopecks/cents, exact."""
    units = text(minor_units // 100)
    cents = pc.utf8_lpad(text(minor_units % 100), 2, "0")
    return pc.binary_join_element_wise(units, cents, ".")


def concat(pieces: Sequence[Piece]) -> pa.Array:
    """Element-wise concatenation of arrays and literal strings."""
    return pc.binary_join_element_wise(*pieces, "")


def json_object(fields: Sequence[tuple[str, Piece]]) -> pa.Array:
    """One JSON object per row from (key, already-JSON-encoded value) pairs."""
    pieces: list[Piece] = []
    for i, (key, value) in enumerate(fields):
        pieces.append(("{" if i == 0 else ",") + f'"{key}":')
        pieces.append(value)
    pieces.append("}")
    return concat(pieces)


def write_lines(path: Path, lines: pa.Array) -> int:
    """Write one line per element (UTF-8, `\\n`-terminated); return the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    terminated = pc.binary_join_element_wise(lines, "\n", "").cast(pa.large_string())
    offsets = np.frombuffer(terminated.buffers()[1], dtype=np.int64)[
        terminated.offset : terminated.offset + len(terminated) + 1
    ]
    data = terminated.buffers()[2]
    with path.open("wb") as out:
        if len(terminated):
            out.write(memoryview(data)[offsets[0] : offsets[-1]])
    return len(lines)


def write_csv(path: Path, table: pa.Table) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return table.num_rows
