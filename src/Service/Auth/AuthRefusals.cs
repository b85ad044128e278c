namespace Switchboard.Service.Auth;

/// <summary>
/// Upgrades and API calls this node refused for identity or access, by the error code the caller got: a fixed set of
/// reasons, so that a metric labelled by reason stays bounded.
/// </summary>
public sealed class AuthRefusals
{
    /// <summary>The reasons counted, by index: a token's, an origin's, and an API key's (missing or unknown; lacking the scope).</summary>
    public static IReadOnlyList<string> Reasons { get; } =
        ["invalid_token", "user_mismatch", "forbidden_origin", "forbidden", "unauthorized"];

    private readonly long[] _counts = new long[Reasons.Count];

    public long Count(int reasonIndex) => Volatile.Read(ref _counts[reasonIndex]);

    /// <summary>Counts a refusal whose error code is one of <see cref="Reasons"/>; other refusals are not about access.</summary>
    public void Record(string errorCode)
    {
        for (var i = 0; i < Reasons.Count; i++)
        {
            if (Reasons[i] == errorCode)
            {
                Interlocked.Increment(ref _counts[i]);
                return;
            }
        }
    }
}
