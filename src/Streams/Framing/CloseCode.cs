namespace Switchboard.Streams.Framing;

/// <summary>The close codes this service sends (RFC 6455 §7.4.1 and PROTOCOL.md).</summary>
public static class CloseCode
{
    public const ushort Normal = 1000;
    public const ushort GoingAway = 1001;
    public const ushort ProtocolError = 1002;
    public const ushort InvalidPayload = 1007;
    public const ushort PolicyViolation = 1008;
    public const ushort MessageTooBig = 1009;
    public const ushort InternalError = 1011;
    public const ushort TryAgainLater = 1013;

    /// <summary>The application ended the session: its refresh hook answered <c>allow:false</c>, or the session it granted ran out with no refresh hook to extend it.</summary>
    public const ushort SessionEnded = 4403;

    /// <summary>The application's refresh hook could not be reached until the session ran out (<c>OnFailure=deny</c>): reconnect later.</summary>
    public const ushort SessionUnconfirmed = 4503;

    /// <summary>Codes a peer may legitimately put in a close frame (§7.4.1, §7.4.2).</summary>
    public static bool IsValidOnTheWire(ushort code) =>
        code is >= 1000 and <= 1003 or >= 1007 and <= 1014 or >= 3000 and <= 4999;
}
