using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.LoadGen;

/// <summary>A scenario's figures: one JSON line (for scripts to combine) and a readable summary.</summary>
public sealed class Report(string scenario, LoadOptions options)
{
    private readonly JsonObject _figures = new()
    {
        ["scenario"] = scenario,
        ["kind"] = options.Kind.ToString().ToLowerInvariant(),
        ["process"] = options.ProcessIndex,
    };

    public Report Add(string name, JsonNode? value)
    {
        _figures[name] = value;
        return this;
    }

    public Report Add(string name, LatencySummary latency) => Add(name, new JsonObject
    {
        ["p50_ms"] = latency.P50, ["p99_ms"] = latency.P99, ["p999_ms"] = latency.P999, ["max_ms"] = latency.Max,
    });

    public void Print()
    {
        Console.WriteLine("RESULT " + _figures.ToJsonString());
        foreach (var (name, value) in _figures)
            Console.Error.WriteLine($"  {name,-28} {(value is JsonObject ? value.ToJsonString() : value?.ToString())}");
    }

    public static double Round(double value) => Math.Round(value, 2);
}
