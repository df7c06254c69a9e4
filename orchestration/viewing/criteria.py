"""The criteria Smarty's channel sorting ranks channels by (`--criterion`), apart from the assets so that the
command line builds its parser without loading Dagster and dbt."""

CRITERIA: list[str] = ["watch_time", "watch_sessions", "average_watch_time", "median_watch_time"]
