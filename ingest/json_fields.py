"""SQL expressions that read fields out of a JSON line (`raw`), tolerant of Extended JSON.

A line is parsed once (`parse_once`): every top-level key the source reads comes out as text, a string
unquoted, a number, boolean, object or array as its JSON text, NULL when absent or null. Each column's
expression then works on its key's text, so a field nested in an object parses only that small object.
Numbers and strings are interchangeable: `"amount": "100"` reads as 100 and `"shop_id": 7` as "7".
"""

import re
from collections.abc import Iterable

from warehouse.connection import sql_string

PARSED = "_json"
_FIELD = re.compile(r"tupleElement\(" + PARSED + r", '((?:[^'\\]|\\.)*)'\)")


def field(key: str) -> str:
    """The text of top-level `key`."""
    if "`" in key:
        raise ValueError(f"JSON field name {key!r} may not contain a backtick")
    return f"tupleElement({PARSED}, {sql_string(key)})"


def value(*path: str) -> str:
    """The text at `path` (top-level key, then keys inside it); NULL when absent or null."""
    top = field(path[0])
    if len(path) == 1:
        return top
    return f"JSONExtract({top}, {_path(path[1:])}, 'Nullable(String)')"


def text(*path: str) -> str:
    """A string field; NULL when absent, null or empty."""
    return f"nullIf({value(*path)}, '')"


def number(*path: str) -> str:
    """A number field as its text (cast by the column type); also unwraps `$numberLong`/`$numberInt`."""
    v = value(*path)
    wrapped = f"concat(JSONExtractString({v}, '$numberLong'), JSONExtractString({v}, '$numberInt'))"
    return f"if(startsWith({v}, '{{'), {wrapped}, {v})"


def timestamp(*path: str) -> str:
    """ISO 8601 text, Extended JSON `{"$date": "..."}` or `{"$date": {"$numberLong": ms}}`, as DateTime64(3, UTC)."""
    v = value(*path)
    ext = f"parseDateTime64BestEffortOrNull(JSONExtractString({v}, '$date'), 3, 'UTC')"
    ext_ms = f"fromUnixTimestamp64Milli(toInt64OrNull(JSONExtractString({v}, '$date', '$numberLong')), 'UTC')"
    return f"if(startsWith({v}, '{{'), coalesce({ext}, {ext_ms}), parseDateTime64BestEffortOrNull({v}, 3, 'UTC'))"


def array(ch_type: str, *path: str) -> str:
    """A JSON array field as `ch_type` (an Array type); empty when absent."""
    return f"JSONExtract(ifNull({value(*path)}, '[]'), {sql_string(ch_type)})"


def keys_read(expressions: Iterable[str]) -> list[str]:
    """The top-level keys that `expressions` read."""
    return sorted({re.sub(r"\\(.)", r"\1", key) for expr in expressions for key in _FIELD.findall(expr)})


def shape(keys: list[str]) -> str:
    """The type `_json` has: each key's text."""
    return "Tuple(" + ", ".join(f"`{key}` Nullable(String)" for key in keys) + ")"


def parse_once(expressions: Iterable[str]) -> str:
    """The one parse of `raw` that `expressions` read from, as a column named `_json`."""
    keys = keys_read(expressions)
    if not keys:
        return f"tuple() AS {PARSED}"
    return f"JSONExtract(raw, {sql_string(shape(keys))}) AS {PARSED}"


def _path(path: tuple[str, ...]) -> str:
    return ", ".join(sql_string(p) for p in path)
