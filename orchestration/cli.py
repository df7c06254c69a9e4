"""`ott-analytics`: the command line for one-off runs of the platform's jobs."""

import argparse
import atexit
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def _int_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from exc


def _str_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _add_settings_flag(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--settings",
        help="accepted for compatibility with smarty_manage and ignored: configuration comes from the environment",
    )


def _add_verbose_flag(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--verbose",
        action="store_true",
        help="show Dagster's event log and dbt's output here (by default: a line per step, the rest in data/logs/)",
    )


# Smarty's cron commands that run a job of the same name for a day.
SMARTY_JOBS = {
    "cache_max_online": "refresh sessions online per minute and the daily peaks for a day (default: today)",
    "save_stats": "rebuild per-customer and per-channel daily statistics for a day (default: yesterday)",
    "collect_daily_stats": "load a day's transactions and rebuild the daily payments stats (default: yesterday)",
    "cache_customers_dynamic": "refresh customer dynamics by hour and day for a day (default: today)",
    "premier_marts": "rebuild Premier's content and billing marts with a day's data (default: yesterday)",
}


def _add_smarty_commands(commands) -> None:
    from orchestration.viewing.criteria import CRITERIA

    sorting = commands.add_parser(
        "create_channel_sorting_by_popularity",
        help="rank channels by viewing popularity and publish the sortings (MongoDB and a JSON file)",
    )
    sorting.add_argument("--client_id", type=_int_list, default=[], help="client ids, comma-separated (default: all)")
    sorting.add_argument("--days_number", type=_positive_int, required=True, help="days of viewing to count")
    sorting.add_argument("--criterion", choices=CRITERIA, required=True)
    sorting.add_argument(
        "--devices", type=_str_list, default=[], help="device system names, comma-separated (default: all)"
    )
    sorting.add_argument("--tariffs", type=_int_list, default=[], help="tariff ids, comma-separated (default: all)")
    sorting.add_argument("--accounts_active", action="store_true", help="count only active accounts")
    sorting.add_argument("--as_of", type=_date, help="last day counted (default: today, UTC)")
    _add_settings_flag(sorting)
    _add_verbose_flag(sorting)

    for name, help_text in SMARTY_JOBS.items():
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--date", type=_date, help="the UTC day (YYYY-MM-DD)")
        if name == "cache_customers_dynamic":
            command.add_argument(
                "--client_id", type=_int_list, default=[], help="client ids, comma-separated (default: all)"
            )
        _add_settings_flag(command)
        _add_verbose_flag(command)


