using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Akka.Event;
using Microsoft.Extensions.Logging;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// Tokens and keys never reach a log line (PROTOCOL.md, "Identity and access"), with every category at Trace:
/// ASP.NET Core's hosting, routing and Kestrel, Akka, and ours; in the simple and the JSON console formats.
/// </summary>
public sealed class LogRedactionTests
{
    // Distinctive, and plain letters and digits, so that no formatter's escaping could hide one from the search.
    private const string ConfiguredKey = "cfgKEYzq8Wm3Lx7Pv2Rt9Yb4Nc6Hd1Jf5Gs0";
    private const string TransportToken = "trnTOKq7Vw2Zx9Ly4Mb8Kc";
    private const string TransportBearer = "trnBEARERh5Gd3Fs1Qa";
    private const string HttpPathToken = "httpTOKk3Jd8Qe1Ru6Tp0";
    private const string RefusedToken = "refTOKn2Bv5Cx8Zl1Mk4";
    private const string EncodedNameToken = "encTOKw9Er4Ty7Ui2Op";
    private const string BadRequestToken = "badTOKa6Sd3Fg9Hj2Kl";
    private const string ApiBearer = "apiBEARERp4Lo7Ik1Ju";
    private const string ApiQueryToken = "apiTOKm8Nb5Vc2Xz6Lk";

