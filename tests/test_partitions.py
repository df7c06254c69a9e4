"""Where the daily partitions start: the setting, else the demo's first day in the data directory."""

from orchestration.partitions import DEFAULT_START, partitions_start
from warehouse.locations import partitions_start_file


def test_the_demo_sets_the_first_partition_unless_the_environment_does(tmp_path, monkeypatch):
    monkeypatch.setenv("OTT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OTT_PARTITIONS_START", raising=False)
    assert partitions_start() == DEFAULT_START
    partitions_start_file().write_text("2026-11-11\n")
    assert partitions_start() == "2026-11-11"
    monkeypatch.setenv("OTT_PARTITIONS_START", "2025-01-01")
    assert partitions_start() == "2025-01-01"
