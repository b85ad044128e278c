using System.Text.RegularExpressions;

namespace Switchboard.Actors.RateLimiting;

/// <summary>A limit of <see cref="Limit"/> requests per <see cref="Period"/>, written <c>N-S</c>, <c>N-M</c>, <c>N-H</c> or <c>N-D</c>.</summary>
public sealed partial record Rate(long Limit, TimeSpan Period)
{
    /// <exception cref="FormatException">Not of the form N-S|M|H|D with N at least 1.</exception>
    public static Rate Parse(string text)
    {
        var match = Grammar().Match(text);
        if (!match.Success || !long.TryParse(match.Groups[1].Value, out var limit) || limit < 1)
            throw new FormatException($"\"{text}\" is not a rate: use N-S, N-M, N-H or N-D with N at least 1 (e.g. 200-M)");
        var period = char.ToUpperInvariant(match.Groups[2].Value[0]) switch
        {
            'S' => TimeSpan.FromSeconds(1),
            'M' => TimeSpan.FromMinutes(1),
            'H' => TimeSpan.FromHours(1),
            _ => TimeSpan.FromDays(1),
        };
        return new Rate(limit, period);
    }

    public override string ToString() => $"{Limit}-{Period switch
    {
        { TotalSeconds: 1 } => "S",
        { TotalMinutes: 1 } => "M",
        { TotalHours: 1 } => "H",
        _ => "D",
    }}";

    [GeneratedRegex("^([0-9]{1,18})-([SMHDsmhd])$")]
    private static partial Regex Grammar();
}
