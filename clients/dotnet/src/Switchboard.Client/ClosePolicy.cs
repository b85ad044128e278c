namespace Switchboard.Client;

/// <summary>What the client does after a connection closed, from its close code and reason (docs/protocol.md, Closing).</summary>
internal enum AfterCloseKind
{
    Stop,
    /// <summary>The node is going away: come back soon, at a random moment, so that its clients spread over the others.</summary>
    Soon,
    Backoff,
    RateLimited,
    /// <summary>A message written on the connection was too large (1009): those sends fail instead of going again.</summary>
    TooLarge,
    /// <summary>The token expired: reconnect with a new one.</summary>
    NewToken,
}

internal readonly record struct AfterClose(AfterCloseKind Kind, SwitchboardException? Error = null)
{
    public static AfterClose For(int code, string reason, bool hasTokenSource) => code switch
    {
        1001 => new(AfterCloseKind.Soon),
        1008 when reason == "kicked" || reason.StartsWith("kicked:", StringComparison.Ordinal) =>
            new(AfterCloseKind.Stop, new SwitchboardException(SwitchboardException.Codes.Kicked, $"closed by an operator ({reason})", code)),
        1008 when reason == "rate limit" => new(AfterCloseKind.RateLimited),
        1009 => new(AfterCloseKind.TooLarge),
        4401 when hasTokenSource => new(AfterCloseKind.NewToken),
        4401 => new(AfterCloseKind.Stop, new SwitchboardException(SwitchboardException.Codes.TokenExpired,
            "the token expired and there is no token source to get a new one", code)),
        _ => new(AfterCloseKind.Backoff),
    };
}
