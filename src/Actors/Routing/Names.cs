using Switchboard.Streams.Json;

namespace Switchboard.Actors.Routing;

/// <summary>The kinds of name a caller gives; each has its own error code, so a client can tell which name was wrong.</summary>
public enum NameKind
{
    /// <summary><c>to</c>, <c>user_id</c>, <c>X-User-ID</c>, a body's <c>from</c>, a path's user: <c>invalid_user_id</c>.</summary>
    UserId,

    /// <summary><c>group</c>, <c>groups=</c>, a path's group: <c>invalid_group</c>.</summary>
    Group,

    /// <summary>An operator's <c>connection_id</c>: not a name clients choose, so <c>invalid_field</c>.</summary>
    ConnectionId,
}

/// <summary>
/// What a user id or a group name may be: 1 to 128 characters, none of them a control character. The one place that
/// says so: the socket, the HTTP API, the admin API and the upgrade all answer with <see cref="Check"/>'s errors.
/// </summary>
public static class Names
{
    private const int MaxLength = 128;

    /// <summary>The sender of the HTTP API's messages (PROTOCOL.md "Reserved types"): no connection may take it.</summary>
    public const string ServerUser = "server";

    // Before the errors that quote it: static fields are set in the order they are written.
    private static readonly string Rule = $"1 to {MaxLength} characters with no control characters";

    private static readonly FrameError InvalidUserId = new("invalid_user_id", $"a user id is {Rule}");
    private static readonly FrameError InvalidGroup = new("invalid_group", $"a group name is {Rule}");
    private static readonly FrameError InvalidConnectionId = new("invalid_field", $"a connection id is {Rule}");

    // A connection as "server" could pass for the API's messages.
    private static readonly FrameError ReservedUser =
        new("invalid_user_id", $"the user id \"{ServerUser}\" is reserved for the HTTP API's messages");

    /// <summary>Why <paramref name="value"/> is not a <paramref name="kind"/>, or null when it is one.</summary>
    public static FrameError? Check(string? value, NameKind kind) => IsValid(value)
        ? null
        : kind switch
        {
            NameKind.UserId => InvalidUserId,
            NameKind.Group => InvalidGroup,
            _ => InvalidConnectionId,
        };

    /// <summary>Why a connection may not be <paramref name="userId"/>: not a user id, or the API's <see cref="ServerUser"/>; null when it may.</summary>
    public static FrameError? CheckConnectable(string? userId) =>
        Check(userId, NameKind.UserId) ?? (userId == ServerUser ? ReservedUser : null);

    /// <summary>Whether a connection may be this user: a valid name that is not the API's <see cref="ServerUser"/>.</summary>
    public static bool IsConnectableUser(string? userId) => CheckConnectable(userId) is null;

    private static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && !name.Any(char.IsControl);
}
