namespace Switchboard.Client;

/// <summary>Bad input is refused before anything is sent, with an <see cref="ArgumentException"/> that names what is wrong.</summary>
internal static class Arguments
{
    public static string Name(string? name, string parameter, string what)
    {
        if (name is null) throw new ArgumentNullException(parameter, $"{what} is required");
        if (name.Length is < 1 or > 128 || name.Any(char.IsControl))
            throw new ArgumentException($"{what} must be 1 to 128 characters without control characters", parameter);
        return name;
    }

    /// <summary>Group names go on the connect URL as a comma-separated list on a reconnect, so a comma cannot be in one.</summary>
    public static string Group(string? group, string parameter = "group")
    {
        var name = Name(group, parameter, "a group name");
        if (name.Contains(','))
            throw new ArgumentException($"a group name cannot contain \",\" (it could not be rejoined on reconnect): {name}", parameter);
        return name;
    }

    public static string Type(string? type, string parameter = "type")
    {
        if (string.IsNullOrEmpty(type)) throw new ArgumentException("type must be a non-empty string", parameter);
        return type;
    }

    /// <summary>
    /// A routed message's type: never one of the service's, which its recipient would take for the service's own frame.
    /// The service refuses them too; refusing here keeps them off the wire.
    /// </summary>
    public static string RoutedType(string? type)
    {
        var checkedType = Type(type);
        if (ReservedTypes.Contains(checkedType))
            throw new ArgumentException(
                $"type \"{checkedType}\" is reserved for the service's own and control frames, as is every type beginning with " +
                $"\"{ReservedTypes.ControlPrefix}\": a message to a user or group uses another (join, leave, broadcast... have their own methods)",
                "type");
        return checkedType;
    }

    public static string Token(string? token)
    {
        if (string.IsNullOrEmpty(token)) throw new ArgumentException("the token source must return a non-empty token");
        return token;
    }

    public static TimeSpan Positive(TimeSpan value, string what)
    {
        if (value <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(what, value, $"{what} must be above zero");
        return value;
    }
}
