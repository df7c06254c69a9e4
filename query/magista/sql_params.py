"""How times are bound as query parameters of type DateTime64(3, 'UTC')."""

from datetime import UTC, datetime

# DateTime64's range: far-future ends such as Magista's tests send (3018-10-25) are clamped to it
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2299, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)


def timestamp_param(value: datetime) -> str:
    """`2016-03-22 00:12:00.000`, in UTC."""
    clamped = min(max(value.astimezone(UTC), EARLIEST), LATEST)
    return clamped.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
