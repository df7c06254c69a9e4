"""Each dbt invocation's directory of artifacts and logs, and the kept parses: only the newest are kept."""

import os

from orchestration.dbt.invocations import prune_target_dir


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
