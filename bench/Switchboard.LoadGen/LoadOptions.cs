using System.Globalization;
using System.Net;

namespace Switchboard.LoadGen;

/// <summary>Everything a scenario run is told on the command line (<c>--name value</c>).</summary>
public sealed record LoadOptions
{
    public required string Scenario { get; init; }
    public HubKind Kind { get; init; } = HubKind.Switchboard;

    /// <summary>Base URLs of the nodes (comma-separated); connections go round-robin over them.</summary>
    public IReadOnlyList<Uri> Targets { get; init; } = [new("http://127.0.0.1:8080")];

    public int Connections { get; init; } = 1000;
    public int Concurrency { get; init; } = 200;

    /// <summary>Server processes to read RSS and CPU time from (comma-separated PIDs).</summary>
    public IReadOnlyList<int> ServerPids { get; init; } = [];

    public int Broadcasts { get; init; } = 10;
    public int Pairs { get; init; } = 1000;
    public int Rate { get; init; } = 20_000;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public int Groups { get; init; } = 10;
    public int GroupSize { get; init; } = 100;
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Put before every group name: <c>ns:</c> puts the groups in namespace <c>ns</c> (<c>group</c>, <c>presence</c>).</summary>
    public string GroupPrefix { get; init; } = "";

    /// <summary><c>presence</c>: the group every load generator's connections join (default: one named after the run id).</summary>
    public string? Group { get; init; }

    /// <summary><c>presence</c>: <c>presence_stats</c> asks per group and way (socket, HTTP), made by process 0 one at a time.</summary>
    public int Asks { get; init; }

    /// <summary><c>presence</c>: joins (each followed by a leave) per group, made by process 0 one at a time from fresh connections.</summary>
    public int Churn { get; init; }

    /// <summary><c>presence</c>: members of a second, small group that process 0 builds and probes beside the first.</summary>
    public int CompareSize { get; init; }

    /// <summary>Source addresses 127.0.0.First–127.0.0.Last, so that ephemeral ports never run out.</summary>
    public IReadOnlyList<IPAddress> SourceAddresses { get; init; } = Enumerable.Range(2, 249).Select(i => IPAddress.Parse($"127.0.0.{i}")).ToList();

    /// <summary>With several load-generator processes: this one's index, how many there are, and a folder to meet in.</summary>
    public int ProcessIndex { get; init; }
    public int Processes { get; init; } = 1;
    public string? SyncDirectory { get; init; }

    /// <summary>The node's Auth:Jwt:Secret: connections then carry an HS256 token for their user.</summary>
    public string? JwtSecret { get; init; }

    /// <summary>A prefix for user and group names, so that runs and processes do not collide.</summary>
    public string RunId { get; init; } = Guid.NewGuid().ToString("N")[..8];

    public static LoadOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
            throw new ArgumentException("usage: loadgen <density|fanout|direct|direct-max|group|presence> [--name value ...]");
        var options = new LoadOptions { Scenario = args[0] };
        for (var i = 1; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--") || i + 1 >= args.Length)
                throw new ArgumentException($"expected --name value, got \"{args[i]}\"");
            var value = args[i + 1];
            options = args[i][2..] switch
            {
                "kind" => options with { Kind = Enum.Parse<HubKind>(value, ignoreCase: true) },
                "targets" => options with { Targets = value.Split(',').Select(t => new Uri(t)).ToList() },
                "connections" => options with { Connections = Int(value) },
                "concurrency" => options with { Concurrency = Int(value) },
                "server-pids" => options with { ServerPids = value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Int).ToList() },
                "broadcasts" => options with { Broadcasts = Int(value) },
                "pairs" => options with { Pairs = Int(value) },
                "rate" => options with { Rate = Int(value) },
                "duration" => options with { Duration = TimeSpan.FromSeconds(Int(value)) },
                "groups" => options with { Groups = Int(value) },
                "group-size" => options with { GroupSize = Int(value) },
                "settle" => options with { Settle = TimeSpan.FromSeconds(Int(value)) },
                "sources" => options with { SourceAddresses = Range(value) },
                "process-index" => options with { ProcessIndex = Int(value) },
                "processes" => options with { Processes = Int(value) },
                "sync-dir" => options with { SyncDirectory = value },
                "run-id" => options with { RunId = value },
                "jwt-secret" => options with { JwtSecret = value },
                "group-prefix" => options with { GroupPrefix = value },
                "group" => options with { Group = value },
                "asks" => options with { Asks = Int(value) },
                "churn" => options with { Churn = Int(value) },
                "compare-size" => options with { CompareSize = Int(value) },
                var name => throw new ArgumentException($"unknown option --{name}"),
            };
        }
        return options;
    }

    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    /// <summary><c>2-250</c>: 127.0.0.2 to 127.0.0.250.</summary>
    private static List<IPAddress> Range(string value)
    {
        var bounds = value.Split('-').Select(Int).ToArray();
        return Enumerable.Range(bounds[0], bounds[1] - bounds[0] + 1).Select(i => IPAddress.Parse($"127.0.0.{i}")).ToList();
    }
}

public enum HubKind
{
    Switchboard,
    SignalR,

    /// <summary>bench/NodeWsBaseline: Switchboard's dialect, reported under its own name.</summary>
    NodeWs,
}