    private static readonly string[] Secrets =
    [
        ConfiguredKey, TransportToken, TransportBearer, HttpPathToken, RefusedToken, EncodedNameToken, BadRequestToken,
        ApiBearer, ApiQueryToken,
    ];

    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task No_token_or_key_reaches_the_output_of_a_node_logging_everything(string format)
    {
        await using var node = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace", // Program.cs lowers it to Warning unless told
            ["Logging__LogLevel__System"] = "Trace",
            ["Logging__LogLevel__Akka"] = "Trace",
            ["Logging__Console__FormatterName"] = format,
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
            ["Auth__ApiKeys__0__Name"] = "test",
            ["Auth__ApiKeys__0__Key"] = ConfiguredKey,
            ["Auth__ApiKeys__0__Scopes__0"] = "admin",
        });
        await node.WaitUntilHealthyAsync();

        // Taken on the transport, below Kestrel's HTTP layer.
        await using (var transport = await RawWebSocket.ConnectAsync(node.BaseUri, $"/ws?user_id=t1&access_token={TransportToken}",
                         new Dictionary<string, string?> { ["Authorization"] = $"Bearer {TransportBearer}" }))
        {
            Assert.Equal(101, transport.Status);
            Assert.False(transport.Headers.ContainsKey("Server"));
        }
        // Through the HTTP pipeline: a head longer than the transport reads, then a refused upgrade.
        await using (var http = await RawWebSocket.ConnectAsync(node.BaseUri, $"/ws?access_token={HttpPathToken}&user_id=h1",
                         new Dictionary<string, string?> { ["Cookie"] = "session=" + new string('c', TransportUpgradeLimit) }))
        {
            Assert.Equal(101, http.Status);
            Assert.True(http.Headers.ContainsKey("Server"));
        }
        await using (var refused = await RawWebSocket.ConnectAsync(node.BaseUri, $"/ws?access_token={RefusedToken}",
                         new Dictionary<string, string?> { ["Sec-WebSocket-Version"] = "12" }))
            Assert.Equal(400, refused.Status);
        await using (var encoded = await RawWebSocket.ConnectAsync(node.BaseUri, $"/ws?access%5Ftoken={EncodedNameToken}",
                         new Dictionary<string, string?> { ["Sec-WebSocket-Version"] = "12" }))
            Assert.Equal(400, encoded.Status);
        // Kestrel refuses the request line itself, and logs it with an exception that quotes it.
        Assert.StartsWith("HTTP/1.1 400", await SendRawAsync(node, $"GET /ws?access_token={BadRequestToken} x HTTP/1.1\r\nHost: h\r\n\r\n"));

        using var api = new HttpClient { BaseAddress = node.BaseUri };
        using (var stats = new HttpRequestMessage(HttpMethod.Get, "/ws/stats"))
        {
            stats.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiBearer);
            (await api.SendAsync(stats)).Dispose();
        }
        using (var message = new HttpRequestMessage(HttpMethod.Post, "/ws/message"))
        {
            message.Headers.Add("X-API-Key", ConfiguredKey);
            message.Content = new StringContent("""{"to":"nobody","data":"x"}""", Encoding.UTF8, "application/json");
            (await api.SendAsync(message)).Dispose();
        }
        using (var user = new HttpRequestMessage(HttpMethod.Get, $"/ws/users/nobody?access_token={ApiQueryToken}"))
        {
            user.Headers.Add("X-API-Key", ConfiguredKey);
            (await api.SendAsync(user)).Dispose();
        }

        // Evidence that each was logged, so that the absence below cannot pass for want of lines.
        // (The JSON formatter writes & as \u0026.)
        var evidence = new[]
        {
            "Request starting", "/ws?access_token=[redacted]&user_id=h1", "/ws?access%5Ftoken=[redacted]",
            "Invalid request line", "access_token=[redacted] x HTTP/1.1", "/ws/stats", "/ws/message",
            "/ws/users/nobody?access_token=[redacted]", "Akka.", "Microsoft.AspNetCore.Routing",
        }.Select(e => format == "json" ? e.Replace("&", "\\u0026") : e).ToList();
        try
        {
            await Eventually.TrueAsync(() => evidence.All(node.Output.Contains), "every request is in the log");
        }
        catch (TimeoutException)
        {
            Assert.Fail("not in the log: " + string.Join(", ", evidence.Where(e => !node.Output.Contains(e))) + "\n" + node.Output);
        }
        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync());

        var output = node.Output;
        foreach (var secret in Secrets)
            Assert.False(output.Contains(secret, StringComparison.Ordinal), $"{secret} is in the output:\n{Around(output, secret)}");
        Assert.Contains("[redacted]", output);
    }

    [Fact]
    public async Task Tokens_in_use_never_reach_the_output_of_a_node_that_checks_them()
    {
        await using var node = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
            ["Auth__Jwt__Secret"] = TestTokens.Secret,
            ["Auth__ApiKeys__0__Name"] = "test",
            ["Auth__ApiKeys__0__Key"] = ConfiguredKey,
            ["Auth__ApiKeys__0__Scopes__0"] = "admin",
        });
        await node.WaitUntilHealthyAsync();
        var (byQuery, byHeader, refreshed) = (TestTokens.Mint("ann", issuer: null, audience: null),
            TestTokens.Mint("ben", issuer: null, audience: null), TestTokens.Mint("ann", issuer: null, audience: null, scope: "x"));

        await using (var transport = await RawWebSocket.ConnectAsync(node.BaseUri, $"/ws?access_token={byQuery}"))
        {
            Assert.Equal(101, transport.Status);
            await transport.SendTextAsync($$$"""{"type":"refresh","id":1,"data":{"token":"{{{refreshed}}}"}}""");
            Assert.Contains("welcome", (await transport.ReceiveSkippingPingsAsync())!.Text);
            Assert.Contains("\"ack\"", (await transport.ReceiveSkippingPingsAsync())!.Text);
        }
        await using (var http = await RawWebSocket.ConnectAsync(node.BaseUri, $"/ws?access_token={byHeader}",
                         new Dictionary<string, string?> { ["Cookie"] = "session=" + new string('c', TransportUpgradeLimit) }))
            Assert.Equal(101, http.Status);
        await Eventually.TrueAsync(() => node.Output.Contains("/ws?access_token=[redacted]"), "the HTTP path's upgrade is in the log");
        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync());
        foreach (var secret in new[] { byQuery, byHeader, refreshed, TestTokens.Secret, ConfiguredKey })
            Assert.False(node.Output.Contains(secret, StringComparison.Ordinal), $"a secret is in the output:\n{Around(node.Output, secret)}");
    }

    [Fact]
    public async Task Akka_and_providers_added_after_AddSwitchboard_get_redacted_lines()
    {
        var captured = new CapturedLogs();
        await using var server = await SwitchboardServer.StartAsync(logging: l => l.AddProvider(captured));
        const string secret = "akkaTOKe5Rt8Yu1Io4Pa";
        server.ActorSystem.Log.Warning("fetching keys from http://issuer/jwks?access_token={0}", secret);

        await Eventually.TrueAsync(() => captured.Lines.Any(l => l.Contains("jwks?access_token=")), "Akka's line reaches the provider");
        var line = captured.Lines.Single(l => l.Contains("jwks?access_token="));
        Assert.Contains("jwks?access_token=[redacted]", line);
        Assert.DoesNotContain(secret, string.Join("\n", captured.Lines));
    }

    private const int TransportUpgradeLimit = Service.Http.TransportUpgrade.MaxHeadBytes + 1024;

    private static async Task<string> SendRawAsync(ServiceProcess node, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(node.BaseUri.Host, node.BaseUri.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var guard = new CancellationTokenSource(Eventually.Deadline);
        var buffer = new byte[1024];
        var read = await stream.ReadAsync(buffer, guard.Token);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    private static string Around(string output, string secret)
    {
        var at = output.IndexOf(secret, StringComparison.Ordinal);
        return output[Math.Max(0, at - 400)..Math.Min(output.Length, at + 400)];
    }
}
