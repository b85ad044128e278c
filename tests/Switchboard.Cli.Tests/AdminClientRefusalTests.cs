using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Switchboard.Cli.Tests.Support;
using Switchboard.Contracts;

namespace Switchboard.Cli.Tests;

/// <summary>
/// Every way a node can say no, or fail to answer, becomes one <see cref="NodeRefusedException"/> whose message is what
/// the operator reads: the node's own words when it sent them, else the status.
/// </summary>
public sealed class AdminClientRefusalTests : WithLoopbackNode
{
    private AdminClient Client(string? key = null) => new(new NodeTarget(Node.Url, "/ws", key, false));

    private async Task<NodeRefusedException> RefusalAsync(Func<AdminClient, Task> call)
    {
        using var client = Client();
        return await Assert.ThrowsAsync<NodeRefusedException>(() => call(client));
    }

    [Theory]
    [InlineData(401, "unauthorized", "an API key is required")]
    [InlineData(403, "forbidden", "the key lacks the admin scope")]
    [InlineData(404, "not_found", "no such user")]
    [InlineData(503, "not_configured", "the rate limiter is not configured")]
    public async Task An_error_body_is_told_in_the_nodes_words_with_its_code_and_status(int status, string error, string message)
    {
        Node.Refuse("GET", "/ws/admin/cluster", status, error, message);

        var refusal = await RefusalAsync(c => c.GetAsync<ClusterView>(AdminRoutes.Cluster, CancellationToken.None));

        Assert.Equal($"{message} ({error}, HTTP {status})", refusal.Message);
    }

    [Fact]
    public async Task A_refusal_of_a_change_is_told_the_same_way()
    {
        Node.Refuse("POST", "/ws/admin/kick", 400, "invalid_request", "kick needs exactly one of user_id and connection_id");

        var refusal = await RefusalAsync(c => c.PostAsync<KickResult>(AdminRoutes.Kick, new KickRequest(null, null, null), CancellationToken.None));

        Assert.Equal("kick needs exactly one of user_id and connection_id (invalid_request, HTTP 400)", refusal.Message);
    }

    [Theory]
    [InlineData("text/html", "<html><body>502 Bad Gateway</body></html>")]
    [InlineData("application/json", "{\"error\":\"bad_gateway\"}")]   // no message to tell
    [InlineData("application/json", "{\"error\":\"x\",\"message\":\"\"}")]
    [InlineData("application/json", "[1,2]")]
    [InlineData("text/plain", "")]
    public async Task A_body_that_is_not_the_nodes_error_gives_the_request_and_status_alone(string contentType, string body)
    {
        Node.On("GET", "/ws/admin/cluster", async context =>
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body);
        });

        var refusal = await RefusalAsync(c => c.GetAsync<ClusterView>(AdminRoutes.Cluster, CancellationToken.None));

        Assert.Equal("GET /ws/admin/cluster: HTTP 502 Bad Gateway", refusal.Message);
    }

    [Fact]
    public async Task A_success_whose_body_is_not_the_expected_json_is_a_refusal_not_a_crash()
    {
        Node.On("GET", "/ws/admin/cluster", async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"self\": 42");
        });

        var refusal = await RefusalAsync(c => c.GetAsync<ClusterView>(AdminRoutes.Cluster, CancellationToken.None));

        Assert.StartsWith($"the node's answer to GET {Node.Url}ws/admin/cluster is not the expected JSON: ", refusal.Message);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(refusal.InnerException);
    }

    [Fact]
    public async Task A_node_that_cannot_be_reached_is_named()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var client = new AdminClient(new NodeTarget(new Uri($"http://127.0.0.1:{port}"), "/ws", null, false));

        var refusal = await Assert.ThrowsAsync<NodeRefusedException>(() => client.GetAsync<ClusterView>(AdminRoutes.Cluster, CancellationToken.None));

        Assert.StartsWith($"cannot reach http://127.0.0.1:{port}/: ", refusal.Message);
    }

    [Fact]
    public async Task A_request_the_operator_abandons_is_cancelled_not_refused()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Node.On("GET", "/ws/admin/cluster", async context =>
        {
            arrived.SetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        using var client = Client();
        using var cancel = new CancellationTokenSource();

        var request = client.GetAsync<ClusterView>(AdminRoutes.Cluster, cancel.Token);
        await arrived.Task;
        await cancel.CancelAsync();

        var thrown = await Record.ExceptionAsync(() => request);
        Assert.IsAssignableFrom<OperationCanceledException>(thrown);
    }
}
