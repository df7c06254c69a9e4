"""The UI's schedules page: every schedule is off until someone turns it on, and says how; and each tick asks
for a partition the job has: the hourly jobs today's, the daily ones the day that ended."""

from datetime import UTC, datetime, timedelta

from dagster import DefaultScheduleStatus, build_schedule_context

HOURLY = {"cache_max_online", "cache_customers_dynamic", "analytics_events_hourly"}
UNPARTITIONED = {"create_channel_sorting_by_popularity", "telegram_reports"}


def test_every_schedule_says_when_it_runs_and_how_to_turn_it_on():
    from orchestration.definitions import defs

    assert len(defs.schedules) == 10
    for schedule in defs.schedules:
        assert schedule.default_status == DefaultScheduleStatus.STOPPED
        assert "Off until turned on" in schedule.description
        assert f"dagster schedule start {schedule.name} " in schedule.description


def test_every_tick_asks_for_a_partition_its_job_has():
    """A tick is evaluated as the daemon does (the partition key is checked against the job's partitions at
    that time): an hourly tick at 10:05 asks for today so far, a daily one for yesterday."""
    from orchestration.definitions import defs

    tick = datetime.now(UTC).replace(hour=10, minute=5, second=0, microsecond=0)
    repository = defs.get_repository_def()
    asked = {}
    for schedule in defs.schedules:
        result = schedule.evaluate_tick(
            build_schedule_context(scheduled_execution_time=tick, repository_def=repository)
        )
        assert result.skip_message is None, schedule.name
        (request,) = result.run_requests
        asked[schedule.name] = request.partition_key
    today, yesterday = tick.date().isoformat(), (tick - timedelta(days=1)).date().isoformat()
    assert {name: asked[name] for name in HOURLY} == dict.fromkeys(HOURLY, today)
    assert {name: asked[name] for name in UNPARTITIONED} == dict.fromkeys(UNPARTITIONED)
    daily = set(asked) - HOURLY - UNPARTITIONED
    assert len(daily) == 5
    assert {name: asked[name] for name in daily} == dict.fromkeys(daily, yesterday)
