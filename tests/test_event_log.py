"""Dagster's SQLite storage as the project configures it: commits that don't wait for the disk, and an event log
that keeps its databases open instead of opening and closing one for every event."""

import subprocess
import sys
import textwrap
import threading

import sqlalchemy
from dagster import AssetCheckResult, AssetCheckSpec, DagsterInstance, Output, asset, materialize
from dagster._core.storage.event_log import SqliteEventLogStorage

from orchestration import event_log
from orchestration.event_log import KEPT_DATABASES, KeptOpenSqliteEventLogStorage
from orchestration.instance import instance_config


def test_sqlite_connections_commit_without_waiting_for_the_disk(tmp_path):
    import orchestration.definitions  # noqa: F401  (loading them is what relaxes the commits)

    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'runs.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL; SQLite's default is 2, FULL
        connection.exec_driver_sql("CREATE TABLE events (id INTEGER)")
        connection.exec_driver_sql("INSERT INTO events VALUES (1)")
        connection.commit()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM events").scalar() == 1


@asset
def answer() -> int:
    return 42


def _count_sqlite_connections() -> tuple[list[str], object]:
    opened: list[str] = []

    def on_connect(dbapi_connection, _record):
        opened.append(dbapi_connection.execute("PRAGMA database_list").fetchone()[2])

    sqlalchemy.event.listen(sqlalchemy.engine.Engine, "connect", on_connect)
    return opened, on_connect


def test_the_shipped_instance_keeps_the_event_log_open_in_dagsters_own_files(tmp_path):
    (tmp_path / "dagster.yaml").write_text(instance_config(tmp_path))
    instance = DagsterInstance.from_config(str(tmp_path))  # its DAGSTER_HOME is not this test's
    storage = instance.event_log_storage
    assert isinstance(storage, KeptOpenSqliteEventLogStorage)
    opened, listener = _count_sqlite_connections()
    try:
        result = materialize([answer], instance=instance)
    finally:
        sqlalchemy.event.remove(sqlalchemy.engine.Engine, "connect", listener)
    assert result.success
    run_id = result.run_id
    events = instance.all_logs(run_id)
    assert len(events) >= 10
    # At most two connections per database for the whole run (creating a run's database inspects it on a second
    # one), where Dagster's storage opens one for every statement.
    event_log_dir = tmp_path / "history" / "runs"
    event_log_connections = [path for path in opened if path.startswith(f"{event_log_dir}/")]
    assert sorted(set(event_log_connections)) == [
        str(event_log_dir / f"{run_id}.db"),
        str(event_log_dir / "index.db"),
    ]
    assert max(event_log_connections.count(path) for path in event_log_connections) <= 2

    # Dagster's own storage reads the same files: nothing changes for the UI or a later release without this class.
    plain = SqliteEventLogStorage(str(event_log_dir))
    assert [e.dagster_event_type for e in plain.get_logs_for_run(run_id)] == [e.dagster_event_type for e in events]
    assert plain.get_latest_materialization_events([answer.key])[answer.key].run_id == run_id
    instance.dispose()


@asset(check_specs=[AssetCheckSpec("positive", asset="checked")])
def checked():
    yield Output(1)
    yield AssetCheckResult(check_name="positive", passed=True)


def test_the_schema_is_inspected_once_not_at_every_event(tmp_path):
    """Dagster asks before most writes whether a table, a column or a data migration exists (checks and
    materializations ask several times each); found once, the answer is kept for the process."""
    (tmp_path / "dagster.yaml").write_text(instance_config(tmp_path))
    instance = DagsterInstance.from_config(str(tmp_path))
    assert materialize([checked], instance=instance).success  # the first run finds what exists
    index = str(tmp_path / "history" / "runs" / "index.db")
    inspections: list[str] = []

    def on_execute(connection, _cursor, statement, *_args):
        if connection.engine.url.database == index and ("PRAGMA" in statement or "secondary_indexes" in statement):
            inspections.append(statement)

    sqlalchemy.event.listen(sqlalchemy.engine.Engine, "before_cursor_execute", on_execute)
    try:
        result = materialize([checked], instance=instance)
    finally:
        sqlalchemy.event.remove(sqlalchemy.engine.Engine, "before_cursor_execute", on_execute)
    assert result.success
    assert [e.passed for e in result.get_asset_check_evaluations()] == [True]
    assert inspections == []
    assert instance.event_log_storage.has_table("asset_check_executions")
    assert not instance.event_log_storage.has_table("no_such_table")  # what is missing is asked again
    instance.dispose()


def test_only_the_databases_last_used_stay_open_and_every_run_stays_readable(tmp_path):
    """The engines are the process's: many instances (a test session, a command's runs) keep no more open than
    one (each kept database holds file descriptors, and select() fails past 1,024 of them)."""
    event_log._dispose_kept_engines()
    instance = DagsterInstance.ephemeral()
    runs = []
    for n in range(KEPT_DATABASES + 3):
        storage = KeptOpenSqliteEventLogStorage(str(tmp_path / f"home{n % 2}"))  # two homes, a storage a run
        result = materialize([answer], instance=instance)
        runs.append((storage, result.run_id))
        for event in instance.all_logs(result.run_id):
            storage.store_event(event)
    kept = list(event_log._engines)
    assert len(kept) == KEPT_DATABASES
    assert {url.rsplit("/", 1)[1] for url in kept} >= {"index.db"}  # written by every run, never evicted for long
    for storage, run_id in runs:
        assert [e.run_id for e in storage.get_logs_for_run(run_id)] == [run_id] * len(instance.all_logs(run_id))
    runs[0][0].dispose()
    assert all("/home1/" in url for url in event_log._engines)  # the other home's engines are left to it


def test_threads_write_the_same_run_at_once(tmp_path):
    storage = KeptOpenSqliteEventLogStorage(str(tmp_path))
    instance = DagsterInstance.ephemeral()
    events = instance.all_logs(materialize([answer], instance=instance).run_id)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for event in events:
                storage.store_event(event)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(storage.get_logs_for_run(events[0].run_id)) == 4 * len(events)
    storage.dispose()


_WRITE_AND_EXIT = textwrap.dedent(
    """
    import sys
    from dagster import DagsterInstance, asset, materialize
    from orchestration.event_log import KeptOpenSqliteEventLogStorage

    @asset
    def answer() -> int:
        return 42

    storage = KeptOpenSqliteEventLogStorage(sys.argv[1])
    instance = DagsterInstance.ephemeral()
    for event in instance.all_logs(materialize([answer], instance=instance).run_id):
        storage.store_event(event)
    """
)


def test_a_process_that_exits_leaves_no_write_ahead_log_beside_the_databases(tmp_path):
    done = subprocess.run([sys.executable, "-c", _WRITE_AND_EXIT, str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    run_databases = [p for p in tmp_path.glob("*.db") if p.name != "index.db"]
    assert len(run_databases) == 1
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".db")) == []
    assert len(SqliteEventLogStorage(str(tmp_path)).get_logs_for_run(run_databases[0].stem)) >= 10
