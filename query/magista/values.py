"""How the DSL reads parameter values, as Magista does: text from any scalar, whole numbers from JSON numbers or
digit strings, instants in ISO 8601 (seconds required), and pydantic errors turned into one readable line."""

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from query.magista.errors import DslError

INSTANT = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})")


def _text(value: Any) -> Any:
    """Magista converts any scalar to text (`5` and `"5"` are the same id)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value
    raise ValueError("must be a text value")


def _whole(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("must be a whole number")
    if isinstance(value, float):
        return int(value)  # Magista truncates JSON numbers
    if isinstance(value, str):
        if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
            raise ValueError(f"has incorrect value: {value!r} (a whole number)")
        return int(value)
    return value


def _instant(value: Any) -> datetime:
    found = INSTANT.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None:
        raise ValueError(f"Failed to parse: {value} (an ISO 8601 instant such as 2016-03-22T00:12:00Z)")
    seconds, fraction, zone = found.groups()
    text = f"{seconds}.{(fraction or '0')[:6].ljust(6, '0')}{'+00:00' if zone == 'Z' else zone}"
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        raise ValueError(f"Failed to parse: {value} (not a calendar date and time)") from None


Text = Annotated[str, BeforeValidator(_text)]
Whole = Annotated[int, BeforeValidator(_whole)]
Instant = Annotated[datetime, BeforeValidator(_instant)]


class Params(BaseModel):
    """A function's parameters: names Magista never knew are errors (a typo must not drop a filter)."""

    model_config = ConfigDict(extra="forbid")


def instant_text(moment: datetime) -> str:
    """`2016-03-22T00:12:00Z` (milliseconds only when there are any), as Magista prints an Instant."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return (text[:-4] if text.endswith(".000") else text) + "Z"


def validate(model: type[Params], function: str, params: dict[str, Any]) -> Any:
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        raise DslError(f"{function}: {describe(model, exc)}") from None


def describe(model: type[Params], exc: ValidationError) -> str:
    unknown = [str(e["loc"][-1]) for e in exc.errors() if e["type"] == "extra_forbidden"]
    parts = []
    if unknown:
        nested = {len(e["loc"]) for e in exc.errors() if e["type"] == "extra_forbidden"} != {1}
        valid = "" if nested else f"; valid: {', '.join(model.model_fields)}"
        parts.append(f"unknown parameter {', '.join(map(repr, unknown))}{valid}")
    for error in exc.errors():
        if error["type"] == "extra_forbidden":
            continue
        where = ".".join(str(p) for p in error["loc"])
        text = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            text = "invalid or not found (required)"
        elif error["type"] == "literal_error":
            text = f"unknown value {error['input']!r}; valid: {error['ctx']['expected']}"
        parts.append(f"Validation failed for field: {where}: {text}" if where else text)
    return "; ".join(parts)
