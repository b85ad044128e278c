using System.Security.Cryptography;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// A JWKS URL that answers slowly or not at all (issue 28, item 5): upgrades naming key ids the node does not hold share
/// one fetch, each waits no longer than the handshake timeout, those whose key is held never wait, and the node
/// recovers once the key server does. Timeouts here are hang detectors (RawWebSocket's and Client's own), never
/// assertions about speed.
/// </summary>
public sealed class SlowKeyServerTests
{
    private const int Burst = 16;

    /// <summary>What an upgrade naming a key id the node lacks may get: refused as a token, or for keys it could not have in time.</summary>
    private static readonly (int, string?)[] Refusals = [(401, "invalid_token"), (503, "keys_unavailable")];

    private static async Task<SwitchboardServer> StartAsync(KeyServer keys, bool transportUpgrades, TimeSpan? handshakeTimeout = null) =>
        await SwitchboardServer.StartAsync(
            configure: o => o with { HandshakeTimeout = handshakeTimeout ?? o.HandshakeTimeout },
            configuration: new Dictionary<string, string?> { ["Auth:Jwt:JwksUrl"] = keys.Url.ToString() },
            transportUpgrades: transportUpgrades);

    /// <summary>Tokens signed by a key the node has never seen, each naming a made-up key id.</summary>
    private static string[] MadeUpKids(RSA stranger, string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => TestTokens.Mint("eve", TestTokens.Rs256(stranger, $"{prefix}-{i}"))).ToArray();

    /// <summary>An upgrade's answer: its status and, when refused, the error code (the body never quotes the token).</summary>
    private static async Task<(int Status, string? Error)> UpgradeAsync(SwitchboardServer server, string token)
    {
        await using var upgrade = await RawWebSocket.ConnectAsync(server.BaseUri, $"/ws?access_token={token}");
        if (upgrade.Status == 101)
            return (101, null);
        Assert.DoesNotContain(token, upgrade.Body);
        return (upgrade.Status, JsonDocument.Parse(upgrade.Body).RootElement.GetProperty("error").GetString());
    }

