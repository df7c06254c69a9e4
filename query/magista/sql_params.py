"""How times are bound as query parameters of type DateTime64(3, 'UTC')."""

from datetime import UTC, datetime


def timestamp_param(value: datetime) -> str:
    """`2016-03-22 00:12:00.000`, in UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
