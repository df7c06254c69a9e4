"""The Analytics Service's export: an organization's daily event figures as CSV or XLSX, written atomically."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from exports.files import write_atomically
from exports.tables import MIME_TYPES, ColumnSpec, to_csv, to_xlsx
from query.events import export_rows
from warehouse.connection import WarehouseConnection

COLUMNS = [
    ColumnSpec("date", "Дата", "date"),
    ColumnSpec("eventId", "ID события", "text"),
    ColumnSpec("totalViews", "Просмотры"),
    ColumnSpec("uniqueViews", "Уникальные посетители"),
    ColumnSpec("totalRegistrations", "Регистрации"),
    ColumnSpec("confirmedRegistrations", "Подтверждённые регистрации"),
    ColumnSpec("checkedIn", "Пришедшие"),
    ColumnSpec("viewToRegistrationRate", "Конверсия просмотр → регистрация", "percent"),
    ColumnSpec("registrationToCheckinRate", "Конверсия регистрация → check-in", "percent"),
]


@dataclass(frozen=True)
class ExportFile:
    path: Path
    mime_type: str
    rows: int


def export(
    conn: WarehouseConnection,
    organization_id: str,
    date_from: date,
    date_to: date,
    format: str,
    out_dir: Path,
    event_id: str | None = None,
) -> ExportFile:
    if format not in MIME_TYPES:
        raise ValueError(f"unknown export format {format!r}; valid: {', '.join(MIME_TYPES)}")
    rows = export_rows(conn, organization_id, date_from, date_to, event_id)
    data = to_csv(rows, COLUMNS) if format == "csv" else to_xlsx(rows, COLUMNS, sheet="Отчёт")
    scope = f"{organization_id}_{event_id}" if event_id else organization_id
    path = write_atomically(out_dir / f"events_{scope}_{date_from}_{date_to}.{format}", data)
    return ExportFile(path, MIME_TYPES[format], len(rows))
