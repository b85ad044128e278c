using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>A node started under a lowered <c>ulimit -n</c>: it caps MaxConnections below the limit and keeps serving.</summary>
public sealed class OpenFileLimitTests
{
    private const int OpenFileLimit = 512;

    [Fact]
    public async Task Node_under_a_low_open_file_limit_warns_caps_connections_refuses_with_429_and_keeps_serving()
    {
        await using var node = ServiceProcess.Start(new Dictionary<string, string> { ["WEBSOCKET_HANDSHAKE_TIMEOUT"] = "2" },
            openFileLimit: OpenFileLimit);
        await node.WaitUntilHealthyAsync();
        Assert.Contains($"the open-file limit is {OpenFileLimit}", node.Output);
        using var http = new HttpClient { BaseAddress = node.BaseUri };
        var cap = (await http.GetFromJsonAsync<JsonElement>("/ws/stats")).GetProperty("max_connections").GetInt32();
        Assert.InRange(cap, 1, OpenFileLimit - 1);

        var held = new List<RawWebSocket>();
        for (var i = 0; i < cap; i++)
            held.Add(await RawWebSocket.ConnectAsync(node.BaseUri, $"/ws?user_id=held-{i}"));
        Assert.All(held, c => Assert.Equal(101, c.Status));
        await using (var refused = await RawWebSocket.ConnectAsync(node.BaseUri, "/ws?user_id=one-too-many"))
        {
            Assert.Equal(429, refused.Status);
            Assert.Equal("too_many_connections", JsonDocument.Parse(refused.Body).RootElement.GetProperty("error").GetString());
        }

        // More sockets than the process has descriptors left. Unbounded, Kestrel would accept until EMFILE and
        // spin in its accept loop; bounded, the surplus waits in the listen backlog.
        var flood = new List<TcpClient>();
        for (var i = 0; i < OpenFileLimit / 2; i++)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(node.BaseUri.Host, node.BaseUri.Port);
            flood.Add(tcp);
        }
        var survivor = held[^1];
        Assert.Contains("welcome", (await survivor.ReceiveSkippingPingsAsync())!.Text);
        await survivor.SendTextAsync("""{"type":"ping"}""");
        Assert.Equal("pong", JsonDocument.Parse((await survivor.ReceiveSkippingPingsAsync())!.Text).RootElement.GetProperty("type").GetString());
        Assert.InRange(OpenDescriptors(node.Id), 0, OpenFileLimit - 64);
        foreach (var tcp in flood)
            tcp.Dispose();

        await Eventually.TrueAsync(async () => (await http.GetAsync("/ws/health")).IsSuccessStatusCode, "the node serves HTTP again");
        Assert.False(node.HasExited, node.Output);
        await held[0].DisposeAsync();
        await Eventually.TrueAsync(async () =>
        {
            await using var admitted = await RawWebSocket.ConnectAsync(node.BaseUri, "/ws?user_id=after-a-close");
            return admitted.Status == 101;
        }, "a freed slot admits again");
        foreach (var client in held.Skip(1))
            await client.DisposeAsync();
        Assert.DoesNotContain("Too many open files", node.Output);
    }

    private static int OpenDescriptors(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
}
