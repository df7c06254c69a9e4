"""Reports for managers: published snapshots, report contents and charts on the tiny generated world, and the
Telegram bot and deliveries against a local fake Bot API server."""

import io
import json
import logging
import os
from decimal import Decimal
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
from PIL import Image
from telebot import apihelper, types

from orchestration.reports.assets import telegram_reports
from orchestration.reports.resources import TelegramBot
from orchestration.resources import ExportsDir
from reports import formatting as fmt
from reports import published
from reports.bot import NO_ACCESS, ReportBot
from reports.catalog import REPORTS
from reports.delivery import TelegramSender, deliver
from reports.recipients import Recipient, RecipientStore, UnknownRole
from reports.report import ReportMessage
from tests.conftest import TINY_START
from tests.fake_telegram import FakeTelegram, error

TOKEN = "123456:secret-token"
ADMIN, FINANCE, CONTENT, STRANGER = 1, 2, 3, 99


@pytest.fixture(scope="module")
def snapshots(pipeline_run) -> Path:
    return Path(os.environ["OTT_DATA_DIR"]) / "exports" / "published"


@pytest.fixture
def telegram():
    fake = FakeTelegram()
    yield fake
    fake.stop()
    apihelper.API_URL = None


@pytest.fixture
def sender(telegram):
    waits = []
    sender = TelegramSender(TOKEN, telegram.url, backoff_seconds=0.5, sleep=waits.append)
    sender.waits = waits
    return sender


@pytest.fixture
def store(tmp_path):
    store = RecipientStore(tmp_path / "recipients.sqlite")
    store.add(ADMIN, "Админ", {"admin"}, actor="test")
    store.add(FINANCE, "Финансы", {"finance"}, actor="test")
    store.add(CONTENT, "Контент", {"content"}, actor="test")
    return store


def test_published_snapshots_are_complete_in_every_format(snapshots, pipeline_run):
    from orchestration.definitions import defs

    current = snapshots / "current"
    assert current.is_symlink()
    with defs.resources["warehouse"].connect() as conn:
        for name, table in published.TABLES.items():
            rows = conn.scalar(f"SELECT count() FROM ({table.sql})")
            assert len(published.read(snapshots, name)) == rows, name
            if table.day_column is None:
                stems = [current / name]
            else:
                days = conn.query_arrow(f"SELECT DISTINCT toString({table.day_column}) AS d FROM ({table.sql})")
                stems = [current / name / day for day in days.column("d").to_pylist()]
                assert sorted(p.name for p in (current / name).glob("*.parquet")) == sorted(
                    [published.SCHEMA_FILE] + [f"{s.name}.parquet" for s in stems]
                ), name
            assert sum(pq.read_table(f"{s}.parquet").num_rows for s in stems) == rows, name
            assert sum(open(f"{s}.csv").read().count("\n") - 1 for s in stems) == rows, name
            sheets = [openpyxl.load_workbook(f"{s}.xlsx", read_only=True).active for s in stems]
            assert sum(sheet.max_row - 1 for sheet in sheets) == rows, name
        money = published.read(snapshots, "billing_daily_payments")["payments_amount"]
        assert all(isinstance(value, Decimal) for value in money)  # exact money survives publishing


