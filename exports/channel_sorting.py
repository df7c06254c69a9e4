"""Channel popularity sortings from the mart, for the middleware (MongoDB) and as a file export."""

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from pymongo.collection import Collection

from warehouse.connection import WarehouseConnection

SORTING_QUERY = """
SELECT client_id, criterion, groupArray(channel_id) AS channel_ids, any(as_of) AS as_of,
       any(days_number) AS days_number, any(devices) AS devices, any(tariffs) AS tariffs,
       any(accounts_active) AS accounts_active
FROM (SELECT * FROM marts.mart_viewing_channel_sorting ORDER BY client_id, criterion, rank)
GROUP BY client_id, criterion
ORDER BY client_id, criterion
"""


def sorting_documents(conn: WarehouseConnection) -> list[dict[str, Any]]:
    """One document per client and criterion: the ordered channel ids and the parameters used."""
    rows: pa.Table = conn.query_arrow(SORTING_QUERY)
    created_at = datetime.now(UTC).replace(microsecond=0)
    return [
        {
            "client_id": row["client_id"],
            "criterion": row["criterion"],
            "channel_ids": row["channel_ids"],
            "parameters": {
                "days_number": row["days_number"],
                "as_of": row["as_of"].isoformat(),
                "devices": row["devices"],
                "tariffs": row["tariffs"],
                "accounts_active": bool(row["accounts_active"]),
            },
            "created_at": created_at,
        }
        for row in rows.to_pylist()
    ]


def upsert_sortings(collection: Collection, documents: list[dict[str, Any]]) -> int:
    """Replace each (client_id, criterion) document, inserting it the first time; return how many were written."""
    for document in documents:
        collection.replace_one(
            {"client_id": document["client_id"], "criterion": document["criterion"]}, document, upsert=True
        )
    return len(documents)
