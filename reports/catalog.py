"""Every report in one place: its name, title, the roles that may see it, and how it is built from the
published snapshots for a UTC day."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd

from reports import charts
from reports import formatting as fmt
from reports.published import read
from reports.report import ADMIN, Report, ReportMessage

TOP = 5


def _on(frame: pd.DataFrame, column: str, day: date) -> pd.DataFrame:
    return frame[pd.to_datetime(frame[column]).dt.date == day]


def _money_lines(amounts: pd.Series) -> str:
    """One 'amount currency' per currency of a Series indexed by currency; '0' when empty."""
    if amounts.empty:
        return "0"
    return ", ".join(fmt.money(Decimal(str(v)), str(c)) for c, v in amounts.items())


def _decimal_mean(amounts: pd.Series) -> Decimal:
    """The mean of Decimal amounts in Decimal, to the kopeck (money never goes through float)."""
    return (sum(amounts, Decimal(0)) / len(amounts)).quantize(Decimal("0.01"))


def cinema_daily(published: Path, day: date) -> ReportMessage:
    payments = _on(read(published, "billing_daily_payments"), "payment_date", day)
    subscriptions = read(published, "billing_extended_aggregate")
    started = _on(subscriptions, "start_date", day)
    latest_ltv = subscriptions.sort_values("started_at").groupby(["passport_id", "currency"]).tail(1)
    views = _on(read(published, "episode_views_by_viewer"), "dt", day)
    allocation = read(published, "content_revenue_allocation")
    titles = allocation.drop_duplicates("tv_id").set_index("tv_id")["title_ru"]
    allocated = _on(allocation, "dt", day)
    top = views.groupby("tv_id")["view_duration_s"].sum().nlargest(TOP)
    lines = [
        fmt.bold(f"Онлайн-кинотеатр: сводка за {day:%d.%m.%Y}"),
        "",
        fmt.bold("Подписки"),
        f"Новых подписок: {fmt.number(len(started))}",
        f"Оплаты: {_money_lines(payments.groupby('currency')['payments_amount'].sum())}"
        f" от {fmt.number(payments['paying_customers'].sum())} абонентов",
        f"Возвраты: {_money_lines(payments.groupby('currency')['refunds_amount'].sum())}",
        f"Средний LTV: {_money_lines(latest_ltv.groupby('currency')['LTV'].apply(_decimal_mean))}",
        "",
        fmt.bold("Смотрение"),
        f"Просмотров: {fmt.number(views['cnt_views'].sum())}, из них от 3 минут:"
        f" {fmt.number(views['cnt_views_3min'].sum())}",
        f"Зрителей: {fmt.number(views['passport_id'].nunique())},"
        f" часов: {fmt.number(views['view_duration_s'].sum() / 3600, 1)}",
    ]
    if not top.empty:
        lines += ["", fmt.bold("Топ тайтлов по времени смотрения")]
        lines += [
            f"{i}. {fmt.escape(titles.get(tv_id, tv_id))} — {fmt.number(seconds / 3600, 1)} ч"
            for i, (tv_id, seconds) in enumerate(top.items(), 1)
        ]
    revenue = allocated[allocated["tv_id"] != 0].groupby(["tv_id", "currency"])["alloc_revenue"].sum()
    if not revenue.empty:
        lines += ["", fmt.bold("Распределённая выручка по тайтлам")]
        for (tv_id, currency), amount in revenue.sort_values(ascending=False).head(TOP).items():
            lines.append(f"{fmt.escape(titles.get(tv_id, tv_id))} — {fmt.money(amount, currency)}")
    unallocated = allocated[allocated["tv_id"] == 0].groupby("currency")["alloc_revenue"].sum()
    if not unallocated.empty:
        lines.append(f"Не распределено (без смотрения): {_money_lines(unallocated)}")
    pictures = []
    if not top.empty:
        labels = [str(titles.get(tv_id, tv_id)) for tv_id in top.index]
        pictures.append(("top_titles.png", charts.bar_chart("Топ тайтлов, часы", labels, list(top / 3600))))
    return ReportMessage("\n".join(lines), pictures)


def iptv_operator(published: Path, day: date) -> ReportMessage:
    peaks = read(published, "viewing_max_online_daily")
    channels = _on(read(published, "viewing_channel_daily"), "view_date", day)
    dynamics = read(published, "billing_customer_dynamics_daily")
    lines = [fmt.bold(f"IPTV: сводка оператора за {day:%d.%m.%Y}")]
    for client_id in sorted(set(peaks["client_id"]) | set(dynamics["client_id"])):
        peak = _on(peaks[peaks["client_id"] == client_id], "view_date", day)
        lines += ["", fmt.bold(f"Клиент {client_id}")]
        if not peak.empty:
            at = pd.Timestamp(peak["max_online_at"].iloc[0])
            lines.append(f"Пик онлайн: {fmt.number(peak['max_online'].iloc[0])} в {at:%H:%M} UTC")
        top = channels[channels["client_id"] == client_id].nlargest(TOP, "watch_seconds")
        if not top.empty:
            lines.append("Популярные каналы:")
            lines += [
                f"{i}. {fmt.escape(row.channel_name or row.channel_id)} — {fmt.number(row.watch_seconds / 3600, 1)} ч,"
                f" охват {fmt.percent(row.reach)}"
                for i, row in enumerate(top.itertuples(), 1)
            ]
        today = _on(dynamics[dynamics["client_id"] == client_id], "period_start", day)
        if not today.empty:
            d = today.iloc[0]
            lines.append(
                f"Абоненты: всего {fmt.number(d.total_customers)}, активных {fmt.number(d.active_customers)},"
                f" новых {fmt.number(d.new_customers)}, ушедших {fmt.number(d.churned_customers)},"
                f" оплативших {fmt.number(d.paying_customers)}"
            )
    view_dates = pd.to_datetime(peaks["view_date"]).dt.date
    recent = peaks[(view_dates > day - timedelta(days=14)) & (view_dates <= day)]
    pictures = []
    if not recent.empty:
        series = {f"клиент {c}": list(g.sort_values("view_date")["max_online"]) for c, g in recent.groupby("client_id")}
        days = sorted(pd.to_datetime(recent["view_date"]).dt.date.unique())
        if all(len(v) == len(days) for v in series.values()):
            pictures.append(("peak_online.png", charts.line_chart("Пик онлайн за 14 дней", days, series)))
    return ReportMessage("\n".join(lines), pictures)


def payments(published: Path, day: date) -> ReportMessage:
    rows = _on(read(published, "payments_daily"), "payment_date", day)
    lines = [fmt.bold(f"Платежи за {day:%d.%m.%Y}")]
    turnover = rows.groupby("currency_symbolic_code")["captured_amount"].sum() / 100
    lines.append(f"Оборот: {_money_lines(turnover)}")
    captured, failed = rows["captured_count"].sum(), rows["failed_count"].sum()
    conversion = captured / (captured + failed) if captured + failed else None
    lines.append(f"Успешных платежей: {fmt.number(captured)}, конверсия {fmt.percent(conversion)}")
    by_system = rows.groupby("payment_system")[["captured_count", "captured_amount"]].sum()
    if not by_system.empty:
        lines += ["", fmt.bold("По платёжным системам")]
        for system, row in by_system.sort_values("captured_amount", ascending=False).iterrows():
            lines.append(f"{fmt.escape(system or 'не указана')} — {fmt.number(row.captured_count)} шт.")
    pictures = []
    if not by_system.empty:
        pictures.append(
            (
                "payment_systems.png",
                charts.bar_chart(
                    "Успешные платежи по системам", list(by_system.index), list(by_system["captured_count"])
                ),
            )
        )
    return ReportMessage("\n".join(lines), pictures)


def events(published: Path, day: date) -> ReportMessage:
    dashboard = read(published, "events_dashboard")
    funnel = read(published, "events_funnel").set_index("event_id")
    on_day = dashboard[(dashboard["breakdown"] == "day") & (dashboard["breakdown_value"] == day.isoformat())]
    totals = dashboard[dashboard["breakdown"] == "total"].set_index("event_id")
    lines = [fmt.bold(f"Мероприятия за {day:%d.%m.%Y}")]
    for row in on_day.sort_values("totalViews", ascending=False).itertuples():
        total = totals.loc[row.event_id]
        lines += [
            "",
            fmt.bold(f"Мероприятие {row.event_id}"),
            f"За день: просмотров {fmt.number(row.totalViews)}, уникальных {fmt.number(row.uniqueViews)},"
            f" регистраций {fmt.number(row.totalRegistrations)}",
            f"Всего: регистраций {fmt.number(total.totalRegistrations)}, подтверждено"
            f" {fmt.number(total.confirmedRegistrations)}, пришли {fmt.number(total.checkedIn)}"
            f" ({fmt.percent(total.registrationToCheckinRate if pd.notna(total.registrationToCheckinRate) else None)})",
        ]
        if row.event_id in funnel.index:
            f = funnel.loc[row.event_id]
            lines.append(
                f"Воронка: {fmt.number(f.page_views)} → {fmt.number(f.registration_started)} →"
                f" {fmt.number(f.registration_completed)} → {fmt.number(f.checked_in)}"
            )
    if on_day.empty:
        lines.append("Активности не было.")
    return ReportMessage("\n".join(lines))


REPORTS: dict[str, Report] = {
    report.name: report
    for report in (
        Report("cinema_daily", "Онлайн-кинотеатр", frozenset({ADMIN, "management", "content"}), cinema_daily),
        Report("iptv_operator", "IPTV-оператор", frozenset({ADMIN, "management", "operations"}), iptv_operator),
        Report("payments", "Платежи", frozenset({ADMIN, "management", "finance"}), payments),
        Report("events", "Мероприятия", frozenset({ADMIN, "management", "marketing"}), events),
    )
}
