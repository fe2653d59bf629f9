#!/usr/bin/env python3
"""Seeds a running all-in-one `ticketly serve` for the order benchmarks.

  seed.py BASE_URL BUS_DB_URL ORDER_DB_URL OUT_DIR USERS

* users: created through the development identity provider's admin API (service client
  event-command-service, secret from $TICKETLY_IDP_SECRET_EVENT_COMMAND_SERVICE), each
  logged in with the password grant -> OUT_DIR/tokens.txt ("<user id> <token>" a line).
* catalog: four approved events, published on the bus exactly as event-command does
  (docs/EVENTS.md: an EventSnapshot on ticketly.catalog.events, appended with the
  PgLogBus's bus_append()): "race" and "race_warm" with 16 seats each, "stress" with 10,000
  seats and "booking" with 60,000 seats -> OUT_DIR/<name>.json ({event_id, session_id, organization_id, seats}).
Waits until the order service has applied all four.
"""
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid

base, bus_db, order_db, out_dir, users = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
realm = base + "/realms/event-ticketing"


def post(url, data, headers=None, form=False):
    body = urllib.parse.urlencode(data).encode() if form else json.dumps(data).encode()
    h = {"Content-Type": "application/x-www-form-urlencoded" if form else "application/json"}
    h.update(headers or {})
    req = urllib.request.Request(url, data=body, headers=h, method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.headers, r.read()


def token(grant):
    _, _, body = post(realm + "/protocol/openid-connect/token", grant, form=True)
    return json.loads(body)["access_token"]


service = token({"grant_type": "client_credentials", "client_id": "event-command-service",
                 "client_secret": os.environ["TICKETLY_IDP_SECRET_EVENT_COMMAND_SERVICE"]})
tokens, owner_id = [], None
for i in range(users):
    email = f"bench-{i}-{uuid.uuid4().hex[:6]}@example.com"
    status, headers, _ = post(base + "/admin/realms/event-ticketing/users",
                              {"username": email, "email": email, "firstName": "Bench", "lastName": str(i),
                               "enabled": True,
                               "credentials": [{"type": "password", "value": "Bench-pass-1", "temporary": False}]},
                              {"Authorization": "Bearer " + service})
    user_id = headers["Location"].rsplit("/", 1)[1]
    owner_id = owner_id or user_id
    tokens.append(user_id + " " + token({"grant_type": "password", "client_id": "login-testing", "username": email,
                                         "password": "Bench-pass-1"}))
with open(os.path.join(out_dir, "tokens.txt"), "w") as f:
    f.write("\n".join(tokens) + "\n")


def event(name, seats):
    e = {"id": str(uuid.uuid4()), "session_id": str(uuid.uuid4()), "organization_id": str(uuid.uuid4()),
         "tier": str(uuid.uuid4()), "seats": [str(uuid.uuid4()) for _ in range(seats)]}
    grid = [{"id": s, "label": f"{i + 1}A", "tierId": e["tier"], "status": "AVAILABLE"} for i, s in enumerate(e["seats"])]
    snapshot = {"type": "EventSnapshot", "version": 1, "occurredAt": "2026-11-27T00:00:00Z", "event": {
        "id": e["id"], "title": "Bench " + name, "description": "", "overview": "", "status": "APPROVED",
        "rejectionReason": None, "ownerId": owner_id,
        "organization": {"id": e["organization_id"], "name": "Bench", "logoUrl": None},
        "category": {"id": str(uuid.uuid4()), "name": "Bench", "parentId": None, "parentName": None},
        "coverPhotos": [], "createdAt": "2026-11-27T00:00:00Z", "updatedAt": "2026-11-27T00:00:00Z",
        "tiers": [{"id": e["tier"], "name": "Standard", "color": "#336699", "price": 1500.00}],
        "sessions": [{"id": e["session_id"], "startTime": "2030-01-01T18:00:00Z", "endTime": "2030-01-01T22:00:00Z",
                      "salesStartTime": "2020-01-01T00:00:00Z", "sessionType": "PHYSICAL", "status": "ON_SALE",
                      "venueDetails": {"name": "Hall"},
                      "layoutData": {"name": "Hall", "layout": {"blocks": [
                          {"id": "b1", "name": "Floor", "type": "seated_grid", "position": {"x": 25, "y": 25},
                           "rows": [{"id": "r1", "label": "A", "seats": grid}]}]}}}],
        "discounts": []}}
    payload = json.dumps(snapshot)
    # Through stdin, dollar-quoted: the snapshot is megabytes, beyond an argument's limit.
    sql = ("SELECT bus_append(ARRAY['ticketly.catalog.events'], ARRAY[0], ARRAY['%s'], ARRAY[$snap$%s$snap$], "
           "ARRAY['{\"type\":\"EventSnapshot\"}'::jsonb]);" % (e["id"], payload))
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", bus_db], input=sql, text=True, check=True,
                   capture_output=True)
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump({k: e[k] for k in ("id", "session_id", "organization_id", "seats")}, f)
    return e


events = [event("race", 16), event("race_warm", 16), event("stress", 10000), event("booking", 60000)]
deadline = time.time() + 120
for e in events:
    while True:
        out = subprocess.run(["psql", "-tA", order_db, "-c",
                              f"SELECT count(*) FROM seats WHERE session_id = '{e['session_id']}'"],
                             capture_output=True, text=True).stdout.strip()
        if out == str(len(e["seats"])):
            break
        if time.time() > deadline:
            sys.exit(f"the order service did not apply event {e['id']} (seats: {out!r})")
        time.sleep(0.5)
print(f"seeded {users} users and {len(events)} events")
