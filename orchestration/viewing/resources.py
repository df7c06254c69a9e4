"""Viewing's resources: where sessions come from, and the operator's MongoDB (Smarty's settings)."""

import json
import os
from typing import Literal

from dagster import ConfigurableResource, EnvVar
from pydantic import Field
from pymongo import MongoClient

from ingest.mongo import DEFAULT_BATCH_SIZE, mongo_client
from ingest.viewing import DEFAULT_MAX_SESSION_HOURS, field_mapping


class MongoDB(ConfigurableResource):
    """The middleware's MongoDB: MONGODB_URI, or Smarty's MONGODB_HOST/PORT/NAME/USERNAME/PASSWORD/AUTH_METHOD."""

    uri: str = ""
    host: str = ""
    port: int = 27017
    name: str = "smarty"
    username: str = ""
    password: str = ""
    auth_method: str = ""
    sessions_collection: str = "viewstats"
    sortings_collection: str = "channel_sortings"

    @property
    def configured(self) -> bool:
        return bool(self.uri or self.host)

    def client(self) -> MongoClient:
        return mongo_client(
            self.uri, self.host or "127.0.0.1", self.port, self.username, self.password, self.auth_method
        )

    def database_name(self) -> str:
        return self.name


class ViewingSource(ConfigurableResource):
    """Where viewing sessions are read from, how their fields are named, and the longest believable session."""

    kind: Literal["files", "mongodb"] = "files"
    fields: dict[str, str] = Field(default_factory=dict)
    max_session_hours: float = DEFAULT_MAX_SESSION_HOURS
    batch_size: int = DEFAULT_BATCH_SIZE

    def mapping(self) -> dict[str, str]:
        return field_mapping(self.fields)


def mongodb_from_env() -> MongoDB:
    secret = {"uri": EnvVar("MONGODB_URI")} if os.environ.get("MONGODB_URI") else {}
    if os.environ.get("MONGODB_PASSWORD"):
        secret["password"] = EnvVar("MONGODB_PASSWORD")
    return MongoDB(
        host=os.environ.get("MONGODB_HOST", ""),
        port=int(os.environ.get("MONGODB_PORT", "27017")),
        name=os.environ.get("MONGODB_NAME", "smarty"),
        username=os.environ.get("MONGODB_USERNAME", ""),
        auth_method=os.environ.get("MONGODB_AUTH_METHOD", ""),
        sessions_collection=os.environ.get("OTT_MONGODB_SESSIONS_COLLECTION", "viewstats"),
        sortings_collection=os.environ.get("OTT_MONGODB_SORTINGS_COLLECTION", "channel_sortings"),
        **secret,
    )


def viewing_source_from_env() -> ViewingSource:
    mongo = bool(os.environ.get("MONGODB_URI") or os.environ.get("MONGODB_HOST"))
    return ViewingSource(
        kind=os.environ.get("OTT_VIEWING_SOURCE") or ("mongodb" if mongo else "files"),
        fields=json.loads(os.environ.get("OTT_VIEWING_FIELDS") or "{}"),
        max_session_hours=float(os.environ.get("OTT_MAX_SESSION_HOURS", DEFAULT_MAX_SESSION_HOURS)),
    )
