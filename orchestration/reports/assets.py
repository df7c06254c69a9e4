"""Published mart snapshots (an asset after the marts) and the Telegram push (an op job: a side effect)."""

from datetime import date
from pathlib import Path

from dagster import AssetKey, Config, MaterializeResult, MetadataValue, OpExecutionContext, asset, job, op
from pydantic import Field

from orchestration.reports.resources import TelegramBot
from orchestration.resources import ExportsDir
from reports.delivery import TelegramSender, deliver
from reports.published import TABLES, publish
from reports.recipients import RecipientStore
from reports.report import yesterday
from warehouse import Warehouse


def published_dir(exports: ExportsDir) -> Path:
    return Path(exports.path) / "published"


@asset(
    key=["exports", "published_marts"],
    deps=sorted({AssetKey(["marts", table.model]) for table in TABLES.values()}, key=lambda k: k.path),
    group_name="reports",
    description="Parquet/CSV/XLSX snapshots of the marts reports and outside tools read (daily tables a file per day;"
    " only what changed is rewritten), switched in atomically.",
    kinds={"parquet", "csv", "xlsx"},
)
def published_marts(warehouse: Warehouse, exports: ExportsDir) -> MaterializeResult:
    with warehouse.connect() as conn:
        stats = publish(conn, published_dir(exports))
    return MaterializeResult(
        metadata={
            "rows": MetadataValue.json(stats.rows),
            "files_written": stats.files_written,
            "files_kept": stats.files_kept,
            "path": str(published_dir(exports) / "current"),
        }
    )


class PushConfig(Config):
    """The day reported (default: yesterday, UTC) and which reports (default: all)."""

    day: str = ""
    reports: list[str] = Field(default_factory=list)


@op
def send_telegram_reports(context: OpExecutionContext, config: PushConfig, telegram: TelegramBot, exports: ExportsDir):
    from reports.catalog import REPORTS  # the reports render with pandas (0.3 s to import): not for every run

    day = date.fromisoformat(config.day) if config.day else yesterday()
    unknown = set(config.reports) - set(REPORTS)
    if unknown:
        raise ValueError(f"unknown report(s) {sorted(unknown)}; valid: {sorted(REPORTS)}")
    sender = TelegramSender(telegram.token, telegram.api_url)
    recipients = RecipientStore(telegram.recipients_file()).all()
    outcomes = []
    for name in config.reports or list(REPORTS):
        report = REPORTS[name]
        message = report.build(published_dir(exports), day)
        outcomes += deliver(sender, report, message, recipients)
    context.add_output_metadata(
        {
            "day": day.isoformat(),
            "deliveries": MetadataValue.json(outcomes),
            "sent": sum(o["status"] == "sent" for o in outcomes),
            "blocked": sum(o["status"] == "blocked" for o in outcomes),
            "failed": sum(o["status"] == "failed" for o in outcomes),
        }
    )
    return outcomes


@job(description="Send the day's reports to every recipient whose roles allow them.")
def telegram_reports():
    send_telegram_reports()
