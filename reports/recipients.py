"""Who gets reports: recipients (Telegram chats) with roles, stored durably in SQLite, every change logged
with who made it."""

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reports.report import ROLES


class UnknownRole(ValueError):
    """A role that no report knows."""


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    name: str
    roles: frozenset[str]


class RecipientStore:
    """Recipients and the audit log of changes, in one SQLite file (transactions make each change atomic)."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS recipients (chat_id INTEGER PRIMARY KEY, name TEXT NOT NULL, roles TEXT NOT NULL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,"
                " actor TEXT NOT NULL, action TEXT NOT NULL, chat_id INTEGER NOT NULL, details TEXT NOT NULL)"
            )

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path)
        try:
            with db:  # commits, or rolls back on error
                yield db
        finally:
            db.close()

    def get(self, chat_id: int) -> Recipient | None:
        with self._db() as db:
            row = db.execute("SELECT chat_id, name, roles FROM recipients WHERE chat_id = ?", (chat_id,)).fetchone()
        return _recipient(row) if row else None

    def all(self) -> list[Recipient]:
        with self._db() as db:
            rows = db.execute("SELECT chat_id, name, roles FROM recipients ORDER BY chat_id").fetchall()
        return [_recipient(r) for r in rows]

    def add(self, chat_id: int, name: str, roles: set[str], actor: str) -> Recipient:
        """Add a recipient, or replace the name and roles of an existing one."""
        roles = _checked(roles)
        with self._db() as db:
            db.execute(
                "INSERT INTO recipients VALUES (?, ?, ?) ON CONFLICT(chat_id) DO UPDATE SET name = excluded.name,"
                " roles = excluded.roles",
                (chat_id, name, json.dumps(sorted(roles))),
            )
            _log(db, actor, "add", chat_id, {"name": name, "roles": sorted(roles)})
        return Recipient(chat_id, name, frozenset(roles))

    def set_roles(self, chat_id: int, roles: set[str], actor: str) -> Recipient:
        roles = _checked(roles)
        with self._db() as db:
            changed = db.execute(
                "UPDATE recipients SET roles = ? WHERE chat_id = ?", (json.dumps(sorted(roles)), chat_id)
            ).rowcount
            if not changed:
                raise KeyError(f"chat {chat_id} is not a recipient")
            _log(db, actor, "roles", chat_id, {"roles": sorted(roles)})
        recipient = self.get(chat_id)
        assert recipient is not None
        return recipient

    def remove(self, chat_id: int, actor: str) -> None:
        with self._db() as db:
            if not db.execute("DELETE FROM recipients WHERE chat_id = ?", (chat_id,)).rowcount:
                raise KeyError(f"chat {chat_id} is not a recipient")
            _log(db, actor, "remove", chat_id, {})

    def audit_log(self) -> list[dict]:
        with self._db() as db:
            rows = db.execute("SELECT at, actor, action, chat_id, details FROM audit_log ORDER BY id").fetchall()
        return [
            {"at": at, "actor": actor, "action": action, "chat_id": chat_id, **json.loads(details)}
            for at, actor, action, chat_id, details in rows
        ]


def _recipient(row: tuple) -> Recipient:
    return Recipient(row[0], row[1], frozenset(json.loads(row[2])))


def _checked(roles: set[str]) -> set[str]:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise UnknownRole(f"unknown role(s) {', '.join(sorted(unknown))}; valid: {', '.join(ROLES)}")
    if not roles:
        raise UnknownRole(f"give at least one role: {', '.join(ROLES)}")
    return set(roles)


def _log(db: sqlite3.Connection, actor: str, action: str, chat_id: int, details: dict) -> None:
    db.execute(
        "INSERT INTO audit_log (at, actor, action, chat_id, details) VALUES (?, ?, ?, ?, ?)",
        (
            datetime.now(UTC).isoformat(timespec="seconds"),
            actor,
            action,
            chat_id,
            json.dumps(details, ensure_ascii=False),
        ),
    )
