namespace Switchboard.Actors.Routing;

/// <summary>What a user id or a group name may be: 1 to 128 characters, none of them a control character.</summary>
public static class Names
{
    public const int MaxLength = 128;

    /// <summary>The sender of the HTTP API's messages (PROTOCOL.md "Reserved types"): no connection may take it.</summary>
    public const string ServerUser = "server";

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && !name.Any(char.IsControl);

    /// <summary>Whether a connection may be this user: a valid name that is not the API's <see cref="ServerUser"/>.</summary>
    public static bool IsConnectableUser(string? userId) => IsValid(userId) && userId != ServerUser;
}
