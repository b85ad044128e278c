using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.Contracts;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// <c>Logging__Console__FormatterName=json</c> on the real service: every line on stdout is one JSON object, Akka's
/// lines among them under Akka's own categories, and the lines about a connection carry its id and user as fields.
/// </summary>
public sealed class JsonLogTests
{
    [Fact]
    public async Task Every_line_is_json_with_akkas_lines_under_their_categories_and_a_connections_id_and_user_as_fields()
    {
        await using var node = ServiceProcess.Start(new Dictionary<string, string> { ["Logging__Console__FormatterName"] = "json" });
        await node.WaitUntilHealthyAsync();
        await using var client = await Client.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ws?user_id=json-ann"));
        using var http = new HttpClient { BaseAddress = node.BaseUri };
        await AdminClient.PostAsync<KickResult>(http, "/ws" + AdminRoutes.Kick, new KickRequest("json-ann", null, null));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ReceiveCloseAsync());

        JsonElement? closed = null;
        await Eventually.TrueAsync(() => Task.FromResult((closed = Lines(node).Cast<JsonElement?>().FirstOrDefault(l =>
            l!.Value.GetProperty("Category").GetString() == "Switchboard.Actors.Hub.ConnectionHub")).HasValue), "the close is logged");
        var state = closed!.Value.GetProperty("State");
        Assert.Equal(client.ConnectionId, state.GetProperty("ConnectionId").GetString());
        Assert.Equal("json-ann", state.GetProperty("UserId").GetString());
        Assert.Equal(1008, state.GetProperty("CloseCode").GetInt32());
        Assert.Equal("kicked", state.GetProperty("CloseReason").GetString());

        var lines = Lines(node);
        var cluster = lines.First(l => l.GetProperty("Category").GetString() == "Akka.Cluster");
        Assert.DoesNotContain("[INFO]", cluster.GetProperty("Message").GetString());
        Assert.StartsWith("Cluster (akka://", cluster.GetProperty("State").GetProperty("LogSource").GetString());
        // The node's part of the kick, logged by the partition that holds the user, and the HTTP call's audit line: the same fields.
        var kicks = lines.Where(l => l.GetProperty("Message").GetString()!.StartsWith("Audit: kick", StringComparison.Ordinal)).ToList();
        Assert.Equal(["Switchboard.Actors.Delivery.ConnectionPartition", "Switchboard.Audit"],
            kicks.Select(k => k.GetProperty("Category").GetString()).Order(StringComparer.Ordinal));
        Assert.All(kicks, k => Assert.Equal("loopback", k.GetProperty("State").GetProperty("Caller").GetString()));
        Assert.All(kicks, k => Assert.Equal("user json-ann", k.GetProperty("State").GetProperty("Target").GetString()));
    }

    // Every line the process wrote so far must parse: a line that does not is the failure this test is about.
    private static List<JsonElement> Lines(ServiceProcess node) =>
        node.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
}
