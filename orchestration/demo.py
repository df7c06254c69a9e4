"""The demo: generate a sample world, run every asset for its days in one Dagster run, summarise the marts."""

import shutil
from datetime import date, timedelta

from dagster import materialize

from ingest.generator import generate
from orchestration.instance import open_instance
from query.summary import summary_text
from warehouse.locations import landing_dir


def partition_range_tags(first: date, last: date) -> dict[str, str]:
    return {
        "dagster/asset_partition_range_start": first.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat(),
    }


def run_demo(days: int, scale: float, seed: int, start: date | None = None) -> str:
    start = start or (date.today() - timedelta(days=days))
    landing = landing_dir()
    shutil.rmtree(landing, ignore_errors=True)
    counts = generate(landing, start, days, scale, seed)
    print(f"Generated {days} days from {start} (scale {scale}, seed {seed}) in {landing}: {counts}")

    instance, liveness = open_instance()
    from orchestration.definitions import defs  # after DAGSTER_HOME and the environment are set

    result = materialize(
        list(defs.assets),
        resources=defs.resources,
        instance=instance,
        tags={**partition_range_tags(start, start + timedelta(days=days - 1)), **liveness},
    )
    if not result.success:
        raise SystemExit("The pipeline run failed; see the log above.")
    warehouse = defs.resources["warehouse"]
    with warehouse.connect() as conn:
        return summary_text(conn)
