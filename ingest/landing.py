"""Load landing-zone files into raw tables.

A CSV source `x.csv` may land as Parquet instead (`x.parquet`, typed columns with the CSV header's names).
A daily JSON-lines source `x/{day}.json` may also land as Parquet (`x/{day}.parquet`) or as several files
for the day, e.g. one per hour, in a folder `x/{day}/` (`*.json`, `*.parquet`). Every file found for the
day is loaded into the one partition, with record numbers running on across the files in name order.
"""

from datetime import date
from itertools import groupby
from pathlib import Path

import pyarrow.parquet as pq

from ingest import billing, content, events, payments, viewing
from ingest.files import csv_header, read_csv
from ingest.load import LoadResult, PartitionLoad, load_partition, row_columns, warehouse_reads
from ingest.parquet import add_parquet_file
from ingest.spec import RawSource
from warehouse.connection import WarehouseConnection

SOURCES: tuple[RawSource, ...] = (
    *viewing.SOURCES,
    *billing.SOURCES,
    *content.SOURCES,
    *payments.SOURCES,
    *events.SOURCES,
)
LINE_FILES = (".json", ".jsonl")


class MissingLandingFile(FileNotFoundError):
    """The landing file a partition needs is not there."""


def landing_files(source: RawSource, landing: Path, day: date | None) -> list[Path]:
    """The files holding `source`'s records for `day` (None for snapshot sources), in load order."""
    path = landing / source.file_for(day.isoformat() if day else None)
    if source.format != "jsonl" or not source.daily:
        return [p for p in (path, path.with_suffix(".parquet")) if p.exists()][:1]
    stem = path.with_suffix("")
    folder = sorted(p for p in stem.glob("*") if p.suffix in (*LINE_FILES, ".parquet")) if stem.is_dir() else []
    return [p for p in (path, stem.with_suffix(".parquet")) if p.exists()] + folder


def load_landing_file(conn: WarehouseConnection, source: RawSource, landing: Path, day: date | None) -> LoadResult:
    """Replace `source`'s partition `day` (None for snapshot sources) with the landing files' records."""
    if source.daily and day is None:
        raise ValueError(f"{source.name} is loaded per day: give the partition day")
    files = landing_files(source, landing, day)
    if not files:
        wanted = landing / source.file_for(day.isoformat() if day else None)
        raise MissingLandingFile(f"{source.name}: landing file {wanted} not found for partition {day or 'snapshot'}")
    partition = day if source.daily else None
    csv_file = source.format == "csv" and files[0].suffix == ".csv"
    if csv_file and not warehouse_reads(conn, files[0]):
        records, malformed = read_csv(files[0])
        return load_partition(conn, source, records, partition, malformed)
    if csv_file:
        header = csv_header(files[0])
        text_columns = [*header, "raw"]
    else:  # a CSV source may come here with a Parquet file: its columns are the CSV header's
        text_columns = row_columns(source, pq.read_schema(files[0]).names if source.format == "csv" else [])
    load = PartitionLoad(conn, source, partition, text_columns)
    try:
        if csv_file:
            load.add_csv_file(files[0], header)
        else:
            _add_files(load, files)
        return load.commit()
    finally:
        load.drop_work_tables()


def _add_files(load: PartitionLoad, files: list[Path]) -> None:
    """JSON-lines and Parquet files in order, record numbers running on across them."""
    line = 1
    for is_parquet, group in groupby(files, key=lambda p: p.suffix == ".parquet"):
        if is_parquet:
            for path in group:
                line += add_parquet_file(load, path, line)
        else:
            line = load.add_json_lines(list(group), line)