def _uuid(text: str) -> str:
    import uuid

    try:
        return str(uuid.UUID(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a UUID: {text!r}") from exc


def _add_events_commands(commands) -> None:
    events = commands.add_parser("events", help="Analytics Service: dashboard, funnel, organization report, export")
    actions = events.add_subparsers(dest="action", required=True)
    for name in ("dashboard", "funnel"):
        action = actions.add_parser(name, help=f"the event's {name} as JSON")
        action.add_argument("--event_id", type=_uuid, required=True)
    report = actions.add_parser("report", help="an organization's report over a period as JSON")
    report.add_argument("--organization_id", type=_uuid, required=True)
    report.add_argument("--date_from", type=_date, required=True)
    report.add_argument("--date_to", type=_date, required=True)
    export = actions.add_parser("export", help="an organization's daily figures as CSV or XLSX")
    export.add_argument("--organization_id", type=_uuid, required=True)
    export.add_argument("--event_id", type=_uuid)
    export.add_argument("--date_from", type=_date, required=True)
    export.add_argument("--date_to", type=_date, required=True)
    export.add_argument("--format", choices=["csv", "xlsx"], required=True)
    export.add_argument("--out", type=Path, help="directory (default: $OTT_EXPORTS_DIR)")


def _run_events_command(args: argparse.Namespace) -> int:
    import json
    import os

    from exports.events import export
    from orchestration.resources import warehouse_from_env
    from query import events
    from warehouse.locations import data_dir

    try:
        with warehouse_from_env().connect() as conn:
            if args.action == "dashboard":
                answer = events.dashboard(conn, args.event_id)
            elif args.action == "funnel":
                answer = events.funnel(conn, args.event_id)
            elif args.action == "report":
                answer = events.organization_report(conn, args.organization_id, args.date_from, args.date_to)
            else:
                out = args.out or Path(os.environ.get("OTT_EXPORTS_DIR") or data_dir() / "exports")
                written = export(
                    conn, args.organization_id, args.date_from, args.date_to, args.format, out, args.event_id
                )
                answer = {"path": str(written.path), "mimeType": written.mime_type, "rows": written.rows}
    except (events.NotFound, events.BadPeriod) as exc:
        print(f"ott-analytics events {args.action}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(answer, ensure_ascii=False, indent=2, default=str))
    return 0


def _add_query_command(commands) -> None:
    query = commands.add_parser("query", help="answer a Magista DSL request (JSON) from a file or stdin")
    query.add_argument("file", help="path of the JSON request, or - for standard input")
    query.add_argument(
        "--continuation-token", help="the continuation_token of a search's previous page, for the next one"
    )


def _run_query_command(args: argparse.Namespace) -> int:
    import json

    from orchestration.resources import warehouse_from_env
    from query.magista import DslError, DslSettings, run_query

    body = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    try:
        with warehouse_from_env().connect() as conn:
            answer = run_query(conn, body, DslSettings.from_env(), continuation_token=args.continuation_token)
    except DslError as exc:
        print(f"ott-analytics query: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0


def _add_sql_command(commands) -> None:
    sql = commands.add_parser(
        "sql",
        help="run SQL on the warehouse: a statement, a file, standard input, or an interactive prompt",
        description="Run SQL on the warehouse (read-only unless --write). With no statement and no file, reads"
        " statements from standard input, or opens a prompt (history, statements end with ;) on a terminal.",
    )
    sql.add_argument("statement", nargs="?", help='e.g. "SELECT * FROM marts.agg_payments_daily LIMIT 10"')
    sql.add_argument("-f", "--file", type=Path, help="a file of statements separated by ;")
    sql.add_argument(
        "--format",
        choices=("table", "csv", "json", "parquet"),
        default="table",
        help="output format (default: an aligned table)",
    )
    sql.add_argument("--output", type=Path, help="write to this file instead of standard output")
    sql.add_argument("--write", action="store_true", help="allow statements that change data or tables")


def _run_sql_command(args: argparse.Namespace) -> int:
    from dbt.adapters.chdb.session import WarehouseBusyError

    from orchestration.resources import warehouse_from_env
    from query import sql
    from warehouse.locations import data_dir

    if args.statement and args.file:
        print("ott-analytics sql: give a statement or --file, not both", file=sys.stderr)
        return 2
    text = args.statement or (args.file.read_text(encoding="utf-8") if args.file else None)
    if text is None and not sys.stdin.isatty():
        text = sys.stdin.read()
    if text is None and (args.output or args.format == "parquet"):
        print(
            "ott-analytics sql: the prompt writes tables, CSV or JSON to the terminal; give a statement",
            file=sys.stderr,
        )
        return 2
    if args.format == "parquet" and args.output is None and sys.stdout.isatty():
        print("ott-analytics sql: Parquet is binary: give --output FILE (or redirect standard output)", file=sys.stderr)
        return 2
    if args.format == "parquet" and len(sql.statements(text)) != 1:
        print("ott-analytics sql: a Parquet file holds one result: give one statement", file=sys.stderr)
        return 2
    try:
        with warehouse_from_env().connect() as conn:
            sql.prepare(conn, args.write, args.format)
            if text is None:
                return sql.interactive(conn, data_dir() / "sql_history", args.format)
            if args.output:
                return sql.run_to_file(conn, text, args.format, args.output)
            return sql.run_script(conn, text, args.format, sys.stdout.buffer)
    except WarehouseBusyError as exc:
        print(f"ott-analytics sql: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _add_docs_command(commands) -> None:
    docs = commands.add_parser(
        "docs", help="generate dbt's documentation of the marts from the warehouse and serve it locally"
    )
    docs.add_argument("--port", type=_positive_int, default=8080, help="port on 127.0.0.1 (default 8080)")
    docs.add_argument("--no-serve", action="store_true", help="only generate the site")


def _run_docs_command(args: argparse.Namespace) -> int:
    import subprocess

    from orchestration.dbt.docs import DocsFailed, generate_docs, serve_command
    from orchestration.dbt.resources import dbt_environment
    from warehouse.locations import data_dir

    print("Generating dbt's documentation from the project and the warehouse ...", flush=True)
    try:
        target = generate_docs()
    except DocsFailed as exc:
        print(
            f"ott-analytics docs: {exc}\nBuild the warehouse first (make demo), then run make docs again.",
            file=sys.stderr,
        )
        return 1
    print(f"  written to {target}")
    if args.no_serve:
        return 0
    log = data_dir() / "logs" / "dbt-docs.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"Serving it at http://127.0.0.1:{args.port} (Ctrl-C to stop; requests logged to {log})", flush=True)
    try:
        with log.open("a") as out:
            code = subprocess.run(
                serve_command(target, args.port), env=dbt_environment(), stdout=out, stderr=out
            ).returncode
    except KeyboardInterrupt:
        return 0
    if code != 0:
        print(
            f"ott-analytics docs: the server stopped (is port {args.port} taken? try --port); see {log}",
            file=sys.stderr,
        )
    return code


def _add_bot_commands(commands) -> None:
    bot = commands.add_parser("bot", help="the managers' Telegram bot: run it, send reports, manage recipients")
    actions = bot.add_subparsers(dest="action", required=True)
    actions.add_parser("run", help="answer commands (long polling) until stopped")
    send = actions.add_parser("send", help="send reports now to every recipient allowed to see them")
    send.add_argument("reports", nargs="*", help="report names (default: all)")
    send.add_argument("--date", type=_date, help="the UTC day reported (default: yesterday)")
    _add_verbose_flag(send)
    users = actions.add_parser("users", help="list, add, remove recipients or change their roles")
    user_actions = users.add_subparsers(dest="user_action", required=True)
    user_actions.add_parser("list")
    add = user_actions.add_parser("add")
    add.add_argument("chat_id", type=int)
    add.add_argument("--name", required=True)
    add.add_argument("--roles", type=_str_list, required=True, help="comma-separated")
    remove = user_actions.add_parser("remove")
    remove.add_argument("chat_id", type=int)
    roles = user_actions.add_parser("roles")
    roles.add_argument("chat_id", type=int)
    roles.add_argument("--roles", type=_str_list, required=True, help="comma-separated")


def _run_bot_command(args: argparse.Namespace) -> int:
    import getpass

    from orchestration.reports.resources import telegram_bot_from_env
    from reports.recipients import RecipientStore, UnknownRole

    settings = telegram_bot_from_env()
    if args.action == "users":
        store = RecipientStore(settings.recipients_file())
        actor = f"cli:{getpass.getuser()}"
        try:
            if args.user_action == "add":
                store.add(args.chat_id, args.name, set(args.roles), actor)
            elif args.user_action == "remove":
                store.remove(args.chat_id, actor)
            elif args.user_action == "roles":
                store.set_roles(args.chat_id, set(args.roles), actor)
        except (KeyError, UnknownRole) as error:
            print(f"error: {error.args[0]}", file=sys.stderr)
            return 2
        for recipient in store.all():
            print(f"{recipient.chat_id}\t{recipient.name}\t{','.join(sorted(recipient.roles))}")
        return 0
    if args.action == "send":
        config = {"reports": args.reports} | ({"day": args.date.isoformat()} if args.date else {})
        run_config = {"ops": {"send_telegram_reports": {"config": config}}}
        return _run_reported("telegram_reports", args.verbose, run_config=run_config)
    from orchestration.reports.assets import published_dir
    from orchestration.resources import ExportsDir
    from reports.bot import ReportBot
    from reports.delivery import TelegramSender

    sender = TelegramSender(os.environ.get("TELEGRAM_BOT_TOKEN", ""), settings.api_url)
    ReportBot(sender, RecipientStore(settings.recipients_file()), published_dir(ExportsDir())).poll()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ott-analytics", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="generate sample data and run the whole pipeline on it")
    demo.add_argument("--days", type=_positive_int, default=14)
    demo.add_argument("--scale", type=_positive_float, default=1.0, help="1.0 is about 2,000 accounts")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--start", type=_date, help="first day (default: DAYS days before today)")

    gen = commands.add_parser("generate", help="write a sample world to a landing directory")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--start", type=_date, required=True)
    gen.add_argument("--days", type=_positive_int, default=14)
    gen.add_argument("--scale", type=_positive_float, default=1.0)
    gen.add_argument("--seed", type=int, default=42)
    run = commands.add_parser(
        "run", help="run one job for a UTC day or a range of days (one run), e.g. run daily_pipeline --date D"
    )
    run.add_argument("job", help="the job's name, e.g. daily_pipeline")
    run.add_argument("--date", type=_date, help="the UTC day (default: yesterday for daily jobs)")
    run.add_argument("--from", dest="date_from", type=_date, help="first day of a range (with --to)")
    run.add_argument("--to", dest="date_to", type=_date, help="last day of a range, inclusive")
    _add_verbose_flag(run)
    _add_smarty_commands(commands)
    _add_events_commands(commands)
    _add_query_command(commands)
    _add_sql_command(commands)
    _add_docs_command(commands)
    _add_bot_commands(commands)
    return parser


# The commands that run a job of the definitions (the demo imports them itself, once it has set the partitions' start).
_JOB_COMMANDS = {"run", "create_channel_sorting_by_popularity", *SMARTY_JOBS}


def _load_definitions() -> None:
    """Import the definitions (with Dagster, dagster-dbt and dbt) as lifelong imports. Done once a process: tests
    call `main` many times, and a freeze keeps whatever garbage exists at that moment."""
    if "orchestration.definitions" in sys.modules:
        return
    from orchestration.lifelong_imports import lifelong_imports

    with lifelong_imports():
        from orchestration.instance import dagster_home

        dagster_home()  # where the instance is, before the definitions load
        import orchestration.definitions  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in _JOB_COMMANDS or (args.command == "bot" and args.action == "send"):
        _load_definitions()
    if args.command == "demo":
        from orchestration.demo import run_demo

        print(run_demo(args.days, args.scale, args.seed, args.start))
        print("\nOpen the Dagster UI on the same data with: make ui  (then http://127.0.0.1:3000)")
    elif args.command == "generate":
        from ingest.generator import generate

        print(generate(args.out, args.start, args.days, args.scale, args.seed))
    elif args.command == "events":
        return _run_events_command(args)
    elif args.command == "query":
        return _run_query_command(args)
    elif args.command == "sql":
        return _run_sql_command(args)
    elif args.command == "docs":
        return _run_docs_command(args)
    elif args.command == "bot":
        return _run_bot_command(args)
    elif args.command == "run":
        return _run_job_command(args)
    else:
        return _run_smarty_command(args)
    return 0


def _run_job_command(args: argparse.Namespace) -> int:
    from orchestration.commands import UnknownJob

    if (args.date_from is None) != (args.date_to is None) or (args.date and args.date_from):
        print("ott-analytics run: give --date, or --from and --to together", file=sys.stderr)
        return 2
    if args.date_from and args.date_from > args.date_to:
        print(f"ott-analytics run: --from {args.date_from} is after --to {args.date_to}", file=sys.stderr)
        return 2
    day = args.date or datetime.now(UTC).date() - timedelta(days=1)
    days = {"partition_range": (args.date_from, args.date_to)} if args.date_from else {"partition_key": day.isoformat()}
    try:
        return _run_reported(args.job, args.verbose, **days)
    except UnknownJob as exc:
        print(f"ott-analytics run: {exc}", file=sys.stderr)
        return 2


def _run_smarty_command(args: argparse.Namespace) -> int:
    if args.command == "create_channel_sorting_by_popularity":
        from orchestration.viewing.schedules import sorting_run_config

        options = {
            "client_id": args.client_id,
            "days_number": args.days_number,
            "criterion": [args.criterion],
            "devices": args.devices,
            "tariffs": args.tariffs,
            "accounts_active": args.accounts_active,
        }
        if args.as_of:
            options["as_of"] = args.as_of.isoformat()
        return _run_reported(args.command, args.verbose, run_config=sorting_run_config(options))
    today = datetime.now(UTC).date()
    default = today if args.command in ("cache_max_online", "cache_customers_dynamic") else today - timedelta(days=1)
    run_config = None
    if args.command == "cache_customers_dynamic":
        from orchestration.billing.schedules import dynamics_run_config

        run_config = dynamics_run_config(args.client_id)
    day = (args.date or default).isoformat()
    return _run_reported(args.command, args.verbose, run_config=run_config, partition_key=day)


def _run_reported(job: str, verbose: bool, **run_job_args: Any) -> int:
    """Run `job` with run_job's arguments, its log in data/logs/ (with `verbose`, on the terminal), and say
    how it ended in one line; the exit code."""
    from orchestration.commands import run_job
    from warehouse.locations import data_dir

    log_path = None if verbose else data_dir() / "logs" / f"{job}-{datetime.now(UTC):%Y%m%d-%H%M%S}.log"
    started = time.monotonic()
    result = run_job(job, log_path=log_path, **run_job_args)
    seconds = time.monotonic() - started
    if result.success:
        print(f"{job}: success in {seconds:.1f} s (run {result.run_id})")
        return 0
    failed = sorted({event.step_key for event in result.get_step_failure_events()})
    where = f" at {', '.join(failed)}" if failed else ""
    see = f": see {log_path}" if log_path else ""
    print(f"{job}: FAILED{where} after {seconds:.1f} s (run {result.run_id}){see}")
    return 1


def entry_point() -> None:
    """The `ott-analytics` command. After `main`, the exit handlers run and the streams are flushed, then the
    process ends without Python tearing down every module Dagster and dbt loaded (about a second of an hourly
    run's wall time)."""
    code = main()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry_point()