    /// <summary>
    /// Sends upgrades naming unknown key ids until one has started a fetch the key server holds (a fetch is due only 5 s
    /// after the last); the upgrades sent, each still to be answered.
    /// </summary>
    private static async Task<List<Task<(int, string?)>>> StartHeldFetchAsync(SwitchboardServer server, KeyServer keys, RSA stranger)
    {
        var probes = new List<Task<(int, string?)>>();
        var token = MadeUpKids(stranger, "probe", 1)[0];
        await Eventually.TrueAsync(async () =>
        {
            probes.Add(UpgradeAsync(server, token));
            await Task.Delay(100);
            return keys.InFlight == 1;
        }, "a fetch for an unknown key id is held by the key server");
        return probes;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Upgrades_naming_unknown_kids_share_one_fetch_while_those_with_a_held_key_connect_at_once(bool transportUpgrades)
    {
        using var k1 = RSA.Create(2048);
        using var stranger = RSA.Create(2048);
        await using var keys = await KeyServer.StartAsync(TestTokens.Jwks((k1, "k1")));
        await using var server = await StartAsync(keys, transportUpgrades);
        await using var ann = await Client.ConnectAsync(server.WebSocketUri($"access_token={TestTokens.Mint("ann", TestTokens.Rs256(k1, "k1"))}"));

        keys.Hold();
        var probes = await StartHeldFetchAsync(server, keys, stranger);
        var burst = MadeUpKids(stranger, "burst", Burst).Select(token => UpgradeAsync(server, token)).ToList();

        // While that fetch hangs, a token whose key is held connects and is served.
        await using var ben = await Client.ConnectAsync(server.WebSocketUri($"access_token={TestTokens.Mint("ben", TestTokens.Rs256(k1, "k1"))}"));
        Assert.Equal(1, keys.InFlight);
        await ann.SendAsync("""{"type":"chat","to":"ben","data":"during"}""");
        Assert.Equal("during", (await ben.ReceiveAsync()).GetProperty("data").GetString());

        keys.Answer();
        // The document does not hold their key ids: refused as tokens (or, had the deadline come first, as unavailable keys).
        foreach (var answer in await Task.WhenAll(probes.Concat(burst)))
            Assert.Contains(answer, Refusals);
        Assert.Equal(1, keys.MostInFlight);
        Assert.Equal(2, keys.Requests); // the first token's fetch, then one for the whole burst

        await using var cat = await Client.ConnectAsync(server.WebSocketUri($"access_token={TestTokens.Mint("cat", TestTokens.Rs256(k1, "k1"))}"));
        await ann.SendAsync("""{"type":"chat","to":"cat","data":"after"}""");
        Assert.Equal("after", (await cat.ReceiveAsync()).GetProperty("data").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_a_key_server_that_never_answers_upgrades_get_503_within_the_handshake_timeout_and_the_node_recovers(
        bool transportUpgrades)
    {
        using var k1 = RSA.Create(2048);
        using var k2 = RSA.Create(2048);
        using var stranger = RSA.Create(2048);
        await using var keys = await KeyServer.StartAsync(TestTokens.Jwks((k1, "k1")));
        // The setting under test, lowered so that each refused upgrade is answered in seconds.
        await using var server = await StartAsync(keys, transportUpgrades, handshakeTimeout: TimeSpan.FromSeconds(2));
        await using var ann = await Client.ConnectAsync(server.WebSocketUri($"access_token={TestTokens.Mint("ann", TestTokens.Rs256(k1, "k1"))}"));

        // The provider adds k2, but its key server stops answering.
        keys.Hold();
        keys.Document = TestTokens.Jwks((k1, "k1"), (k2, "k2"));
        var probes = await StartHeldFetchAsync(server, keys, stranger);
        var burst = MadeUpKids(stranger, "burst", Burst).Select(token => UpgradeAsync(server, token)).ToList();
        // A token signed with k2 is valid, but its key cannot be had: 503, not 401, and not a hang.
        var rotated = UpgradeAsync(server, TestTokens.Mint("dan", TestTokens.Rs256(k2, "k2")));
        // Nor does a refresh naming an unknown key id wait for ever.
        await ann.SendAsync($$$"""{"type":"refresh","id":1,"data":{"token":"{{{MadeUpKids(stranger, "refresh", 1)[0]}}}"}}""");

        await using var ben = await Client.ConnectAsync(server.WebSocketUri($"access_token={TestTokens.Mint("ben", TestTokens.Rs256(k1, "k1"))}"));
        Assert.Equal(1, keys.InFlight);
        await ann.SendAsync("""{"type":"chat","to":"ben","data":"during"}""");
        // ann's next frame is the refresh's answer, ben's the marker.
        var refreshed = await ann.ReceiveAsync();
        Assert.Equal(("error", "invalid_token"), (refreshed.GetProperty("type").GetString(),
            refreshed.GetProperty("data").GetProperty("code").GetString()));
        Assert.Equal("during", (await ben.ReceiveAsync()).GetProperty("data").GetString());

        foreach (var answer in await Task.WhenAll(burst.Append(rotated)))
            Assert.Equal((503, "keys_unavailable"), answer);
        foreach (var answer in await Task.WhenAll(probes))
            Assert.Contains(answer, Refusals);
        Assert.Equal(1, keys.MostInFlight);

        // The key server is back: a token signed with k2 connects (through the fetch held or, if the node gave up on
        // that one, the next) and is served.
        keys.Answer();
        await Eventually.TrueAsync(async () => (await UpgradeAsync(server, TestTokens.Mint("dan", TestTokens.Rs256(k2, "k2")))).Status == 101,
            "a token signed with the rotated key connects once the key server answers");
        await using var dan = await Client.ConnectAsync(server.WebSocketUri($"access_token={TestTokens.Mint("dan", TestTokens.Rs256(k2, "k2"))}"));
        await ann.SendAsync("""{"type":"chat","to":"dan","data":"after"}""");
        Assert.Equal("after", (await dan.ReceiveAsync()).GetProperty("data").GetString());
    }
}
