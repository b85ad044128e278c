#!/usr/bin/env python3
"""Prints bench/metrics.sh results (JSON lines, one or more files) as a Markdown table: the median of each setting's runs."""
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
SETTINGS = [s for s in ("on", "unscraped", "off") if any(r["metrics"] == s for r in runs)]
NAMES = {"on": "on, scraped every s", "unscraped": "on, not scraped", "off": "off"}
print("| figure | " + " | ".join(f"metrics {NAMES[s]} (median; runs)" for s in SETTINGS) + " | on/off |")
print("|---|" + "---|" * len(SETTINGS) + "---:|")
show = lambda m, vs: "–" if m is None else f"{m:,.2f} ({', '.join(f'{v:,.1f}' for v in vs)})"
for scenario, path, label in FIGURES:
    cells = {}
    for setting in SETTINGS:
        values = [figure(r, path) for r in runs if r["scenario"] == scenario and r["metrics"] == setting]
        values = [v for v in values if isinstance(v, (int, float))]
        cells[setting] = (statistics.median(values), values) if values else (None, [])
    on, off = cells.get("on", (None,))[0], cells.get("off", (None,))[0]
    ratio = f"{on / off:.2f}×" if on is not None and off else "–"
    print(f"| {label} | " + " | ".join(show(*cells[s]) for s in SETTINGS) + f" | {ratio} |")
