#!/usr/bin/env python3
"""SSE fan-out latency: N subscribers on one session's seat-status stream; each round
appends one SeatStatus message to the bus log (as the order service would) and measures,
per subscriber, the time from that append to the event's arrival. The path measured is
the whole one: bus -> projector (commit + NOTIFY) -> change listener -> SeatHub -> sockets.

  sse_fanout.py <port> <session id> <subscribers> <rounds> <bus db url> <seat id>...
"""
import asyncio
import statistics
import subprocess
import sys
import time


async def subscriber(port, path, arrivals, ready, refused):
    for attempt in range(20):  # a real client honours Retry-After on 503/429
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " in head.split(b"\r\n", 1)[0]:
            break
        refused.append(head.split(b"\r\n", 1)[0].decode())
        writer.close()
        await asyncio.sleep(0.5)
    else:
        raise RuntimeError("refused 20 times: " + refused[-1])
    ready.append(1)
    buf = b""
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            return
        now = time.monotonic()
        buf += chunk
        while b"\n\n" in buf:
            frame, buf = buf.split(b"\n\n", 1)
            i = frame.find(b"\"seatIds\":[\"")
            if i >= 0:
                seat = frame[i + 12:i + 48].decode()
                arrivals.setdefault(seat, []).append(now)


async def main():
    port, session, n, rounds, bus_url = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    seats = sys.argv[6:6 + rounds]
    path = f"/api/event-query/v1/sse/sessions/{session}/seat-status"
    arrivals, ready, refused = {}, [], []
    tasks = []
    for i in range(0, n, 500):  # connect in waves so the accept queue keeps up
        tasks += [asyncio.create_task(subscriber(port, path, arrivals, ready, refused)) for _ in range(min(500, n - i))]
        while len(ready) < min(i + 500, n):
            await asyncio.sleep(0.05)
            for t in tasks:
                if t.done() and t.exception():
                    raise t.exception()
    print(f"{len(ready)} subscribers connected ({len(refused)} refusals retried)", file=sys.stderr)
    psql = subprocess.Popen(["psql", "-q", bus_url], stdin=subprocess.PIPE, text=True)
    latencies = []
    for r, seat in enumerate(seats):
        payload = ('{"type":"SeatStatus","session_id":"%s","seat_ids":["%s"],"status":"LOCKED","order_id":null,'
                   '"seq":%d,"occurredAt":"2026-11-27T00:00:00Z"}') % (session, seat, 1000 + r)
        sql = ("WITH p AS (UPDATE bus_partitions SET next_offset = next_offset + 1 WHERE topic = 'ticketly.seats.status' "
               "AND partition = 0 RETURNING next_offset - 1 AS o) INSERT INTO bus_messages (topic, partition, \"offset\", "
               f"key, payload, headers) SELECT 'ticketly.seats.status', 0, o, '{session}', '{payload}', "
               "'{\"type\":\"SeatStatus\"}' FROM p; NOTIFY ticketly_bus, 'ticketly.seats.status';\n")
        t0 = time.monotonic()
        psql.stdin.write(sql)
        psql.stdin.flush()
        deadline = t0 + 15
        while len(arrivals.get(seat, [])) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        got = arrivals.get(seat, [])
        latencies += [(t - t0) * 1000 for t in got]
        print(f"round {r}: {len(got)}/{n} delivered, first after {(min(got) - t0) * 1000 if got else -1:.1f} ms, "
              f"last after {(max(got) - t0) * 1000 if got else -1:.1f} ms", file=sys.stderr)
        await asyncio.sleep(0.3)
    psql.stdin.close()
    psql.wait()
    latencies.sort()
    q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))]
    print(f"sse_fanout subscribers={n} rounds={len(seats)} deliveries={len(latencies)} "
          f"p50={q(0.50):.1f}ms p99={q(0.99):.1f}ms max={latencies[-1]:.1f}ms mean={statistics.mean(latencies):.1f}ms")
    for t in tasks:
        t.cancel()


asyncio.run(main())
