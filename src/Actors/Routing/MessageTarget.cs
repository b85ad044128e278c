using Switchboard.Streams.Json;

namespace Switchboard.Actors.Routing;

/// <summary>
/// Where a routed message goes (PROTOCOL.md "Client → server types"): exactly one of a user (<c>to</c>) and a group,
/// named by the rules of <see cref="Names"/>. One rule for the socket and the HTTP API, so their answers cannot drift.
/// </summary>
public static class MessageTarget
{
    private const string OneTarget = "a message needs exactly one of \"to\" (a user id) and \"group\"";

    private static readonly FrameError NoTarget = new("missing_field", OneTarget);
    private static readonly FrameError TwoTargets = new("invalid_field", OneTarget);

    /// <summary>Why a message for <paramref name="to"/> or <paramref name="group"/> cannot be routed, or null when it can.</summary>
    public static FrameError? Check(string? to, string? group) => (to, group) switch
    {
        (null, null) => NoTarget,
        (not null, not null) => TwoTargets,
        (not null, null) => Names.Check(to, NameKind.UserId),
        _ => Names.Check(group, NameKind.Group),
    };
}
