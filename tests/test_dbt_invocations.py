"""dbt in the step's process: its events, its failures; each invocation's directory of artifacts and logs, and
the kept parses: only the newest are kept."""

import json
import os
from pathlib import Path

import pytest
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from orchestration.dbt.in_process import EXIT_ERROR, InProcessDbt
from orchestration.dbt.invocations import kept_parse_path, prune_target_dir
from orchestration.dbt.resources import DBT_PROJECT_DIR, dbt_resource


def test_only_the_newest_invocation_directories_are_kept(tmp_path):
    for age, name in enumerate(["dbt_models-aaaaaaa-1111111", "dbt_models-bbbbbbb-2222222", "dbt_x-ccccccc-3333333"]):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "dbt.log").write_text("log")
        os.utime(folder, (1_000_000 - age * 1000, 1_000_000 - age * 1000))  # the first is the newest
    (tmp_path / "compiled").mkdir()  # dbt's own folders are not invocations
    for age, warehouse in enumerate(["a1", "b2", "c3"]):  # kept parses, one per asset and warehouse
        kept = tmp_path / f"dbt_models.{warehouse}.partial_parse.msgpack"
        kept.write_bytes(b"kept parse")
        os.utime(kept, (1_000_000 - age * 1000, 1_000_000 - age * 1000))
    (tmp_path / "partial_parse.msgpack").write_bytes(b"dbt's own")

    removed = prune_target_dir(tmp_path, keep=2)

    assert sorted(p.name for p in removed) == ["dbt_models.c3.partial_parse.msgpack", "dbt_x-ccccccc-3333333"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "compiled",
        "dbt_models-aaaaaaa-1111111",
        "dbt_models-bbbbbbb-2222222",
        "dbt_models.a1.partial_parse.msgpack",
        "dbt_models.b2.partial_parse.msgpack",
        "partial_parse.msgpack",
    ]


def test_a_parse_is_kept_per_asset_warehouse_and_vars():
    """dbt parses everything again when the vars change: the daily run of a day (the day before's vars) and the
    hourly runs of today each find the parse made with their own vars, not the other's."""

    def window(day: str) -> list[str]:
        return ["build", "--vars", json.dumps({"min_date": day, "max_date": day, "dynamics_client_ids": []})]

    today = kept_parse_path("dbt_incremental_models", "/data/warehouse", window("2026-11-27"))
    assert today == kept_parse_path("dbt_incremental_models", "/data/warehouse", window("2026-11-27"))
    assert today.name.startswith("dbt_incremental_models.") and today.name.endswith(".partial_parse.msgpack")
    others = {
        kept_parse_path("dbt_incremental_models", "/data/warehouse", window("2026-11-26")),
        kept_parse_path("dbt_incremental_models", "/other/warehouse", window("2026-11-27")),
        kept_parse_path("dbt_models", "/data/warehouse", window("2026-11-27")),
        kept_parse_path("dbt_models", "/data/warehouse", ["build"]),
    }
    assert len(others) == 4 and today not in others


@pytest.fixture(scope="module")
def dbt_target(tmp_path_factory) -> Path:
    """One target directory for this module's dbt commands: the first parses the project, the rest reuse it."""
    return tmp_path_factory.mktemp("dbt-target")


def _in_process(target: Path, *args: str) -> InProcessDbt:
    project = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    return InProcessDbt(
        [
            *args,
            *project,
            "--target-path",
            str(target),
            "--log-path",
            str(target),
            "--log-level",
            "none",
            "--log-level-file",
            "debug",
        ]
    )


def test_dbt_in_process_hands_over_its_events_as_the_json_lines_dbt_prints(dbt_target):
    dbt = _in_process(dbt_target, "ls", "-s", "stg_viewing__sessions", "--resource-type", "model", "--output", "name")
    assert dbt.wait(timeout=0) is None  # still running: a stopped run stops waiting for it
    with dbt.stdout as lines:
        events = [json.loads(line) for line in lines]

    assert dbt.wait() == 0
    assert [e["info"]["msg"] for e in events if e["info"]["name"] == "PrintEvent"] == ["stg_viewing__sessions"]
    assert {e["info"]["level"] for e in events} <= {"info", "warn"}  # debug events go to dbt.log only
    assert "running dbt with arguments" in (dbt_target / "dbt.log").read_text()


def test_a_dbt_command_that_fails_fails_the_step_with_dbts_own_message(dbt_target):
    invocation = dbt_resource().cli(["run-operation", "no_such_macro"], target_path=dbt_target)

    with pytest.raises(DagsterDbtCliRuntimeError, match=r"(?s)Errors parsed from dbt logs.*no_such_macro"):
        invocation.wait()
    assert invocation.process.returncode == EXIT_ERROR


def test_arguments_dbt_rejects_before_it_logs_anything_still_come_back_as_an_error(dbt_target):
    dbt = _in_process(dbt_target, "build", "--no-such-option")
    with dbt.stdout as lines:
        events = [json.loads(line) for line in lines]

    assert dbt.wait() == EXIT_ERROR
    assert [e["info"]["level"] for e in events] == ["error"]
    assert "--no-such-option" in events[0]["info"]["msg"]


def test_an_invocation_writes_its_run_results_but_not_dbts_manifest(dbt_target, tmp_path):
    if (dbt_target / "partial_parse.msgpack").exists():  # this module's parse, if an earlier test made it
        (tmp_path / "partial_parse.msgpack").write_bytes((dbt_target / "partial_parse.msgpack").read_bytes())

    dbt_resource().cli(["compile", "-s", "stg_viewing__sessions"], target_path=tmp_path).wait()

    results = json.loads((tmp_path / "run_results.json").read_text())
    statuses = {r["unique_id"]: r["status"] for r in results["results"]}
    assert statuses["model.ott_analytics.stg_viewing__sessions"] == "success"
    assert set(statuses.values()) == {"success"} and len(statuses) > 1  # the model and its tests
    assert results["args"]["which"] == "compile"
    assert not (tmp_path / "manifest.json").exists()  # dbt would write it twice an invocation
