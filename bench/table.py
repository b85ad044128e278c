#!/usr/bin/env python3
"""Prints the load generator's results (JSON lines) as a Markdown table: Switchboard, the baselines, and Switchboard's ratio to each."""
import json
import sys

# (kind in the results, column heading), Switchboard first: the ratios are its figure over each baseline's.
HUBS = [("switchboard", "Switchboard"), ("before", "Switchboard before"), ("signalr", "SignalR"), ("nodews", "Node ws")]

# (scenario, figure path, label, which way is better)
FIGURES = [
    ("density", "connects_per_s", "connects/s", "higher"),
    ("density", "kb_per_connection", "server KB per idle connection", "lower"),
    ("density", "server_cpu_s_per_1000_connects", "server CPU s per 1,000 connects", "lower"),
    ("density", "connect_failures", "connect failures", "lower"),
    ("fanout", "deliveries_per_s", "broadcast deliveries/s", "higher"),
    ("fanout", "completion.p50_ms", "broadcast completion p50 (ms)", "lower"),
    ("fanout", "completion.p99_ms", "broadcast completion p99 (ms)", "lower"),
    ("fanout", "server_cpu_ms_per_1000_deliveries", "server CPU ms per 1,000 deliveries", "lower"),
    ("fanout", "lost", "broadcast deliveries lost", "lower"),
    ("direct", "achieved_rate", "direct msgs/s sent", "higher"),
    ("direct", "lost", "direct messages lost", "lower"),
    ("direct", "latency.p50_ms", "direct latency p50 (ms)", "lower"),
    ("direct", "latency.p99_ms", "direct latency p99 (ms)", "lower"),
    ("direct", "latency.p999_ms", "direct latency p99.9 (ms)", "lower"),
    ("direct", "server_cpu_ms_per_1000_messages", "server CPU ms per 1,000 direct messages", "lower"),
    ("direct-max", "max_sustained_rate", "max direct msgs/s with p99 < 50 ms, no loss", "higher"),
    ("group", "deliveries_per_s", "group deliveries/s", "higher"),
    ("group", "lost", "group deliveries lost", "lower"),
    ("group", "latency.p99_ms", "group latency p99 (ms)", "lower"),
]


def figure(result, path):
    value = result
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def main(path):
    results = {}
    with open(path) as lines:
        for line in lines:
            if line.strip():
                result = json.loads(line)
                results[(result["scenario"], result["kind"])] = result
    kinds = {kind for _, kind in results}
    hubs = [hub for hub in HUBS if hub[0] in kinds or hub[0] == "switchboard"]
    baselines = hubs[1:]
    print("| figure | " + " | ".join(name for _, name in hubs) + " | " + " | ".join(f"vs {name}" for _, name in baselines) + " | better |")
    print("|---|" + "---:|" * (len(hubs) + len(baselines)) + "---|")
    for scenario, path_, label, better in FIGURES:
        values = [figure(results.get((scenario, kind), {}), path_) for kind, _ in hubs]
        if all(value is None for value in values):
            continue
        ratios = [ratio(values[0], theirs) for theirs in values[1:]]
        print(f"| {label} | " + " | ".join(fmt(value) for value in values) + " | " + " | ".join(ratios) + f" | {better} |")


def ratio(ours, theirs):
    numbers = isinstance(ours, (int, float)) and isinstance(theirs, (int, float))
    return f"{ours / theirs:.2f}×" if numbers and theirs else "–"


def fmt(value):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


if __name__ == "__main__":
    main(sys.argv[1])
