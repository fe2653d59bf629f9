#!/usr/bin/env python3
"""Seed data for the event-query benchmarks, as SQL that appends bus messages to the
PostgreSQL log (the same messages event-command and order would publish; docs/EVENTS.md).

  seed.py ids.json | psql <bus database>

Writes: one event with a 10,000-seat session (100 rows x 100 seats) and N_EVENTS
searchable events spread over Sri Lankan cities, dates and prices. Prints the ids the
wrk scripts need to `ids.json` (argv[1]).
"""
import json
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone

random.seed(42)
N_EVENTS = 300
NOW = datetime.now(timezone.utc)
CITIES = [("Colombo", 6.9271, 79.8612), ("Kandy", 7.2906, 80.6337), ("Galle", 6.0535, 80.2210),
          ("Jaffna", 9.6615, 80.0255), ("Negombo", 7.2008, 79.8737), ("Trincomalee", 8.5874, 81.2152)]
WORDS = ["jazz", "rock", "symphony", "comedy", "theatre", "festival", "cricket", "food", "dance", "poetry",
         "blues", "opera", "film", "art", "music", "night", "summer", "harbour", "live", "acoustic"]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def seat_rows(rows, per_row, tiers):
    out = []
    for r in range(rows):
        label = chr(ord("A") + r % 26) + (str(r // 26) if r >= 26 else "")
        seats = [{"id": str(uuid.uuid4()), "label": f"{c + 1}{label}", "tierId": tiers[r % len(tiers)],
                  "status": "AVAILABLE"} for c in range(per_row)]
        out.append({"id": str(uuid.uuid4()), "label": label, "seats": seats})
    return out


def event(title, description, category, sessions_spec):
    eid = str(uuid.uuid4())
    tiers = [{"id": str(uuid.uuid4()), "name": n, "color": c, "price": p}
             for n, c, p in (("VIP", "#FFD700", random.choice([5000, 7500, 12000])),
                             ("Regular", "#3366FF", random.choice([500, 1500, 2500.5])))]
    sessions = []
    for start, city, rows, per_row in sessions_spec:
        name, lat, lng = city
        sessions.append({
            "id": str(uuid.uuid4()), "startTime": iso(start), "endTime": iso(start + timedelta(hours=3)),
            "salesStartTime": iso(NOW - timedelta(days=1)), "sessionType": "PHYSICAL", "status": "ON_SALE",
            "venueDetails": {"name": f"{name} Hall", "address": f"1 Main Street, {name}",
                             "latitude": lat + random.uniform(-0.05, 0.05),
                             "longitude": lng + random.uniform(-0.05, 0.05), "onlineLink": None},
            "layoutData": {"name": "Main Hall", "layout": {"blocks": [
                {"id": str(uuid.uuid4()), "name": "Stage", "type": "non_sellable", "position": {"x": 25, "y": 25},
                 "width": 674, "height": 90},
                {"id": str(uuid.uuid4()), "name": "Orchestra", "type": "seated_grid", "position": {"x": 25, "y": 140},
                 "rows": seat_rows(rows, per_row, [t["id"] for t in tiers])}]}}})
    snap = {"type": "EventSnapshot", "version": 1, "occurredAt": iso(NOW), "event": {
        "id": eid, "title": title, "description": description, "overview": "<p>Benchmark</p>",
        "status": "APPROVED", "rejectionReason": None, "ownerId": str(uuid.uuid4()),
        "organization": {"id": str(uuid.uuid4()), "name": "Bench Org", "logoUrl": None},
        "category": category, "coverPhotos": [f"http://localhost:8088/uploads/{uuid.uuid4()}.jpg"],
        "createdAt": iso(NOW - timedelta(days=3)), "updatedAt": iso(NOW), "tiers": tiers,
        "sessions": sessions, "discounts": []}}
    return eid, snap


def append(topic, key, payload):
    body = json.dumps(payload, separators=(",", ":"))
    return (f"WITH p AS (UPDATE bus_partitions SET next_offset = next_offset + 1 WHERE topic = '{topic}' "
            f"AND partition = 0 RETURNING next_offset - 1 AS o) INSERT INTO bus_messages "
            f"(topic, partition, \"offset\", key, payload, headers) SELECT '{topic}', 0, o, '{key}', "
            f"$bench${body}$bench$, '{{\"type\":\"{payload['type']}\"}}' FROM p;\n")


def main():
    category = {"id": str(uuid.uuid4()), "name": "Music", "parentId": None, "parentName": None}
    sql = ["BEGIN;\n"]
    big_id, big = event("Grand Symphony Benchmark", "The 10,000-seat hall.", category,
                        [(NOW + timedelta(days=30), CITIES[0], 100, 100)])
    sql.append(append("ticketly.catalog.events", big_id, big))
    for i in range(N_EVENTS):
        words = random.sample(WORDS, 4)
        eid, snap = event(" ".join(w.capitalize() for w in words[:2]) + f" {i}", " ".join(words) + " evening.",
                          category,
                          [(NOW + timedelta(days=random.randint(1, 120)), random.choice(CITIES), 5, 10)
                           for _ in range(random.randint(1, 3))])
        sql.append(append("ticketly.catalog.events", eid, snap))
    sql.append("COMMIT;\nNOTIFY ticketly_bus, 'ticketly.catalog.events';\n")
    sys.stdout.write("".join(sql))
    ids = {"event": big_id, "session": big["event"]["sessions"][0]["id"],
           "seats": [s["id"] for s in big["event"]["sessions"][0]["layoutData"]["layout"]["blocks"][1]["rows"][0]["seats"]]}
    with open(sys.argv[1], "w") as f:
        json.dump(ids, f)


if __name__ == "__main__":
    main()
