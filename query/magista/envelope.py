"""The request envelope as Magista's clients send it: `{'query': {'<function>': {...}, 'size': N}, 'size': N}`.

JSON with single-quoted strings is accepted (Magista's parser allows them, and its clients and tests write
requests that way); `size` is looked up in the function's object, then the `query` object, then the top
level; `from` is accepted everywhere and ignored, as Magista has done since continuation tokens replaced
offsets. Exactly one function must be named.
"""

import json
from dataclasses import dataclass
from typing import Any

from query.magista.errors import DslError

# besides the function: what the query object and the top level may hold
PAGING_KEYS = ("size", "from")
TOKEN_KEY = "continuation_token"  # our extension for clients that can send only the DSL text


@dataclass(frozen=True)
class Envelope:
    function: str
    params: dict[str, Any]  # the function's own parameters, without size and from
    size: int | None
    continuation_token: str | None


def read_json(text: str) -> dict[str, Any]:
    """A request's JSON text, single-quoted strings allowed; content after the top-level value is ignored."""
    try:
        value, _ = json.JSONDecoder().raw_decode(_double_quoted(text.strip()))
    except json.JSONDecodeError as exc:
        raise DslError(f"Failed to parse received json request: {exc}") from None
    if not isinstance(value, dict):
        raise DslError("Failed to parse received json request: the request must be a JSON object")
    return value


def open_envelope(payload: dict[str, Any], functions: tuple[str, ...], token: str | None = None) -> Envelope:
    """The named function with its parameters, the page size and the continuation token."""
    if not payload:
        raise DslError("Can't build query, no match to process: the request is empty")
    query = payload.get("query")
    if not isinstance(query, dict):
        raise DslError("Validation failed for field: query: invalid or not found (an object naming one function)")
    unknown_top = sorted(set(payload) - {"query", *PAGING_KEYS, TOKEN_KEY})
    if unknown_top:
        raise DslError(f"unknown key {', '.join(map(repr, unknown_top))}; valid: query, size, from, {TOKEN_KEY}")
    named = [key for key in query if key not in (*PAGING_KEYS, TOKEN_KEY)]
    unknown = [key for key in named if key not in functions]
    if unknown:
        raise DslError(
            f"Can't build query, no match to process: unknown query type {', '.join(map(repr, unknown))};"
            f" valid: {', '.join(functions)}"
        )
    if not named:
        raise DslError(f"Can't build query, no match to process: name one of {', '.join(functions)}")
    if len(named) > 1:
        raise DslError(f"Build result has more than one query: {', '.join(named)}; send one per request")
    function = named[0]
    params = query[function]
    if not isinstance(params, dict):
        raise DslError(f"{function}: its parameters must be a JSON object, got {json.dumps(params)}")
    chain = [params, query, payload]
    size = next((_size(part["size"]) for part in chain if part.get("size") is not None), None)
    tokens = [part[TOKEN_KEY] for part in (query, payload) if part.get(TOKEN_KEY) is not None]
    if token is not None:
        tokens.append(token)
    if len(set(map(str, tokens))) > 1:
        raise DslError("two different continuation tokens were sent; send the one from the last page")
    return Envelope(
        function=function,
        params={k: v for k, v in params.items() if k not in PAGING_KEYS},
        size=size,
        continuation_token=str(tokens[0]) if tokens else None,
    )


def _size(value: Any) -> int | None:
    """Magista's int rule: a JSON number (truncated) or a string of digits; other JSON types count as absent."""
    if isinstance(value, bool) or isinstance(value, list | dict):
        return None
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if not text.lstrip("+-").isdigit():
        raise DslError(f"Field:size has incorrect value: {value!r} (a whole number up to the page limit)")
    return int(text)


def _double_quoted(text: str) -> str:
    """Rewrite single-quoted JSON strings as double-quoted ones (an escaped \\' becomes a plain quote, a bare
    double quote inside is escaped); everything else is left for the strict JSON parser to judge."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            end = _string_end(text, i, '"')
            out.append(text[i:end])
            i = end
        elif char == "'":
            end = _string_end(text, i, "'")
            body = text[i + 1 : end - 1]
            pieces, j = [], 0
            while j < len(body):
                if body[j] == "\\" and j + 1 < len(body):
                    pieces.append("'" if body[j + 1] == "'" else body[j : j + 2])
                    j += 2
                else:
                    pieces.append('\\"' if body[j] == '"' else body[j])
                    j += 1
            out.append('"' + "".join(pieces) + '"')
            i = end
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _string_end(text: str, start: int, quote: str) -> int:
    """The index just after the string literal opened at `start` (the text's end if it is never closed)."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == quote:
            return i + 1
        else:
            i += 1
    return len(text)
