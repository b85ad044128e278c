using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>Where identities come from besides a fixed key: a JWKS that rotates, the embedding app's own authentication; and who a rate limit counts against.</summary>
public sealed class TokenSourcesTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Keys_come_from_a_jwks_url_and_a_rotated_key_is_fetched_when_a_token_names_it(bool transportUpgrades)
    {
        using var key1 = RSA.Create(2048);
        using var key2 = RSA.Create(2048);
        await using var jwks = await KeyServer.StartAsync(TestTokens.Jwks((key1, "k1")));
        await using var server = await SwitchboardServer.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["Auth:Jwt:JwksUrl"] = jwks.Url.ToString(),
        }, transportUpgrades: transportUpgrades);
        await using var ann = await Client.ConnectAsync(server.WebSocketUri($"access_token={TestTokens.Mint("ann", TestTokens.Rs256(key1, "k1"))}"));
        Assert.Equal("ann", ann.UserId);

        // The provider rotates: k2 signs from now on, k1 is withdrawn.
        jwks.Document = TestTokens.Jwks((key2, "k2"));
        var signedWithK2 = TestTokens.Mint("ben", TestTokens.Rs256(key2, "k2"));
        // A node fetches at most every few seconds, so the first tries may still be refused.
        await Eventually.TrueAsync(async () =>
        {
            await using var attempt = await RawWebSocket.ConnectAsync(server.BaseUri, $"/ws?access_token={signedWithK2}");
            return attempt.Status == 101;
        }, "a token signed with the rotated key is accepted");
        using var stranger = RSA.Create(2048);
        await using var refused = await RawWebSocket.ConnectAsync(server.BaseUri,
            $"/ws?access_token={TestTokens.Mint("eve", TestTokens.Rs256(stranger, "k9"))}");
        Assert.Equal(401, refused.Status);
        Assert.True(jwks.Requests >= 2);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_embedding_app_can_name_the_user_with_its_own_authentication(bool transportUpgrades)
    {
        await using var server = await SwitchboardServer.StartAsync(
            configuration: new Dictionary<string, string?> { ["Auth:UseHttpContextUser"] = "true" },
            transportUpgrades: transportUpgrades,
            services: s => s.AddAuthentication(HeaderAuthentication.Name)
                .AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.Name, null),
            pipeline: app => app.UseAuthentication());
        // The app's scheme authenticates by a header of its own; our upgrade takes the user from it.
        await using var ann = await Client.ConnectAsync(server.WebSocketUri("user_id=someone-else"),
            o => o.SetRequestHeader(HeaderAuthentication.Header, "ann"));
        Assert.Equal("ann", ann.UserId);
        // Not authenticated by the app: named as without tokens.
        await using var guest = await Client.ConnectAsync(server.WebSocketUri("user_id=guest"));
        Assert.Equal("guest", guest.UserId);
    }

    [Fact]
    public async Task With_tokens_on_a_per_user_rate_limit_counts_the_tokens_sub_not_a_claimed_user_id()
    {
        await using var server = await SwitchboardServer.StartAsync(
            configuration: new Dictionary<string, string?>
            {
                ["Auth:Jwt:Secret"] = TestTokens.Secret, ["Auth:Jwt:Issuer"] = TestTokens.Issuer, ["Auth:Jwt:Audience"] = TestTokens.Audience,
            },
            rateLimiter: o => o with { Rate = "2-M", Identifier = "user", SkipPaths = ["/ws/health"] });
        var ann = TestTokens.Mint("ann");
        for (var i = 0; i < 2; i++)
        {
            await using var allowed = await RawWebSocket.ConnectAsync(server.BaseUri, $"/ws?access_token={ann}");
            Assert.Equal(101, allowed.Status);
        }
        await using (var denied = await RawWebSocket.ConnectAsync(server.BaseUri, $"/ws?access_token={ann}"))
            Assert.Equal(429, denied.Status);
        // Ben's bucket is his own, and naming ann without her token does not spend hers.
        await using (var ben = await RawWebSocket.ConnectAsync(server.BaseUri, $"/ws?access_token={TestTokens.Mint("ben")}"))
            Assert.Equal(101, ben.Status);
        await using (var claimed = await RawWebSocket.ConnectAsync(server.BaseUri, $"/ws?access_token={TestTokens.Mint("cat")}",
                         new Dictionary<string, string?> { ["X-User-ID"] = "dan" }))
            Assert.Equal(401, claimed.Status); // user_mismatch, counted against cat
    }

    /// <summary>An app's own scheme: the user named in a header (what a cookie or OIDC scheme would establish).</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "app";
        public const string Header = "X-App-User";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Request.Headers[Header].ToString() is { Length: > 0 } user
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(
                    [new Claim(ClaimTypes.NameIdentifier, user)], Name)), Name))
                : AuthenticateResult.NoResult());
    }
}
