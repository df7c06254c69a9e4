"""SQL expressions that read fields out of a JSON line (`raw`), tolerant of Extended JSON."""


def text(*path: str) -> str:
    """A string field; NULL when absent, null or empty."""
    return f"nullIf(JSONExtractString(raw, {_path(path)}), '')"


def number(*path: str) -> str:
    """A number field as its JSON text (cast by the column type); also unwraps `$numberLong`/`$numberInt`."""
    literal = f"JSONExtractRaw(raw, {_path(path)})"
    wrapped = f"JSONExtractString(raw, {_path(path)}, '$numberLong')"
    wrapped_int = f"JSONExtractString(raw, {_path(path)}, '$numberInt')"
    return f"nullIf(if(JSONType(raw, {_path(path)}) = 'Object', concat({wrapped}, {wrapped_int}), {literal}), 'null')"


def timestamp(*path: str) -> str:
    """ISO 8601 text, Extended JSON `{"$date": "..."}` or `{"$date": {"$numberLong": ms}}`, as DateTime64(3, UTC)."""
    iso = f"parseDateTime64BestEffortOrNull(JSONExtractString(raw, {_path(path)}), 3, 'UTC')"
    ext = f"parseDateTime64BestEffortOrNull(JSONExtractString(raw, {_path(path)}, '$date'), 3, 'UTC')"
    millis = f"JSONExtractString(raw, {_path(path)}, '$date', '$numberLong')"
    ext_ms = f"fromUnixTimestamp64Milli(toInt64OrNull({millis}), 'UTC')"
    return f"coalesce({iso}, {ext}, {ext_ms})"


def _path(path: tuple[str, ...]) -> str:
    return ", ".join("'" + p.replace("'", "\\'") + "'" for p in path)
