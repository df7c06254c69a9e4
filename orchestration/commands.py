"""Run the platform's jobs once from the command line, recorded in the Dagster instance like scheduled runs."""

from datetime import date
from pathlib import Path

from dagster import ExecuteInProcessResult

from orchestration.instance import open_instance
from orchestration.progress import RunProgress, output_to_file


class UnknownJob(LookupError):
    """No job of that name; the message lists the jobs there are."""


def run_job(
    name: str,
    run_config: dict | None = None,
    partition_key: str | None = None,
    partition_range: tuple[date, date] | None = None,
    log_path: Path | None = None,
) -> ExecuteInProcessResult:
    """Run job `name` in this process, for one daily partition or a range of them (one run, like a backfill).

    With `log_path`, Dagster's event log and everything else the run writes (dbt included) go to that file and
    the terminal shows a line per finished step; runs found dead are reported on the terminal first.
    """
    instance, tags = open_instance()
    from orchestration.definitions import defs  # after DAGSTER_HOME is set
    from orchestration.demo import partition_range_tags

    names = sorted(job for job in defs.get_repository_def().job_names if not job.startswith("__"))
    if name not in names:
        raise UnknownJob(f"no job {name!r}; the jobs are: {', '.join(names)}")
    job = defs.resolve_job_def(name)  # only this one: resolving every job's dbt selection costs most of a second
    if job.partitions_def is None:  # a job without partitions runs once, whatever day was asked
        partition_key, partition_range = None, None
    if partition_range:
        tags = {**tags, **partition_range_tags(*partition_range)}

    def execute() -> ExecuteInProcessResult:
        return job.execute_in_process(
            run_config=run_config or {},
            partition_key=partition_key,
            instance=instance,
            raise_on_error=False,
            tags=tags,
        )

    if log_path is None:
        return execute()
    days = f" for {partition_range[0]} .. {partition_range[1]}" if partition_range else ""
    days = f" for {partition_key}" if partition_key else days
    print(f"{name}{days}: a line per step here, the run's log in {log_path}", flush=True)
    with (
        output_to_file(log_path) as terminal,
        RunProgress(instance, len(job.asset_layer.selected_asset_keys), terminal),
    ):
        return execute()
