using System.Net.WebSockets;

namespace Switchboard.Client;

/// <summary>What a <see cref="SwitchboardClient"/> connects to and how it behaves; every value but the URLs has a default.</summary>
public sealed class SwitchboardClientOptions
{
    /// <summary>The <c>ws://</c> or <c>wss://</c> URLs of the service's endpoint (<c>/ws</c>); each attempt takes the next.</summary>
    public IList<Uri> Urls { get; set; } = new List<Uri>();

    /// <summary>The user, without tokens (<c>?user_id=</c>). With tokens the token's <c>sub</c> names the user.</summary>
    public string? UserId { get; set; }

    /// <summary>A token for the first connect, sent as <c>Authorization: Bearer</c>.</summary>
    public string? Token { get; set; }

    /// <summary>
    /// Returns a token: called for every connect after the first (and the first without <see cref="Token"/>) and when
    /// the server says the token is expiring, so that the client never reuses an old one.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? TokenSource { get; set; }

    /// <summary>Groups to join at connect; they are rejoined on every reconnect.</summary>
    public IList<string> Groups { get; set; } = new List<string>();

    /// <summary>How the client comes back after a connection ends.</summary>
    public ReconnectOptions Reconnect { get; set; } = new();

    /// <summary>With nothing received for this long, the client sends an application <c>ping</c> (25 s).</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>With nothing received this long after a ping, the connection counts as dead (10 s).</summary>
    public TimeSpan PongTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an attempt may take from opening the socket to the welcome (15 s).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a request waits for a connection while there is none (60 s: as long as the server's relay keeps trying
    /// a message through a node's loss); then it fails with <c>timeout</c>.
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Routed messages held for the application (<see cref="SwitchboardClient.Messages"/>) before the client stops
    /// reading the socket (1,024): the server's policy for slow consumers then applies, and the heartbeat waits.
    /// </summary>
    public int MessageBufferSize { get; set; } = 1024;

    /// <summary>The largest frame the client takes from the server (16 MiB); a larger one ends the connection.</summary>
    public int MaxFrameSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Sets up each socket before it connects: a cookie, a header, a proxy, client certificates.</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }
}

/// <summary>Reconnect rules: exponential backoff with full jitter, and the delays some close codes ask for.</summary>
public sealed class ReconnectOptions
{
    /// <summary>False: the first close stops the client (an error with code <c>closed</c>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The first backoff bound (500 ms); attempt n waits a random time below min(MaxDelay, InitialDelay × 2ⁿ).</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The largest backoff bound (30 s).</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After 1001 (a node going away): a random delay below this (1 s), to the next URL.</summary>
    public TimeSpan GoingAwayDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Added to the backoff after a close for <c>rate limit</c> (5 s).</summary>
    public TimeSpan RateLimitDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts in a row without a welcome before the client stops with <c>gave_up</c> (no bound).</summary>
    public int? MaxAttempts { get; set; }
}
