#!/usr/bin/env python3
"""Prints bench/metrics.sh results (JSON lines, one or more files) as a Markdown table: medians with metrics on and off."""
import json, statistics, sys
FIGURES = [
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
]
runs = [json.loads(line) for path in sys.argv[1:] for line in open(path) if line.strip()]
def figure(run, path):
    for part in path.split("."):
        run = run.get(part) if isinstance(run, dict) else None
    return run
print("| figure | metrics on (median; runs) | metrics off (median; runs) | on/off |")
print("|---|---|---|---:|")
for scenario, path, label in FIGURES:
    cells = {}
    for setting in ("on", "off"):
        values = [figure(r, path) for r in runs if r["scenario"] == scenario and r["metrics"] == setting]
        values = [v for v in values if isinstance(v, (int, float))]
        cells[setting] = (statistics.median(values), values) if values else (None, [])
    (on, on_all), (off, off_all) = cells["on"], cells["off"]
    ratio = f"{on / off:.2f}×" if on is not None and off else "–"
    show = lambda m, vs: "–" if m is None else f"{m:,.2f} ({', '.join(f'{v:,.1f}' for v in vs)})"
    print(f"| {label} | {show(on, on_all)} | {show(off, off_all)} | {ratio} |")
