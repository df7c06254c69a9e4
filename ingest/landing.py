"""Load landing-zone files into raw tables."""

from datetime import date
from pathlib import Path

from ingest import billing, content, events, payments, viewing
from ingest.files import read_csv, read_json_lines
from ingest.load import LoadResult, load_partition
from ingest.spec import RawSource
from warehouse.connection import WarehouseConnection

SOURCES: tuple[RawSource, ...] = (
    *viewing.SOURCES,
    *billing.SOURCES,
    *content.SOURCES,
    *payments.SOURCES,
    *events.SOURCES,
)


class MissingLandingFile(FileNotFoundError):
    """The landing file a partition needs is not there."""


def load_landing_file(conn: WarehouseConnection, source: RawSource, landing: Path, day: date | None) -> LoadResult:
    """Replace `source`'s partition `day` (None for snapshot sources) with the landing file's records."""
    if source.daily and day is None:
        raise ValueError(f"{source.name} is loaded per day: give the partition day")
    path = landing / source.file_for(day.isoformat() if day else None)
    if not path.exists():
        raise MissingLandingFile(f"{source.name}: landing file {path} not found for partition {day or 'snapshot'}")
    if source.format == "jsonl":
        return load_partition(conn, source, read_json_lines(path), day if source.daily else None)
    records, malformed = read_csv(path)
    return load_partition(conn, source, records, day if source.daily else None, malformed)
