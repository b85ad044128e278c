using System.Collections.Frozen;

namespace Switchboard.Streams.Json;

/// <summary>
/// The frame types the service interprets or sends (PROTOCOL.md "Reserved types"): no routed message may carry one, so
/// that no sender can make a recipient see a frame that looks like the service's own. One list for every routing path;
/// the clients mirror it in <c>clients/js/src/reserved.ts</c> and <c>clients/dotnet/src/Switchboard.Client/ReservedTypes.cs</c>.
/// </summary>
public static class ReservedTypes
{
    /// <summary>Every type of the contract's client → server and server → client tables and of presence and rpc.</summary>
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        // client → server
        "join", "leave", "ping", "broadcast", "refresh", "received", "presence", "presence_stats", "rpc",
        // server → client
        "welcome", "pong", "ack", "error", "token_expiring", "resumed", "stream_reset", "receipt",
        "presence_join", "presence_leave", "presence_reset", "rpc_result",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The prefix of every type kept for the service's future control frames.</summary>
    public const char ControlPrefix = '$';

    /// <summary>Whether <paramref name="type"/>, as decoded from JSON, is the service's: compared exactly and case-sensitively.</summary>
    public static bool Contains(string type) => type.StartsWith(ControlPrefix) || Names.Contains(type);

    public static readonly FrameError Refusal = new("reserved_type",
        $"this type is reserved for the service's own frames; routed messages use another (not one beginning with \"{ControlPrefix}\")");
}
