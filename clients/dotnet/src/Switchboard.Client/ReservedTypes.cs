namespace Switchboard.Client;

/// <summary>
/// The frame types the service interprets or sends (PROTOCOL.md "Reserved types"): a copy of the service's
/// <c>src/Streams/Json/ReservedTypes.cs</c>, kept exactly like it (a test compares the two). No routed message may carry
/// one, so that no sender can make a recipient see a frame that looks like the service's own.
/// </summary>
internal static class ReservedTypes
{
    public static readonly IReadOnlyList<string> Names =
    [
        // client → server
        "join", "leave", "ping", "broadcast", "refresh", "received", "presence", "presence_stats", "rpc",
        // server → client
        "welcome", "pong", "ack", "error", "token_expiring", "resumed", "stream_reset", "receipt",
        "presence_join", "presence_leave", "presence_reset", "rpc_result",
    ];

    /// <summary>The prefix of every type kept for the service's future control frames.</summary>
    public const char ControlPrefix = '$';

    private static readonly HashSet<string> Set = new(Names, StringComparer.Ordinal);

    public static bool Contains(string type) => type.StartsWith(ControlPrefix) || Set.Contains(type);

    /// <summary>
    /// A routed message dressed as one of the service's frames: the service's own frames never carry <c>from</c> and
    /// routed ones always do, so a reserved type with <c>from</c> was routed (another client's forgery, or a message
    /// kept in history from before the service refused them). <c>broadcast</c> is the one reserved type routed
    /// messages rightly carry.
    /// </summary>
    public static bool PosesAsServiceFrame(string type, bool hasFrom) => hasFrom && type != "broadcast" && Contains(type);
}