def test_a_publish_rewrites_only_the_days_that_changed(monkeypatch, tmp_path):
    """Day files whose rows did not change are hard-linked from the previous version; a changed day is
    rewritten, a vanished day leaves, and the small tables are rewritten only when their content changes."""
    from orchestration.definitions import defs

    monkeypatch.setattr(
        published,
        "TABLES",
        {
            "daily": published.PublishedTable("t", "SELECT * FROM scratch.published_daily", "day"),
            "whole": published.PublishedTable("t", "SELECT * FROM scratch.published_whole"),
        },
    )
    root = tmp_path / "published"
    with defs.resources["warehouse"].connect() as conn:
        conn.command("CREATE DATABASE IF NOT EXISTS scratch")
        conn.command(
            "CREATE OR REPLACE TABLE scratch.published_daily (day Date, n UInt32, amount Decimal(18, 2))"
            " ENGINE = MergeTree ORDER BY day"
        )
        conn.command("CREATE OR REPLACE TABLE scratch.published_whole (k String) ENGINE = MergeTree ORDER BY k")
        conn.command(
            "INSERT INTO scratch.published_daily VALUES"
            " ('2026-01-01', 1, 1.10), ('2026-01-02', 2, 2.20), ('2026-01-02', 3, 3.30), ('2026-01-03', 4, 4.40)"
        )
        conn.command("INSERT INTO scratch.published_whole VALUES ('a')")
        try:
            first = published.publish(conn, root)
            assert first.files_written == 4 * 3 and first.files_kept == 0
            inode = (root / "current" / "daily" / "2026-01-01.parquet").stat().st_ino

            assert published.publish(conn, root).files_written == 0  # nothing changed: every file reused

            conn.command(
                "ALTER TABLE scratch.published_daily DELETE WHERE day = '2026-01-03' SETTINGS mutations_sync = 1"
            )
            conn.command("INSERT INTO scratch.published_daily VALUES ('2026-01-02', 5, 5.50)")
            third = published.publish(conn, root)
            daily = published.read(root, "daily")
        finally:
            conn.command("DROP DATABASE scratch")
    assert third.files_written == 3 and third.files_kept == 2 * 3  # 01-02 rewritten; 01-01 and the whole table kept
    current = root / "current" / "daily"
    assert sorted(p.name for p in current.glob("*.parquet")) == [
        "2026-01-01.parquet",
        "2026-01-02.parquet",
        published.SCHEMA_FILE,
    ]
    assert (current / "2026-01-01.parquet").stat().st_ino == inode
    assert sorted(daily["n"]) == [1, 2, 3, 5]
    assert sorted(daily["amount"]) == [Decimal("1.10"), Decimal("2.20"), Decimal("3.30"), Decimal("5.50")]
    sheet = openpyxl.load_workbook(current / "2026-01-02.xlsx", read_only=True).active
    assert [row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)] == [(2, 2.2), (3, 3.3), (5, 5.5)]
    assert len(list(root.glob("v*"))) == published.KEEP_VERSIONS


def test_an_interrupted_publish_leaves_the_current_snapshot_whole(snapshots, pipeline_run, monkeypatch, tmp_path):
    from orchestration.definitions import defs

    root = tmp_path / "published"
    with defs.resources["warehouse"].connect() as conn:
        published.publish(conn, root)
        before = (root / "current").resolve()
        files = sorted(p.name for p in before.iterdir())
        written = []
        real = pq.write_table

        def failing_write(table, path, *args, **kwargs):
            written.append(path)
            if len(written) == 4:
                raise OSError("disk full")
            return real(table, path, *args, **kwargs)

        monkeypatch.setattr(published.pq, "write_table", failing_write)
        with pytest.raises(OSError, match="disk full"):
            published.publish(conn, root)
    assert (root / "current").resolve() == before
    assert sorted(p.name for p in before.iterdir()) == files
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []  # no partial version left behind


def _rows(sql: str) -> list[dict]:
    from orchestration.definitions import defs

    with defs.resources["warehouse"].connect() as conn:
        return conn.query_arrow(sql).to_pylist()


def test_payments_report_figures_come_from_the_payments(snapshots):
    day = TINY_START
    message = REPORTS["payments"].build(snapshots, day)
    [totals] = _rows(
        f"SELECT countIf(reached_captured) AS captured, countIf(status = 'failed') AS failed FROM marts.fct_payments"
        f" WHERE toDate(created_at) = '{day}'"
    )
    turnover = _rows(
        "SELECT currency_symbolic_code AS c, sumIf(amount, reached_captured) AS a FROM marts.fct_payments"
        f" WHERE toDate(created_at) = '{day}' GROUP BY c ORDER BY c"
    )
    assert f"Успешных платежей: {fmt.number(totals['captured'])}" in message.text
    assert fmt.percent(totals["captured"] / (totals["captured"] + totals["failed"])) in message.text
    for row in turnover:
        assert fmt.money(Decimal(row["a"]) / 100, row["c"]) in message.text
    assert message.text.startswith(f"<b>Платежи за {day:%d.%m.%Y}</b>")
    [(name, png)] = message.charts
    image = Image.open(io.BytesIO(png))
    assert (name, image.format, image.size) == ("payment_systems.png", "PNG", (800, 450))
    assert len(set(image.convert("RGB").getdata())) > 10  # not a blank picture


