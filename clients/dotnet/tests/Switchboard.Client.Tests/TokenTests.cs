using System.Collections.Concurrent;
using Switchboard.Client.Tests.Support;

namespace Switchboard.Client.Tests;

/// <summary>
/// A node with HS256 tokens and no clock leeway (Auth:Jwt:ClockSkew=0, the setting under test), so that tokens of a few
/// seconds expire when they say.
/// </summary>
public sealed class TokenNode : Node
{
    protected override IDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Auth__Jwt__Secret"] = TestTokens.Secret,
        ["Auth__Jwt__ClockSkew"] = "0",
    };
}

/// <summary>
/// An expiring token is refreshed with the token source, an expired one without a token source stops the client, and
/// after 4401 a client with a token source connects again with a fresh token.
/// </summary>
public sealed class TokenTests(TokenNode node) : IClassFixture<TokenNode>
{
    [Fact]
    public async Task On_token_expiring_the_client_gets_a_new_token_and_refreshes_and_the_connection_outlives_the_first_token()
    {
        await using var clients = new Clients();
        int[] lifetimes = [4, 600];
        var issued = new ConcurrentQueue<DateTime>();
        var alice = clients.Make(null, node.Ws, options => options.TokenSource = _ =>
        {
            var seconds = lifetimes[issued.Count];
            issued.Enqueue(DateTime.UtcNow.AddSeconds(seconds));
            return ValueTask.FromResult(Token("refresh-alice", seconds));
        });
        var seen = new Recorder(alice);
        var welcome = await alice.ConnectAsync();
        Assert.Equal("refresh-alice", welcome.UserId);
        await Eventually.TrueAsync(() => issued.Count == 2, "the client asks for a second token");
        Assert.Single(seen.Expiring);

        // Past the first token's end (and the server's once-a-second sweep), the connection still serves.
        var firstEnds = issued.First();
        await Eventually.TrueAsync(() => DateTime.UtcNow > firstEnds.AddSeconds(2), "the first token has expired");
        await alice.SendToUserAsync("refresh-alice", "note", "still here");
        await seen.UntilAsync(s => s.Messages.Count == 1, "alice has her note");
        Assert.Equal(["still here"], seen.Texts);
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected], seen.States);
        Assert.Empty(seen.Errors);
    }

    [Fact]
    public async Task An_expired_token_without_a_token_source_stops_the_client_with_token_expired_4401()
    {
        await using var clients = new Clients();
        var alice = clients.Make(null, node.Ws, options => options.Token = Token("expired-alice", 3));
        var seen = new Recorder(alice);
        await alice.ConnectAsync();
        await seen.UntilAsync(s => s.Errors.Any(e => e.Code == "token_expired"), "alice stops");
        var stopped = seen.Errors.Single(e => e.Code == "token_expired");
        Assert.Equal(4401, stopped.CloseCode);
        Assert.Equal(ConnectionState.Disconnected, alice.State);
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Disconnected], seen.States);
    }

    [Fact]
    public async Task After_4401_a_client_with_a_token_source_connects_again_with_a_fresh_token()
    {
        await using var clients = new Clients();
        // The refresh is refused (a token for someone else), so the connection ends with 4401 and the next connect
        // needs a token of its own.
        string[] tokens = [Token("again-alice", 3), Token("again-someone-else", 600), Token("again-alice", 600)];
        var calls = 0;
        var alice = clients.Make(null, node.Ws, options =>
            options.TokenSource = _ => ValueTask.FromResult(tokens[Interlocked.Increment(ref calls) - 1]));
        var seen = new Recorder(alice);
        await alice.ConnectAsync();
        await seen.UntilAsync(s => s.States.Count == 4, "alice is connected again");
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Connected],
            seen.States);
        Assert.Equal(3, Volatile.Read(ref calls));
        Assert.Equal(["invalid_token"], seen.Errors.Select(e => e.Code));
        await alice.SendToUserAsync("again-alice", "note", "back");
        await seen.UntilAsync(s => s.Messages.Count == 1, "alice has her note");
        Assert.Equal(["back"], seen.Texts);
    }

    /// <summary>An HS256 token for <paramref name="sub"/> that expires in <paramref name="seconds"/>, with no issuer or audience (the node checks neither).</summary>
    private static string Token(string sub, int seconds) =>
        TestTokens.Mint(sub, expiresIn: TimeSpan.FromSeconds(seconds), issuer: null, audience: null);
}
