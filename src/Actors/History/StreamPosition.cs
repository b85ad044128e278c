using System.Globalization;

namespace Switchboard.Actors.History;

/// <summary>A place in a stream: its epoch and the last <c>seq</c> seen there (0 before the first message).</summary>
public sealed record StreamPosition(string Epoch, long Seq)
{
    private const string EpochLetters = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A fresh epoch: a stream that starts again (its keeper had no history of it) never reuses a number under an old one.</summary>
    public static string NewEpoch() => string.Create(10, 0, static (chars, _) =>
    {
        for (var i = 0; i < chars.Length; i++)
            chars[i] = EpochLetters[Random.Shared.Next(EpochLetters.Length)];
    });

    /// <summary>
    /// A position under an epoch nobody holds, for a connection that opened a stream its keeper could not read (the store
    /// did not answer): nothing is taken as recovered.
    /// </summary>
    public static StreamPosition Unknown() => new(NewEpoch(), 0);

    /// <summary>Reads <c>epoch:seq</c>; null when it is not that shape.</summary>
    public static StreamPosition? Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0 && IsEpoch(text.AsSpan(0, colon))
               && long.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            ? new StreamPosition(text[..colon], seq)
            : null;
    }

    public static bool IsEpoch(ReadOnlySpan<char> text) =>
        text.Length is > 0 and <= 32 && !text.ContainsAnyExcept(EpochLetters.AsSpan());

    public override string ToString() => $"{Epoch}:{Seq}";
}
