"""What the UI's schedules page says of a schedule: when it runs, and that it is off until someone turns it on."""


def stopped_until_started(when: str, name: str) -> str:
    return (
        f"{when} Off until turned on: the toggle here, or `dagster schedule start {name} -w workspace.yaml`"
        " with the DAGSTER_HOME of `make ui` (data/dagster)."
    )
