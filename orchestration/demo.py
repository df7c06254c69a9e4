"""The demo: generate a sample world, run every asset for its days in one Dagster run, summarise the marts."""

import shutil
from datetime import UTC, date, datetime, timedelta

from dagster import AssetsDefinition, materialize

from ingest.generator import generate
from orchestration.instance import open_instance
from orchestration.progress import RunProgress, output_to_file
from query.summary import summary_text
from warehouse.locations import data_dir, landing_dir, partitions_start_file


def partition_range_tags(first: date, last: date) -> dict[str, str]:
    return {
        "dagster/asset_partition_range_start": first.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat(),
    }


def run_demo(days: int, scale: float, seed: int, start: date | None = None) -> str:
    start = start or (date.today() - timedelta(days=days))
    landing = landing_dir()
    shutil.rmtree(landing, ignore_errors=True)
    print(f"Generating {days} days of sample data from {start} (scale {scale}, seed {seed}) ...", flush=True)
    counts = generate(landing, start, days, scale, seed)
    print(f"  {sum(counts.values()):,} records in {len(counts)} sources under {landing}")

    recorded = partitions_start_file()
    recorded.parent.mkdir(parents=True, exist_ok=True)
    recorded.write_text(start.isoformat())  # the first daily partition, here and in the UI
    instance, liveness = open_instance()
    from orchestration.definitions import defs  # after DAGSTER_HOME, the environment and the start are set

    assets = [a for a in defs.assets if isinstance(a, AssetsDefinition)]  # the exposures are not built
    total = sum(len(a.keys) for a in assets)
    log_path = data_dir() / "logs" / f"demo-{datetime.now(UTC):%Y%m%d-%H%M%S}.log"
    print(f"Running the pipeline: {total} assets in one Dagster run (its log: {log_path})", flush=True)
    with output_to_file(log_path) as terminal, RunProgress(instance, total, terminal) as progress:
        result = materialize(
            assets,
            resources=defs.resources,
            instance=instance,
            tags={**partition_range_tags(start, start + timedelta(days=days - 1)), **liveness},
            raise_on_error=False,
        )
    if not result.success:
        raise SystemExit(f"The pipeline run failed at {', '.join(progress.failed_steps)}: see {log_path}")
    warehouse = defs.resources["warehouse"]
    with warehouse.connect() as conn:
        return summary_text(conn)
