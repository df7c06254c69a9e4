"""Smarty viewing sessions (viewstats), from MongoDB or mongoexport JSON lines, one UTC day per partition.

Deployments name document fields differently, so the source is built from a field mapping: our name ->
the document's (dotted) path. The same mapping and validation serve MongoDB and mongoexport files.
"""

from collections.abc import Mapping

from ingest import json_fields as j
from ingest.spec import Column, RawSource

CONTENT_TYPES = ("channel", "vod", "catchup")
DEFAULT_MAX_SESSION_HOURS = 24.0
# our name -> Smarty's document field (as mongoexport writes it)
DEFAULT_FIELDS: dict[str, str] = {
    "session_id": "_id",
    "client_id": "client_id",
    "account_id": "account_id",
    "device": "device",
    "tariffs": "tariffs",
    "content_type": "content_type",
    "channel_id": "channel_id",
    "title_id": "title_id",
    "season": "season",
    "episode": "episode",
    "start": "start",
    "end": "end",
}


def field_mapping(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The default mapping with `overrides` applied; unknown names are an error, not ignored."""
    unknown = set(overrides or {}) - set(DEFAULT_FIELDS)
    if unknown:
        raise ValueError(f"unknown viewing field(s) {sorted(unknown)}; valid: {sorted(DEFAULT_FIELDS)}")
    return {**DEFAULT_FIELDS, **(overrides or {})}


def sessions_source(
    fields: Mapping[str, str] | None = None, max_session_hours: float = DEFAULT_MAX_SESSION_HOURS
) -> RawSource:
    f = field_mapping(fields)

    def path(name: str) -> tuple[str, ...]:
        return tuple(f[name].split("."))

    return RawSource(
        name="viewing_sessions",
        domain="viewing",
        format="jsonl",
        path="viewing/sessions/{day}.json",
        description="Smarty viewing sessions as exported from MongoDB, one row per session",
        columns=(
            Column(
                "session_id",
                "String",
                f"coalesce({j.text(*path('session_id'), '$oid')}, {j.text(*path('session_id'))})",
                "Mongo _id",
            ),
            Column("client_id", "UInt32", j.number(*path("client_id")), "operator tenant"),
            Column("account_id", "UInt64", j.number(*path("account_id"))),
            Column("device", "String", j.text(*path("device")), "device system name"),
            Column("tariff_ids", "Array(UInt32)", j.array("Array(UInt32)", *path("tariffs"))),
            Column("content_type", "String", j.text(*path("content_type")), "channel, vod or catchup"),
            Column("channel_id", "Nullable(UInt32)", j.number(*path("channel_id"))),
            Column("title_id", "Nullable(UInt32)", j.number(*path("title_id"))),
            Column("season_num", "Nullable(UInt16)", j.number(*path("season"))),
            Column("episode_num", "Nullable(UInt16)", j.number(*path("episode"))),
            Column("started_at", "DateTime64(3, 'UTC')", j.timestamp(*path("start"))),
            Column("ended_at", "DateTime64(3, 'UTC')", j.timestamp(*path("end"))),
        ),
        checks=(
            (f"content_type NOT IN {CONTENT_TYPES}", "unknown content type"),
            ("ended_at < started_at", "end before start"),
            (
                f"dateDiff('millisecond', started_at, ended_at) > {int(max_session_hours * 3_600_000)}",
                f"duration over {max_session_hours:g} h",
            ),
            ("content_type IN ('channel', 'catchup') AND channel_id IS NULL", "channel session without channel_id"),
            ("content_type = 'vod' AND title_id IS NULL", "vod session without title_id"),
        ),
        key="session_id",
        key_label="_id",
        order_by="client_id, started_at, session_id",
    )


SESSIONS = sessions_source()
SOURCES = (SESSIONS,)
