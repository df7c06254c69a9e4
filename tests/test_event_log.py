"""Dagster's SQLite storage in WAL mode commits without waiting for the disk, once the definitions are loaded."""

import sqlalchemy


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
