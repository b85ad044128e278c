using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Client.Hosting;
using Switchboard.Client.Tests.Support;

namespace Switchboard.Client.Tests;

/// <summary>
/// The hosting helper in a real generic host, as a backend worker uses it: options from a configuration section, the
/// client connected as the host starts and closed as it stops, and a bad value stopping the start with one message.
/// On a node of the reconnect tests (one with the service's defaults), whose collection it joins for it.
/// </summary>
[Collection(ReconnectNodes.Collection)]
public sealed class HostingTests(ReconnectNodes nodes)
{
    [Fact]
    public async Task The_client_connects_when_the_host_starts_its_worker_reads_the_messages_and_it_closes_when_the_host_stops()
    {
        var inbox = new ConcurrentQueue<Message>();
        using var host = Host(new()
        {
            ["Switchboard:Urls:0"] = nodes.Second.Ws.ToString(),
            ["Switchboard:UserId"] = "hosted-worker",
            ["Switchboard:Groups:0"] = "hosted-room",
        }, inbox);
        var client = host.Services.GetRequiredService<SwitchboardClient>();
        var worker = host.Services.GetServices<IHostedService>().OfType<Worker>().Single();

        await host.StartAsync();
        await Eventually.TrueAsync(() => client.State == ConnectionState.Connected, "the client connects as the host starts");
        await using (var clients = new Clients())
        {
            var sender = clients.Make("hosted-sender", nodes.Second.Ws);
            await sender.ConnectAsync();
            await sender.SendToUserAsync("hosted-worker", "job", "direct");
            await sender.SendToGroupAsync("hosted-room", "job", "to the group");
        }
        await Eventually.TrueAsync(() => inbox.Count == 2, "the worker has both messages");
        Assert.Equal([("direct", null), ("to the group", "hosted-room")], inbox.Select(m => (m.Data.GetString(), m.Group)));

        await host.StopAsync();
        Assert.Equal(ConnectionState.Disconnected, client.State);
        Assert.True(worker.ExecuteTask!.IsCompleted, "the worker ended with the host");
    }

    [Fact]
    public async Task A_bad_configuration_value_stops_the_hosts_start_with_one_message_naming_each_bad_key()
    {
        using var host = Host(new()
        {
            ["Switchboard:Urls:0"] = nodes.Second.Ws.ToString(),
            ["Switchboard:UserId"] = "hosted-misconfigured",
            ["Switchboard:PingInterval"] = "soon",
            ["Switchboard:Reconnect:MaxAttempts"] = "many",
        }, new ConcurrentQueue<Message>());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("Switchboard:PingInterval is \"soon\"", error.Message);
        Assert.Contains("Switchboard:Reconnect:MaxAttempts is \"many\"", error.Message);
    }

    private static IHost Host(Dictionary<string, string?> configuration, ConcurrentQueue<Message> inbox)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSwitchboardClient(builder.Configuration.GetSection("Switchboard"));
        builder.Services.AddSingleton(inbox);
        builder.Services.AddHostedService<Worker>();
        return builder.Build();
    }

    /// <summary>A backend worker: takes every message the client receives.</summary>
    private sealed class Worker(SwitchboardClient client, ConcurrentQueue<Message> inbox) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await foreach (var message in client.Messages.ReadAllAsync(stoppingToken))
                inbox.Enqueue(message);
        }
    }
}
