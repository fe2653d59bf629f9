#!/usr/bin/env python3
"""Server-side latency of one scenario, split by answer: reads the access log lines a wrk
run produced (stdin; one JSON object per request, see src/platform/http/pipeline.cpp) and
prints a markdown row per group with p50/p95/p99 of `duration_us`.

wrk reports one latency distribution for every answer; the issue asks for winners and
losers apart, which only the server can tell. These figures run from the request read to
the response handed to the socket: they leave out time queued in the kernel and in wrk.

    latency_split.py NAME < access-log-lines
"""
import json
import sys

GROUPS = [  # (label, route, method, statuses)
    ("hold won (201)", "/api/order", "POST", {201}),
    ("hold lost (409)", "/api/order", "POST", {409}),
    ("payment completed (200)", "/api/order/{id:uuid}/dev/payment", "POST", {200}),
]


def pct(sorted_values, p):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[i]


def ms(us):
    return "–" if us is None else f"{us / 1000:.2f}ms"


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "?"
    found = {g[0]: [] for g in GROUPS}
    for line in sys.stdin:
        if '"logger":"access"' not in line:
            continue
        try:
            e = json.loads(line)
        except ValueError:
            continue
        for label, route, method, statuses in GROUPS:
            if e.get("route") == route and e.get("method") == method and e.get("status") in statuses:
                found[label].append(e.get("duration_us", 0))
    for label, values in found.items():
        if not values:
            continue
        values.sort()
        print(f"| {name} | {label} | {len(values)} | {ms(pct(values, 50))} | {ms(pct(values, 95))} | "
              f"{ms(pct(values, 99))} |")


if __name__ == "__main__":
    main()
