"""A hand-made viewing dataset whose marts are computed by hand in test_viewing.py.

Client 1 has channels 1-4 (4 is never watched); client 2 has channel 5. Accounts 10 and 11 are active,
12 is not. Devices: A, B. Tariffs: account 10 -> [1], 11 -> [2], 12 -> [1].
"""

import json
from datetime import date
from pathlib import Path

DAY1, DAY2 = date(2025, 6, 1), date(2025, 6, 2)

# (_id, account, device, content, channel or title, start, end)
SESSIONS = [
    ("s1", 10, "A", "channel", 1, "2025-06-01T10:00:00Z", "2025-06-01T10:30:00Z"),  # 1800 s
    ("s2", 11, "B", "channel", 1, "2025-06-01T10:10:30Z", "2025-06-01T10:20:00Z"),  # 570 s
    ("s3", 10, "B", "catchup", 2, "2025-06-01T10:15:00Z", "2025-06-01T10:36:40Z"),  # 1300 s, account 10 twice online
    ("s6", 10, "A", "vod", 7, "2025-06-01T20:00:00Z", "2025-06-01T21:00:00Z"),  # 3600 s, a film
    ("s4", 12, "A", "channel", 3, "2025-06-01T23:55:00Z", "2025-06-02T00:10:00Z"),  # 300 s + 600 s across midnight
    ("s5", 11, "A", "channel", 2, "2025-06-02T09:00:00Z", "2025-06-02T09:20:50Z"),  # 1250 s
    ("s7", 11, "A", "channel", 2, "2025-06-02T10:00:00Z", "2025-06-02T10:01:00Z"),  # 60 s
]
TARIFFS = {10: [1], 11: [2], 12: [1]}


def session_document(oid, account, device, content, target, start, end) -> dict:
    doc = {
        "_id": {"$oid": oid.ljust(24, "0")},
        "client_id": 1,
        "account_id": account,
        "device": device,
        "tariffs": TARIFFS[account],
        "content_type": content,
        "start": {"$date": start},
        "end": {"$date": end},
    }
    if content == "vod":
        doc.update(title_id=target, season=1, episode=1)
    else:
        doc["channel_id"] = target
    return doc


def write_landing(landing: Path) -> None:
    for day in (DAY1, DAY2):
        lines = [json.dumps(session_document(*s)) for s in SESSIONS if s[5].startswith(day.isoformat())]
        path = landing / "viewing" / "sessions" / f"{day}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
    (landing / "billing").mkdir(parents=True, exist_ok=True)
    (landing / "billing" / "accounts.csv").write_text(
        "account_id,client_id,tariff_id,region,is_active,created_at\n"
        "10,1,1,Москва,true,2025-01-01 00:00:00\n"
        "11,1,2,Москва,true,2025-01-01 00:00:00\n"
        "12,1,1,Москва,false,2025-01-01 00:00:00\n"
        "20,2,4,Москва,true,2025-01-01 00:00:00\n"
    )
    (landing / "content").mkdir(parents=True, exist_ok=True)
    (landing / "content" / "channels.csv").write_text(
        "channel_id,client_id,name\n1,1,Первый\n2,1,Второй\n3,1,Третий\n4,1,Четвёртый\n5,2,Пятый\n"
    )