def test_iptv_and_cinema_reports(snapshots):
    day = TINY_START
    iptv = REPORTS["iptv_operator"].build(snapshots, day)
    for row in _rows(
        f"SELECT client_id, max_online, max_online_at FROM marts.agg_viewing_max_online_daily WHERE view_date = '{day}'"
    ):
        assert f"Пик онлайн: {fmt.number(row['max_online'])} в {row['max_online_at']:%H:%M} UTC" in iptv.text
    cinema = REPORTS["cinema_daily"].build(snapshots, day)
    [views] = _rows(f"SELECT sum(cnt_views) AS n FROM marts.episode_views_by_viewer WHERE dt = '{day}'")
    assert f"Просмотров: {fmt.number(views['n'])}" in cinema.text
    assert "Топ тайтлов по времени смотрения" in cinema.text
    ltv = _rows(
        "SELECT currency, sum(ltv) AS total, count() AS n FROM (SELECT passport_id, currency,"
        " argMax(LTV, (started_at, subscription_id)) AS ltv FROM marts.Extended_billing_aggregate"
        " GROUP BY passport_id, currency) GROUP BY currency ORDER BY currency"
    )
    average = ", ".join(fmt.money((r["total"] / r["n"]).quantize(Decimal("0.01")), r["currency"]) for r in ltv)
    assert f"Средний LTV: {average}" in cinema.text
    assert Image.open(io.BytesIO(cinema.charts[0][1])).size == (800, 450)
    events = REPORTS["events"].build(snapshots, day)
    assert events.text.startswith("<b>Мероприятия за")


def test_number_formatting():
    assert fmt.number(1234567.891, 2) == "1\u00a0234\u00a0567,89"
    assert fmt.money(Decimal("-299.5"), "RUB") == "−299,50\u00a0₽"
    assert fmt.percent(0.8234) == "82,3\u00a0%"
    assert fmt.number(None) == "—"


def test_deliveries_reach_allowed_roles_only(snapshots, telegram, sender, store):
    message = REPORTS["payments"].build(snapshots, TINY_START)
    outcomes = deliver(sender, REPORTS["payments"], message, store.all())
    assert [(o["chat_id"], o["status"]) for o in outcomes] == [(ADMIN, "sent"), (FINANCE, "sent")]
    assert sorted({r.chat_id for r in telegram.sent("sendMessage")}) == [ADMIN, FINANCE]
    assert sorted(r.chat_id for r in telegram.sent("sendPhoto")) == [ADMIN, FINANCE]
    photo = telegram.sent("sendPhoto")[0].files["photo"]
    assert photo[1][:8] == b"\x89PNG\r\n\x1a\n"
    assert telegram.sent("sendMessage")[0].params["parse_mode"] == "HTML"


def test_retries_429_5xx_and_timeouts_and_records_blocked_users(
    snapshots, telegram, sender, store, caplog, monkeypatch
):
    monkeypatch.setattr(apihelper, "READ_TIMEOUT", 0.5)
    telegram.script["sendMessage"] = [
        error(429, "Too Many Requests: retry after 7", retry_after=7),  # admin: waits 7 s, then sent
        error(502, "Bad Gateway"),
        ("sleep", 1.0),  # admin again (retried 502): the answer stalls past the read timeout
        ("ok",),  # admin, third retry: sent
        error(403, "Forbidden: bot was blocked by the user"),  # finance: blocked, not retried
    ]
    message = REPORTS["payments"].build(snapshots, TINY_START)
    outcomes = deliver(sender, REPORTS["payments"], message, store.all())
    assert [(o["chat_id"], o["status"]) for o in outcomes] == [(ADMIN, "sent"), (FINANCE, "blocked")]
    assert sender.waits[0] == 7  # retry_after honoured
    assert len(sender.waits) >= 3
    assert TOKEN not in caplog.text and TOKEN not in json.dumps(outcomes)


