#!/usr/bin/env python3
"""Prints interleaved benchmark runs (JSON lines, one or more files) as a Markdown table: the median of each setting's
runs, per figure, and the first setting's ratio to the last. The runs name their setting in the field given first:
  bench/settings-table.py metrics bench/results/metrics-*.jsonl     (bench/metrics.sh: on, unscraped, off)
  bench/settings-table.py history bench/results/history-*.jsonl     (bench/history.sh: memory, redis, off)
  bench/settings-table.py presence bench/results/presence-*.jsonl   (bench/presence.sh part 1: events, on, off)
  bench/settings-table.py hooks bench/results/hooks-*.jsonl         (bench/hooks.sh: on, off)"""
import json, statistics, sys
FIGURES = [
    ("density", "connects_per_s", "connects/s"),
    ("density", "server_cpu_s_per_1000_connects", "server CPU s per 1,000 connects"),
    ("presence", "joins_per_s", "joins/s (one group, 200 in flight)"),
    ("presence", "join_latency.p50_ms", "join latency p50 (ms)"),
    ("presence", "join_latency.p99_ms", "join latency p99 (ms)"),
    ("presence", "server_cpu_ms_per_1000_joins", "server CPU ms per 1,000 joins"),
    ("presence", "join_failures", "join failures"),
    ("presence", "presence_events_received", "presence events the members got"),
    ("presence", "coalesced_stats_received", "coalesced presence_stats the members got"),
    ("fanout", "deliveries_per_s", "broadcast deliveries/s"),
    ("fanout", "completion.p50_ms", "broadcast completion p50 (ms)"),
    ("fanout", "completion.p99_ms", "broadcast completion p99 (ms)"),
    ("fanout", "server_cpu_ms_per_1000_deliveries", "server CPU ms per 1,000 deliveries"),
    ("fanout", "lost", "broadcast deliveries lost"),
    ("direct", "achieved_rate", "direct msgs/s sent"),
    ("direct", "latency.p50_ms", "direct latency p50 (ms)"),
    ("direct", "latency.p99_ms", "direct latency p99 (ms)"),
    ("direct", "latency.p999_ms", "direct latency p99.9 (ms)"),
    ("direct", "lost", "direct messages lost"),
    ("group", "deliveries_per_s", "group deliveries/s"),
    ("group", "latency.p50_ms", "group latency p50 (ms)"),
    ("group", "latency.p99_ms", "group latency p99 (ms)"),
    ("group", "server_cpu_ms_per_1000_deliveries", "group server CPU ms per 1,000 deliveries"),
    ("group", "lost", "group deliveries lost"),
]
key, paths = sys.argv[1], sys.argv[2:]
runs = [json.loads(line) for path in paths for line in open(path) if line.strip()]
def figure(run, path):
    for part in path.split("."):
        run = run.get(part) if isinstance(run, dict) else None
    return run
settings = list(dict.fromkeys(r[key] for r in runs))
print(f"| figure | " + " | ".join(f"{key} {s} (median; runs)" for s in settings) + f" | {settings[0]}/{settings[-1]} |")
print("|---|" + "---|" * len(settings) + "---:|")
show = lambda m, vs: "–" if m is None else f"{m:,.2f} ({', '.join(f'{v:,.1f}' for v in vs)})"
for scenario, path, label in FIGURES:
    if not any(r["scenario"] == scenario for r in runs):
        continue
    cells = {}
    for setting in settings:
        values = [figure(r, path) for r in runs if r["scenario"] == scenario and r[key] == setting]
        values = [v for v in values if isinstance(v, (int, float))]
        cells[setting] = (statistics.median(values), values) if values else (None, [])
    first, last = cells[settings[0]][0], cells[settings[-1]][0]
    ratio = f"{first / last:.2f}×" if first is not None and last else "–"
    print(f"| {label} | " + " | ".join(show(*cells[s]) for s in settings) + f" | {ratio} |")
