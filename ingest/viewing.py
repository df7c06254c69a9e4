"""Smarty viewing sessions (viewstats): mongoexport JSON lines, one file per UTC day."""

from ingest import json_fields as j
from ingest.spec import Column, RawSource

CONTENT_TYPES = ("channel", "vod", "catchup")
MAX_SESSION_HOURS = 24

SESSIONS = RawSource(
    name="viewing_sessions",
    domain="viewing",
    format="jsonl",
    path="viewing/sessions/{day}.json",
    description="Smarty viewing sessions as exported from MongoDB, one row per session",
    columns=(
        Column("session_id", "String", f"coalesce({j.text('_id', '$oid')}, {j.text('_id')})", "Mongo _id"),
        Column("client_id", "UInt32", j.number("client_id"), "operator tenant"),
        Column("account_id", "UInt64", j.number("account_id")),
        Column("device", "String", j.text("device"), "device system name"),
        Column("tariff_ids", "Array(UInt32)", "JSONExtract(raw, 'tariffs', 'Array(UInt32)')"),
        Column("content_type", "String", j.text("content_type"), "channel, vod or catchup"),
        Column("channel_id", "Nullable(UInt32)", j.number("channel_id")),
        Column("title_id", "Nullable(UInt32)", j.number("title_id")),
        Column("season_num", "Nullable(UInt16)", j.number("season")),
        Column("episode_num", "Nullable(UInt16)", j.number("episode")),
        Column("started_at", "DateTime64(3, 'UTC')", j.timestamp("start")),
        Column("ended_at", "DateTime64(3, 'UTC')", j.timestamp("end")),
    ),
    checks=(
        (f"content_type NOT IN {CONTENT_TYPES}", "unknown content type"),
        ("ended_at < started_at", "end before start"),
        (f"dateDiff('second', started_at, ended_at) > {MAX_SESSION_HOURS * 3600}", "duration over 24 h"),
        ("content_type IN ('channel', 'catchup') AND channel_id IS NULL", "channel session without channel_id"),
        ("content_type = 'vod' AND title_id IS NULL", "vod session without title_id"),
    ),
    key="session_id",
    key_label="_id",
    order_by="client_id, started_at, session_id",
)

SOURCES = (SESSIONS,)
