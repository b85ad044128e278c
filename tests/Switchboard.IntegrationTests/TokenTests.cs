using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>Tokens at the door (PROTOCOL.md "Identity and access"), on both upgrade paths, minted as an identity provider would.</summary>
public sealed class TokenTests(TokenTests.SecretServers secret) : IClassFixture<TokenTests.SecretServers>
{
    /// <summary>
    /// A server per upgrade path with the shared-secret settings, started once for the tests whose upgrades are refused at
    /// the door: a refusal leaves nothing behind on the server for the next test to see.
    /// </summary>
    public sealed class SecretServers : IAsyncLifetime
    {
        private SwitchboardServer? _transport;
        private SwitchboardServer? _pipeline;

        public SwitchboardServer For(bool transportUpgrades) => (transportUpgrades ? _transport : _pipeline)!;

        public async Task InitializeAsync()
        {
            _transport = await StartAsync(SecretSettings(), transportUpgrades: true);
            _pipeline = await StartAsync(SecretSettings(), transportUpgrades: false);
        }

        public async Task DisposeAsync()
        {
            await _transport!.DisposeAsync();
            await _pipeline!.DisposeAsync();
        }
    }

    private static Dictionary<string, string?> SecretSettings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Jwt:Secret"] = TestTokens.Secret,
            ["Auth:Jwt:Issuer"] = TestTokens.Issuer,
            ["Auth:Jwt:Audience"] = TestTokens.Audience,
        };
        foreach (var (key, value) in more)
            settings[key] = value;
        return settings;
    }

    private static Task<SwitchboardServer> StartAsync(Dictionary<string, string?> settings, bool transportUpgrades = true) =>
        SwitchboardServer.StartAsync(configuration: settings, transportUpgrades: transportUpgrades);

    private static async Task<(int Status, string? Error, string Message)> RefusalAsync(SwitchboardServer server, string query,
        IDictionary<string, string?>? headers = null)
    {
        await using var refused = await RawWebSocket.ConnectAsync(server.BaseUri, $"/ws{query}", headers);
        if (refused.Status == 101)
            return (101, null, "");
        var body = JsonDocument.Parse(refused.Body).RootElement;
        return (refused.Status, body.GetProperty("error").GetString(), body.GetProperty("message").GetString()!);
    }

    public static TheoryData<string, bool> RefusedTokens()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in new[] { "none given", "malformed", "bad signature", "expired", "not yet valid", "wrong issuer",
                     "wrong audience", "alg none", "no sub", "no exp", "sub too long", "sub with a control character", "sub server",
                     "crit header", "lifetime too long", "exp past any date" })
        {
            data.Add(name, true);
            data.Add(name, false);
        }
        return data;
    }

    private static string? TokenFor(string name) => name switch
    {
        "none given" => null,
        "malformed" => "not.a-token",
        "bad signature" => TestTokens.Mint("ann", TestTokens.Hs256("another-secret-of-more-than-32-bytes-long")),
        "expired" => TestTokens.Mint("ann", expiresIn: TimeSpan.FromMinutes(-2)),
        "not yet valid" => TestTokens.Mint("ann", notBeforeIn: TimeSpan.FromMinutes(2), expiresIn: TimeSpan.FromHours(1)),
        "wrong issuer" => TestTokens.Mint("ann", issuer: "https://someone-else.test"),
        "wrong audience" => TestTokens.Mint("ann", audience: "another-service"),
        "alg none" => TestTokens.Unsigned("ann"),
        "no sub" => TestTokens.Mint(null),
        "no exp" => new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }
            .CreateToken(new SecurityTokenDescriptor
            {
                Claims = new Dictionary<string, object> { ["sub"] = "ann" },
                Issuer = TestTokens.Issuer, Audience = TestTokens.Audience, SigningCredentials = TestTokens.Hs256(),
            }),
        "sub too long" => TestTokens.Mint(new string('a', 129)),
        "sub with a control character" => TestTokens.Mint("ann\u0007"),
        "sub server" => TestTokens.Mint("server"),
        // RFC 7515 §4.1.11: an extension the server does not understand (here b64, RFC 7797) must not be ignored.
        "crit header" => TestTokens.Mint("ann", header: new Dictionary<string, object> { ["crit"] = new[] { "b64" }, ["b64"] = true }),
        "lifetime too long" => TestTokens.Mint("ann", expiresIn: TimeSpan.FromDays(30)), // the default MaxLifetime is 24 h
        "exp past any date" => TestTokens.Mint("ann", exp: 99999999999999),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task A_refused_token_gets_401_invalid_token(string token, bool transportUpgrades)
    {
        var server = secret.For(transportUpgrades);
        var minted = TokenFor(token);
        var (status, error, message) = await RefusalAsync(server, minted is null ? "" : $"?access_token={minted}");
        Assert.Equal((401, "invalid_token"), (status, error));
        if (minted is not null)
            Assert.DoesNotContain(minted, message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_token_for_the_user_id_server_is_refused_as_reserved(bool transportUpgrades)
    {
        var server = secret.For(transportUpgrades);
        var (status, error, message) = await RefusalAsync(server, $"?access_token={TestTokens.Mint("server")}");
        Assert.Equal((401, "invalid_token"), (status, error));
        Assert.Contains("reserved", message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task MaxLifetime_bounds_how_far_ahead_exp_may_be_and_0_lifts_the_bound(bool transportUpgrades)
    {
        await using (var bounded = await StartAsync(SecretSettings(("Auth:Jwt:MaxLifetime", "600")), transportUpgrades))
        {
            var (status, error, message) = await RefusalAsync(bounded, $"?access_token={TestTokens.Mint("ann", expiresIn: TimeSpan.FromHours(1))}");
            Assert.Equal((401, "invalid_token", "the token's lifetime is longer than this server accepts"), (status, error, message));
            await using var within = await Client.ConnectAsync(bounded.WebSocketUri(
                $"access_token={TestTokens.Mint("ann", expiresIn: TimeSpan.FromMinutes(5))}"));
            Assert.Equal("ann", within.UserId);
        }
        // Without a bound an exp past any date a clock can hold is taken as the end of time, and nothing overflows.
        await using var unbounded = await StartAsync(SecretSettings(("Auth:Jwt:MaxLifetime", "0")), transportUpgrades);
        await using var ann = await Client.ConnectAsync(unbounded.WebSocketUri($"access_token={TestTokens.Mint("ann", exp: 99999999999999)}"));
        await using var ben = await Client.ConnectAsync(unbounded.WebSocketUri($"access_token={TestTokens.Mint("ben", exp: long.MaxValue)}"));
        await ann.SendAsync("""{"type":"chat","to":"ben","data":"marker"}""");
        Assert.Equal("marker", (await ben.ReceiveAsync()).GetProperty("data").GetString());
    }

    [Fact]
    public async Task A_refresh_is_held_to_the_same_rules_as_an_upgrade()
    {
        await using var server = await StartAsync(SecretSettings());
        await using var ann = await Client.ConnectAsync(server.WebSocketUri($"access_token={TestTokens.Mint("ann")}"));
        var refused = new[]
        {
            (TestTokens.Mint("server"), "reserved"),
            (TestTokens.Mint("ann", expiresIn: TimeSpan.FromDays(30)), "lifetime"),
            (TestTokens.Mint("ann", exp: 99999999999999), "lifetime"),
            (TestTokens.Mint("ann", header: new Dictionary<string, object> { ["crit"] = new[] { "b64" }, ["b64"] = true }), "crit"),
        };
        for (var i = 0; i < refused.Length; i++)
        {
            var (token, why) = refused[i];
            await ann.SendAsync($$$"""{"type":"refresh","id":{{{i}}},"data":{"token":"{{{token}}}"}}""");
            var error = (await ann.ReceiveAsync()).GetProperty("data");
            Assert.Equal("invalid_token", error.GetProperty("code").GetString());
            Assert.Contains(why, error.GetProperty("message").GetString());
            Assert.DoesNotContain(token, error.GetProperty("message").GetString());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_valid_token_names_the_user_in_the_query_or_the_authorization_header(bool transportUpgrades)
    {
        await using var server = await StartAsync(SecretSettings(), transportUpgrades);
        await using var byQuery = await Client.ConnectAsync(server.WebSocketUri($"access_token={TestTokens.Mint("ann")}"));
        Assert.Equal("ann", byQuery.UserId);
        await using var byHeader = await Client.ConnectAsync(server.WebSocketUri(),
            o => o.SetRequestHeader("Authorization", $"Bearer {TestTokens.Mint("ben")}"));
        Assert.Equal("ben", byHeader.UserId);
        // The same user named again is fine; another is refused.
        await using var same = await Client.ConnectAsync(server.WebSocketUri($"user_id=ann&access_token={TestTokens.Mint("ann")}"));
        Assert.Equal("ann", same.UserId);
        var (status, error, _) = await RefusalAsync(server, $"?user_id=eve&access_token={TestTokens.Mint("ann")}");
        Assert.Equal((401, "user_mismatch"), (status, error));
        (status, error, _) = await RefusalAsync(server, "", new Dictionary<string, string?>
        {
            ["Authorization"] = $"Bearer {TestTokens.Mint("ann")}", ["X-User-ID"] = "eve",
        });
        Assert.Equal((401, "user_mismatch"), (status, error));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Rs256_from_a_pem_file_accepts_its_key_only_and_refuses_hs256_signed_with_the_public_key(bool transportUpgrades)
    {
        using var rsa = RSA.Create(2048);
        using var stranger = RSA.Create(2048);
        var pem = TestTokens.PublicPemFile(rsa);
        await using var server = await StartAsync(new Dictionary<string, string?> { ["Auth:Jwt:PublicKeyFile"] = pem }, transportUpgrades);

        await using var ann = await Client.ConnectAsync(server.WebSocketUri($"access_token={TestTokens.Mint("ann", TestTokens.Rs256(rsa))}"));
        Assert.Equal("ann", ann.UserId);
        foreach (var token in new[]
                 {
                     TestTokens.Mint("ann", TestTokens.Rs256(stranger)), // a key that is not ours
                     TestTokens.Mint("ann", TestTokens.Hs256(TestTokens.PublicPem(rsa))), // the algorithm confusion attack
                     TestTokens.Mint("ann"), // HS256: outside the list
                 })
        {
            var (status, error, _) = await RefusalAsync(server, $"?access_token={token}");
            Assert.Equal((401, "invalid_token"), (status, error));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Es256_from_a_pem_file(bool transportUpgrades)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var server = await StartAsync(new Dictionary<string, string?> { ["Auth:Jwt:PublicKeyFile"] = TestTokens.PublicPemFile(ec) },
            transportUpgrades);
        await using var ann = await Client.ConnectAsync(server.WebSocketUri($"access_token={TestTokens.Mint("ann", TestTokens.Es256(ec))}"));
        Assert.Equal("ann", ann.UserId);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal(401, (await RefusalAsync(server, $"?access_token={TestTokens.Mint("ann", TestTokens.Es256(other))}")).Status);
    }

    [Fact]
    public async Task Token_groups_are_joined_at_connect_and_the_broadcast_scope_lets_a_connection_broadcast()
    {
        await using var server = await StartAsync(SecretSettings());
        await using var ann = await Client.ConnectAsync(server.WebSocketUri(
            $"access_token={TestTokens.Mint("ann", groups: ["news"], scope: "read broadcast")}"));
        await using var ben = await Client.ConnectAsync(server.WebSocketUri($"access_token={TestTokens.Mint("ben")}"));
        await Eventually.TrueAsync(async () => (await server.Http.GetAsync("/ws/groups/news")).IsSuccessStatusCode, "ann is in news");

        await ben.SendAsync("""{"type":"broadcast","id":1}""");
        Assert.Equal("forbidden", (await ben.ReceiveAsync()).GetProperty("data").GetProperty("code").GetString());
        await ann.SendAsync("""{"type":"broadcast","id":2,"data":"hello"}""");
        Assert.Equal("hello", (await ben.ReceiveAsync()).GetProperty("data").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_restrict_groups_a_connection_joins_only_what_its_token_lists(bool transportUpgrades)
    {
        await using var server = await StartAsync(SecretSettings(("Auth:Jwt:RestrictGroups", "true")), transportUpgrades);
        var token = TestTokens.Mint("ann", groups: ["team", "proj-*"]);
        var (status, error, _) = await RefusalAsync(server, $"?groups=other&access_token={token}");
        Assert.Equal((403, "forbidden"), (status, error));

        await using var ann = await Client.ConnectAsync(server.WebSocketUri($"groups=proj-a&access_token={token}"));
        await ann.SendAsync("""{"type":"join","group":"proj-b","id":1}""");
        Assert.Equal("ack", (await ann.ReceiveAsync()).GetProperty("type").GetString());
        await ann.SendAsync("""{"type":"join","group":"team-b","id":2}""");
        var refused = await ann.ReceiveAsync();
        Assert.Equal(("error", "forbidden"), (refused.GetProperty("type").GetString(), refused.GetProperty("data").GetProperty("code").GetString()));
        foreach (var group in new[] { "team", "proj-a", "proj-b" })
            await Eventually.TrueAsync(async () => (await server.Http.GetAsync($"/ws/groups/{group}")).IsSuccessStatusCode, $"ann is in {group}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_token_running_out_is_announced_refreshed_and_else_closed_with_4401(bool transportUpgrades)
    {
        // A leeway of one second (the setting under test) rather than the default 30 keeps the wait short.
        await using var server = await StartAsync(SecretSettings(("Auth:Jwt:ClockSkew", "1")), transportUpgrades);
        await using var kept = await Client.ConnectAsync(server.WebSocketUri(
            $"access_token={TestTokens.Mint("ann", expiresIn: TimeSpan.FromSeconds(4))}"));
        await using var lapsed = await Client.ConnectAsync(server.WebSocketUri(
            $"access_token={TestTokens.Mint("ben", expiresIn: TimeSpan.FromSeconds(4))}"));

        // Less than 30 s left: announced at once.
        var expiring = await kept.ReceiveAsync();
        Assert.Equal("token_expiring", expiring.GetProperty("type").GetString());
        Assert.InRange(expiring.GetProperty("data").GetProperty("expires_in").GetInt64(), 0, 4);
        Assert.Equal("token_expiring", (await lapsed.ReceiveAsync()).GetProperty("type").GetString());

        // Refusals change nothing: a token for someone else, garbage, no token.
        foreach (var (data, id) in new[] { ($$"""{"token":"{{TestTokens.Mint("eve")}}"}""", 1), ("""{"token":"junk"}""", 2), ("{}", 3) })
        {
            await kept.SendAsync($$"""{"type":"refresh","id":{{id}},"data":{{data}}}""");
            var error = await kept.ReceiveAsync();
            Assert.Equal(("error", "invalid_token"), (error.GetProperty("type").GetString(), error.GetProperty("data").GetProperty("code").GetString()));
        }
        var renewed = TestTokens.Mint("ann", expiresIn: TimeSpan.FromMinutes(10));
        await kept.SendAsync($$$"""{"type":"refresh","id":4,"data":{"token":"{{{renewed}}}"}}""");
        var ack = await kept.ReceiveAsync();
        Assert.Equal(("ack", 4), (ack.GetProperty("type").GetString(), ack.GetProperty("id").GetInt32()));

        Assert.Equal((WebSocketCloseStatus)4401, await lapsed.ReceiveCloseAsync());
        Assert.Equal("token expired", lapsed.Socket.CloseStatusDescription);
        // Past the first token's end the refreshed connection still answers.
        await kept.SendAsync("""{"type":"ping","id":5}""");
        Assert.Equal("pong", (await kept.ReceiveAsync()).GetProperty("type").GetString());
        Assert.Equal(WebSocketState.Open, kept.Socket.State);
    }

    [Fact]
    public async Task A_refresh_without_tokens_configured_is_an_error()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var ann = await Client.ConnectAsync(server.WebSocketUri("user_id=ann"));
        await ann.SendAsync("""{"type":"refresh","id":1,"data":{"token":"x"}}""");
        Assert.Equal("invalid_token", (await ann.ReceiveAsync()).GetProperty("data").GetProperty("code").GetString());
    }
}
