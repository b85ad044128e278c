namespace Switchboard.Actors.Routing;

/// <summary>What a user id or a group name may be: 1 to 128 characters, none of them a control character.</summary>
public static class Names
{
    public const int MaxLength = 128;

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && !name.Any(char.IsControl);
}
