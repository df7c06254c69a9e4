"""The Dagster instance the command line, the demo and the UI share (`$DAGSTER_HOME`, by default `data/dagster`)."""

import json
import os
import sys
from pathlib import Path

from dagster import DagsterInstance

from orchestration.run_health import fail_dead_runs, liveness_tags
from warehouse.locations import PROJECT_ROOT, data_dir

SHIPPED_CONFIG = PROJECT_ROOT / "dagster.yaml"
# First lines of the instance settings this project has shipped: a file starting with one is ours to refresh.
_OUR_FIRST_LINES = (
    "# ott-analytics instance settings:",
    "# Dagster instance settings; `make ui` and `make demo` copy this into $DAGSTER_HOME",
)


def instance_config(home: Path) -> str:
    """The project's dagster.yaml as installed in `home`: the directories it names are `home`'s, so every process
    reading it (the daemon, the UI, a run worker) finds the same files whatever its environment."""
    event_log_dir = json.dumps(str(Path(home).resolve() / "history" / "runs"))  # a JSON string is a YAML string
    return SHIPPED_CONFIG.read_text(encoding="utf-8").replace("{event_log_dir}", event_log_dir)


def dagster_home() -> str:
    """DAGSTER_HOME (set if unset) holding the project's current dagster.yaml unless the user made it their own."""
    home = Path(os.environ.get("DAGSTER_HOME") or data_dir() / "dagster")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    shipped = instance_config(home)
    current = config.read_text(encoding="utf-8") if config.exists() else None
    if current is None or (current != shipped and current.startswith(_OUR_FIRST_LINES)):
        config.write_text(shipped, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return str(home)


def open_instance() -> tuple[DagsterInstance, dict[str, str]]:
    """The shared instance, with runs whose process died marked failed (said on stderr), and the tags that tie
    this process's runs to it."""
    home = dagster_home()
    instance = DagsterInstance.get()
    fail_dead_runs(instance, say=lambda message: print(message, file=sys.stderr))
    return instance, liveness_tags(home)


if __name__ == "__main__":
    print(dagster_home())
