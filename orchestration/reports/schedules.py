"""The managers' morning reports: 09:00 Moscow time, for the day that ended (UTC)."""

from datetime import timedelta

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from orchestration.reports.assets import telegram_reports
from orchestration.schedule_status import stopped_until_started


@schedule(
    job=telegram_reports,
    cron_schedule="0 9 * * *",
    execution_timezone="Europe/Moscow",
    name="telegram_reports",
    description=stopped_until_started("Daily at 09:00 Moscow time, for yesterday.", "telegram_reports"),
)
def telegram_reports_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    day = (context.scheduled_execution_time.date() - timedelta(days=1)).isoformat()
    return RunRequest(run_config={"ops": {"send_telegram_reports": {"config": {"day": day}}}})


jobs = [telegram_reports]
schedules = [telegram_reports_schedule]
