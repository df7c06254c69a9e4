"""Run the platform's jobs once from the command line, recorded in the Dagster instance like scheduled runs."""

from dagster import DagsterInstance, ExecuteInProcessResult

from orchestration.demo import dagster_home


def run_job(name: str, run_config: dict | None = None, partition_key: str | None = None) -> ExecuteInProcessResult:
    dagster_home()
    from orchestration.definitions import defs  # after DAGSTER_HOME is set

    job = defs.resolve_job_def(name)
    return job.execute_in_process(
        run_config=run_config or {},
        partition_key=partition_key,
        instance=DagsterInstance.get(),
        raise_on_error=False,
    )