def test_a_recipient_whose_requests_keep_failing_does_not_stop_the_others(snapshots, telegram, sender, store):
    telegram.script["sendMessage"] = [error(500, "Internal")] * 5
    outcomes = deliver(
        sender, REPORTS["cinema_daily"], REPORTS["cinema_daily"].build(snapshots, TINY_START), store.all()
    )
    assert [(o["chat_id"], o["status"]) for o in outcomes] == [(ADMIN, "failed"), (CONTENT, "sent")]
    assert "gave up after 5 attempts" in outcomes[0]["error"]
    assert sender.waits[:4] == [0.5, 1.0, 2.0, 4.0]  # exponential backoff


_update_id = 0


def _update(chat_id: int, text: str | None = None, callback: str | None = None) -> types.Update:
    global _update_id
    _update_id += 1
    user = {"id": chat_id, "is_bot": False, "first_name": "U", "username": f"user{chat_id}"}
    message = {"message_id": _update_id, "date": 0, "chat": {"id": chat_id, "type": "private"}, "from": user}
    if text is not None:
        command = text.split()[0]
        message |= {"text": text, "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}]}
        return types.Update.de_json({"update_id": _update_id, "message": message})
    query = {
        "id": str(_update_id),
        "from": user,
        "message": message | {"text": "x"},
        "chat_instance": "1",
        "data": callback,
    }
    return types.Update.de_json({"update_id": _update_id, "callback_query": query})


def _texts(telegram, chat_id) -> list[str]:
    return [r.params.get("text", "") for r in telegram.sent("sendMessage") if r.chat_id == chat_id]


def test_bot_commands_roles_and_strangers(snapshots, telegram, sender, store):
    bot = ReportBot(sender, store, snapshots)
    bot.handle([_update(STRANGER, f"/report payments {TINY_START}")])
    assert _texts(telegram, STRANGER) == [NO_ACCESS.format(chat_id=STRANGER)]  # no data for strangers
    bot.handle([_update(FINANCE, f"/report payments {TINY_START}")])
    assert _texts(telegram, FINANCE)[0].startswith(f"<b>Платежи за {TINY_START:%d.%m.%Y}</b>")
    assert [r.chat_id for r in telegram.sent("sendPhoto")] == [FINANCE]
    bot.handle([_update(FINANCE, f"/report cinema_daily {TINY_START}")])
    assert _texts(telegram, FINANCE)[-1] == "Укажите отчёт: payments"  # finance may not see the cinema report
    bot.handle([_update(FINANCE, "/report payments 01.11.2026")])
    assert "ГГГГ-ММ-ДД" in _texts(telegram, FINANCE)[-1]
    bot.handle([_update(FINANCE, "/help")])
    assert "/report payments" in _texts(telegram, FINANCE)[-1] and "/adduser" not in _texts(telegram, FINANCE)[-1]


def _buttons(request) -> dict[str, str]:
    markup = json.loads(request.params["reply_markup"])
    return {
        str(b["text"]): b["callback_data"] for row in markup["inline_keyboard"] for b in row if "callback_data" in b
    }


def test_the_calendar_picks_the_date(snapshots, telegram, sender, store):
    bot = ReportBot(sender, store, snapshots)
    bot.handle([_update(FINANCE, "/report payments")])
    screen = telegram.sent("sendMessage")[-1]
    assert "выберите дату" in screen.params["text"]
    for label in (str(TINY_START.year), None, str(TINY_START.day)):
        buttons = _buttons(screen)
        if label is None:  # the month screen: Russian month names
            label = next(text for text in buttons if text.lower().startswith("ноя"))
        bot.handle([_update(FINANCE, callback=buttons[label])])
        screen = telegram.sent()[-1] if telegram.sent()[-1].method == "editMessageReplyMarkup" else screen
    assert telegram.sent("editMessageText")[-1].params["text"] == f"Платежи: {TINY_START:%d.%m.%Y}"
    assert _texts(telegram, FINANCE)[-1].startswith(f"<b>Платежи за {TINY_START:%d.%m.%Y}</b>")


def test_user_management_by_admins_is_logged(snapshots, telegram, sender, store):
    bot = ReportBot(sender, store, snapshots)
    bot.handle([_update(FINANCE, "/adduser 5 finance Иван Петров")])
    assert _texts(telegram, FINANCE)[-1] == "Команда доступна только администраторам."
    assert store.get(5) is None
    bot.handle([_update(ADMIN, "/adduser 5 finance,marketing Иван Петров")])
    assert store.get(5).roles == {"finance", "marketing"} and store.get(5).name == "Иван Петров"
    bot.handle([_update(ADMIN, "/roles 5 marketing")])
    assert store.get(5).roles == {"marketing"}
    bot.handle([_update(ADMIN, "/adduser 6 boss Кто-то")])
    assert "unknown role(s) boss" in _texts(telegram, ADMIN)[-1]
    bot.handle([_update(ADMIN, "/users")])
    assert "5 — Иван Петров: marketing" in _texts(telegram, ADMIN)[-1]
    bot.handle([_update(ADMIN, "/removeuser 5")])
    assert store.get(5) is None
    log = [(e["actor"], e["action"], e["chat_id"]) for e in store.audit_log() if e["chat_id"] == 5]
    assert log == [
        ("telegram:1 (@user1)", "add", 5),
        ("telegram:1 (@user1)", "roles", 5),
        ("telegram:1 (@user1)", "remove", 5),
    ]


def test_recipients_survive_a_restart_and_the_command_line_manages_them(tmp_path, monkeypatch, capsys):
    from orchestration.cli import main

    path = tmp_path / "bot" / "recipients.sqlite"
    monkeypatch.setenv("OTT_BOT_RECIPIENTS", str(path))
    assert main(["bot", "users", "add", "42", "--name", "Мария", "--roles", "management,finance"]) == 0
    assert main(["bot", "users", "roles", "42", "--roles", "management"]) == 0
    assert main(["bot", "users", "roles", "43", "--roles", "management"]) == 2
    assert main(["bot", "users", "add", "44", "--name", "X", "--roles", "nobody"]) == 2
    assert "unknown role(s) nobody" in capsys.readouterr().err
    reopened = RecipientStore(path)
    assert [(r.chat_id, r.name, set(r.roles)) for r in reopened.all()] == [(42, "Мария", {"management"})]
    assert [e["action"] for e in reopened.audit_log()] == ["add", "roles"]
    assert reopened.audit_log()[0]["actor"].startswith("cli:")
    with pytest.raises(UnknownRole):
        reopened.set_roles(42, set(), actor="test")


def test_the_scheduled_job_lists_who_got_what(snapshots, telegram, store, tmp_path):
    telegram.script["sendMessage"] = [error(403, "Forbidden: bot was blocked by the user")]
    resources = {
        "telegram": TelegramBot(token=TOKEN, api_url=telegram.url, recipients_path=str(store.path)),
        "exports": ExportsDir(path=str(snapshots.parent)),
    }
    result = telegram_reports.execute_in_process(
        resources=resources,
        run_config={"ops": {"send_telegram_reports": {"config": {"day": TINY_START.isoformat()}}}},
    )
    assert result.success
    [materialization] = [e for e in result.all_events if e.event_type_value == "STEP_OUTPUT"]
    metadata = materialization.event_specific_data.metadata
    deliveries = metadata["deliveries"].value
    assert (deliveries[0]["chat_id"], deliveries[0]["status"]) == (ADMIN, "blocked")  # the first send of the run
    assert metadata["sent"].value == len(deliveries) - 1
    assert {(d["chat_id"], d["report"]) for d in deliveries} == {
        (ADMIN, "cinema_daily"),
        (CONTENT, "cinema_daily"),
        (ADMIN, "iptv_operator"),
        (ADMIN, "payments"),
        (FINANCE, "payments"),
        (ADMIN, "events"),
    }
    assert TOKEN not in json.dumps(deliveries)


def test_the_token_never_reaches_the_logs_even_at_debug_level(telegram, caplog):
    telegram.script["sendMessage"] = [error(502, "Bad Gateway")]
    sender = TelegramSender(TOKEN, telegram.url, sleep=lambda seconds: None)
    with caplog.at_level(logging.DEBUG):
        outcomes = deliver(
            sender, REPORTS["events"], ReportMessage("проверка"), [Recipient(ADMIN, "Админ", frozenset({"admin"}))]
        )
    assert outcomes[0]["status"] == "sent"
    assert "/bot***/sendMessage" in caplog.text  # urllib3 logs every request line at DEBUG: scrubbed
    assert TOKEN not in caplog.text
