"""dbt-clickhouse's client wrapper implemented over an in-process chDB session."""

import datetime
import decimal
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dbt.adapters.chdb.credentials import ChdbCredentials
from dbt.adapters.chdb.session import WarehouseBusyError, open_session
from dbt.adapters.clickhouse import ClickHouseColumn
from dbt.adapters.clickhouse.dbclient import ChClientWrapper
from dbt.adapters.clickhouse.logger import logger
from dbt.adapters.clickhouse.query import quote_identifier
from dbt.adapters.exceptions import FailedToConnectError
from dbt_common.exceptions import DbtDatabaseError

from chdb import ChdbError

# Settings that only make sense for a server connection.
_CLIENT_ONLY_SETTINGS = {"session_id"}
# Results travel as JSONCompact: decimals quoted so they stay exact, 64-bit ints as numbers.
_SESSION_SETTINGS = {
    "output_format_json_quote_decimals": 1,
    "output_format_json_quote_64bit_integers": 0,
    "output_format_json_quote_denormals": 1,
}
_WRAPPER = re.compile(r"^(Nullable|LowCardinality)\((.*)\)$")


@dataclass
class ChdbQueryResult:
    """The part of clickhouse-connect's QueryResult that dbt-clickhouse reads."""

    column_names: list[str]
    column_types: list[str]
    result_set: list[tuple] = field(default_factory=list)


def _strip_wrappers(ch_type: str) -> str:
    while True:
        match = _WRAPPER.match(ch_type)
        if not match:
            return ch_type
        ch_type = match.group(2)


def _converter(ch_type: str) -> Callable[[Any], Any]:
    """A function turning a JSONCompact value of `ch_type` into the Python value clickhouse-connect gives."""
    base = _strip_wrappers(ch_type)
    if base.startswith("Decimal"):
        return lambda v: decimal.Decimal(v)
    if base.startswith("DateTime"):
        return _parse_datetime
    if base.startswith("Date"):
        return datetime.date.fromisoformat
    if base.startswith("Float"):
        return lambda v: float(v) if isinstance(v, str) else v
    if base.startswith("Array("):
        inner = _converter(base[len("Array(") : -1])
        return lambda v: [None if x is None else inner(x) for x in v]
    return lambda v: v


def _parse_datetime(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def _error(exc: Exception) -> DbtDatabaseError:
    return DbtDatabaseError(str(exc).strip())


class ChdbClient(ChClientWrapper):
    """One dbt connection: its own chDB session (sessions on one directory share one engine)."""

    def query(self, sql: str, **kwargs: Any) -> ChdbQueryResult:
        meta, rows = self._run_json(sql, kwargs.get("settings"), kwargs.get("parameters"))
        names = [c["name"] for c in meta]
        types = [c["type"] for c in meta]
        converters = [_converter(t) for t in types]
        result_set = [
            tuple(None if v is None else conv(v) for conv, v in zip(converters, row, strict=True)) for row in rows
        ]
        return ChdbQueryResult(names, types, result_set)

    def command(self, sql: str, **kwargs: Any) -> Any:
        result = self.query(sql, **kwargs)
        if result.result_set and result.result_set[0]:
            return result.result_set[0][0]
        return None

    def columns_in_query(self, sql: str, **kwargs: Any) -> list[ClickHouseColumn]:
        # DESCRIBE only analyses the query. dbt-clickhouse's `SELECT * FROM (...) LIMIT 0` builds the sets of
        # its IN subqueries for primary-key analysis, a full scan where a model looks up what a run touched
        # (1-2 s per incremental model on a year of history), and dbt asks twice per model.
        _, rows = self._run_json(f"DESCRIBE TABLE ( \n{sql} \n)", kwargs.get("settings"), None)
        return [ClickHouseColumn.create(name, dtype) for name, dtype, *_ in rows]

    def get_ch_setting(self, setting_name: str) -> tuple:
        result = self.query(
            "SELECT value, readonly FROM system.settings WHERE name = {name:String}",
            parameters={"name": setting_name},
        )
        return result.result_set[0] if result.result_set else (None, 0)

    def close(self) -> None:
        session = getattr(self, "_client", None)
        if session is not None:
            session.close()
            self._client = None

    def _create_client(self, credentials: ChdbCredentials):
        try:
            session = open_session(credentials.path, credentials.lock_timeout, on_wait=logger.info)
        except WarehouseBusyError as exc:
            raise FailedToConnectError(str(exc)) from exc
        except RuntimeError as exc:
            raise FailedToConnectError(f"chDB could not open {credentials.path}: {exc}") from exc
        for name, value in {**_SESSION_SETTINGS, **self._conn_settings}.items():
            if name in _CLIENT_ONLY_SETTINGS:
                continue
            try:
                session.query(f"SET {name} = {_setting_literal(value)}")
            except ChdbError as exc:
                session.close()
                raise FailedToConnectError(f"chDB rejected setting {name}={value!r}: {exc}") from exc
        return session

    def _ensure_database(self, database_engine: str | None, cluster_name: str | None) -> None:
        """Create the profile's database if this data directory lacks it. dbt-clickhouse checks once per
        process and remembers the answer by database name, but one process may open several data directories
        in turn (tests, a tool serving more than one warehouse), so the check, microseconds in-process, runs
        for every connection."""
        if self.database:
            engine = f" ENGINE {database_engine}" if database_engine else ""
            try:
                self._execute(f"CREATE DATABASE IF NOT EXISTS {quote_identifier(self.database)}{engine}")
            except DbtDatabaseError as exc:
                raise FailedToConnectError(f"chDB could not create database {self.database}: {exc}") from exc
        self._set_client_database()

    def _set_client_database(self) -> None:
        self._execute(f"USE {quote_identifier(self.database)}")

    def _server_version(self) -> str:
        return self.command("SELECT version()")

    def _run_json(
        self, sql: str, settings: dict[str, Any] | None, parameters: dict[str, Any] | None
    ) -> tuple[list, list]:
        sql = sql.strip().rstrip(";")
        previous = self._apply_settings(settings)
        try:
            raw = self._execute(sql, "JSONCompact", parameters)
        finally:
            self._restore_settings(previous)
        text = raw.bytes() if raw is not None else b""
        if not text.strip():
            return [], []
        payload = json.loads(text)
        return payload.get("meta", []), payload.get("data", [])

    def _execute(self, sql: str, fmt: str = "CSV", parameters: dict[str, Any] | None = None):
        if self._client is None:
            raise DbtDatabaseError("chDB connection is closed")
        try:
            return self._client.query(sql, fmt, params=parameters or None)
        except (ChdbError, RuntimeError) as exc:
            raise _error(exc) from exc

    def _apply_settings(self, settings: dict[str, Any] | None) -> dict[str, Any]:
        """SET per-query settings on this connection's session; return the values to restore."""
        if not settings:
            return {}
        wanted = {k: v for k, v in settings.items() if k not in _CLIENT_ONLY_SETTINGS}
        if not wanted:
            return {}
        previous = {name: self.get_ch_setting(name)[0] for name in wanted}
        for name, value in wanted.items():
            self._execute(f"SET {name} = {_setting_literal(value)}")
        return {name: value for name, value in previous.items() if value is not None}

    def _restore_settings(self, previous: dict[str, Any]) -> None:
        for name, value in previous.items():
            self._execute(f"SET {name} = {_setting_literal(value)}")


def _setting_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
