"""Read one UTC day of viewing sessions from MongoDB (pymongo), in batches shaped like mongoexport lines.

Connection settings keep Smarty's names (MONGODB_HOST, MONGODB_PORT, MONGODB_NAME, MONGODB_USERNAME,
MONGODB_PASSWORD, MONGODB_AUTH_METHOD) or take a MONGODB_URI. The day is read with a range query on the
start field (index-friendly: `{start: 1}` or `{client_id: 1, start: 1}` serves it) and a projection of the
mapped fields only; documents are serialised to JSON lines batch by batch, so memory is bounded by the batch.
"""

from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

import orjson
import pyarrow as pa
import pymongo
from bson import Decimal128, ObjectId
from pymongo.collection import Collection

from ingest.files import json_lines_from_text

DEFAULT_BATCH_SIZE = 50_000


def mongo_client(
    uri: str = "",
    host: str = "127.0.0.1",
    port: int = 27017,
    username: str = "",
    password: str = "",
    auth_method: str = "",
    auth_source: str = "",
) -> pymongo.MongoClient:
    """A client from a URI, or from Smarty's separate settings (credentials passed apart, never in a URI)."""
    if uri:
        return pymongo.MongoClient(uri, tz_aware=False)
    options: dict[str, Any] = {"host": host, "port": port, "tz_aware": False}
    if username:
        options.update(username=username, password=password)
        if auth_method:
            options["authMechanism"] = auth_method
        if auth_source:
            options["authSource"] = auth_source
    return pymongo.MongoClient(**options)


def _bson_value(value: Any) -> Any:
    if isinstance(value, ObjectId):
        return {"$oid": str(value)}
    if isinstance(value, Decimal128):
        return str(value.to_decimal())
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def session_batches(
    collection: Collection, fields: Mapping[str, str], day: date, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[pa.Table]:
    """The day's session documents (start in [day, day + 1) UTC) as `_line`/`raw` batches."""
    start_field = fields["start"]
    lower = datetime.combine(day, time.min)
    query = {start_field: {"$gte": lower, "$lt": lower + timedelta(days=1)}}
    projection = {path: 1 for path in fields.values()}
    texts: list[str] = []
    number = 1
    cursor = collection.find(query, projection=projection, batch_size=batch_size)
    for document in cursor:
        # naive datetimes from pymongo are UTC; orjson writes them as ISO 8601 text
        texts.append(orjson.dumps(document, default=_bson_value).decode())
        if len(texts) == batch_size:
            yield json_lines_from_text(texts, number)
            number += len(texts)
            texts = []
    if texts or number == 1:
        yield json_lines_from_text(texts, number)
