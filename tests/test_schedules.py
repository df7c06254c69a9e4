"""The UI's schedules page: every schedule is off until someone turns it on, and says how."""

from dagster import DefaultScheduleStatus


def test_every_schedule_says_when_it_runs_and_how_to_turn_it_on():
    from orchestration.definitions import defs

    assert len(defs.schedules) == 10
    for schedule in defs.schedules:
        assert schedule.default_status == DefaultScheduleStatus.STOPPED
        assert "Off until turned on" in schedule.description
        assert f"dagster schedule start {schedule.name} " in schedule.description
