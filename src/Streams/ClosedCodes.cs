using Switchboard.Streams.Framing;

namespace Switchboard.Streams;

/// <summary>
/// The close codes finished connections are counted by: a fixed list, so that a metric labelled by code stays bounded
/// although a peer may close with any of two thousand codes, which this node echoes.
/// </summary>
public static class ClosedCodes
{
    /// <summary>RFC 6455's code for a connection that ended without a close frame (the socket was lost or aborted).</summary>
    public const ushort Abnormal = 1006;

    /// <summary>The label of every code not in <see cref="Labels"/>.</summary>
    public const string Other = "other";

    private static readonly ushort[] Codes =
    [
        CloseCode.Normal, CloseCode.GoingAway, CloseCode.ProtocolError, 1003, Abnormal, CloseCode.InvalidPayload,
        CloseCode.PolicyViolation, CloseCode.MessageTooBig, CloseCode.InternalError, CloseCode.TryAgainLater,
        4401, // a token expired unrefreshed (its partition's token deadlines)
        CloseCode.SessionEnded, CloseCode.SessionUnconfirmed, // the application's session ended, or could not be extended
        WebSocketConnection.TimeoutCloseCode,
    ];

    /// <summary>The label of each counted code, by index; the last is <see cref="Other"/>.</summary>
    public static IReadOnlyList<string> Labels { get; } = [.. Codes.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)), Other];

    public static int Count => Codes.Length + 1;

    public static int IndexOf(ushort? code)
    {
        var sought = code ?? Abnormal;
        for (var i = 0; i < Codes.Length; i++)
            if (Codes[i] == sought)
                return i;
        return Codes.Length;
    }
}
