"""Each dbt invocation's directory of artifacts and logs: only the newest are kept."""

import os

from orchestration.dbt.invocations import prune_invocation_dirs


def test_only_the_newest_invocation_directories_are_kept(tmp_path):
    for age, name in enumerate(["dbt_models-aaaaaaa-1111111", "dbt_models-bbbbbbb-2222222", "dbt_x-ccccccc-3333333"]):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "dbt.log").write_text("log")
        os.utime(folder, (1_000_000 - age * 1000, 1_000_000 - age * 1000))  # the first is the newest
    (tmp_path / "compiled").mkdir()  # dbt's own folders are not invocations
    (tmp_path / "dbt_models.partial_parse.msgpack").write_bytes(b"kept parse")

    removed = prune_invocation_dirs(tmp_path, keep=2)

    assert [p.name for p in removed] == ["dbt_x-ccccccc-3333333"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "compiled",
        "dbt_models-aaaaaaa-1111111",
        "dbt_models-bbbbbbb-2222222",
        "dbt_models.partial_parse.msgpack",
    ]
