using Switchboard.Client;

namespace Switchboard.Client.Tests.Support;

/// <summary>Clients a test makes, each disposed with the test (<c>await using var clients = new Clients()</c>).</summary>
public sealed class Clients : IAsyncDisposable
{
    private readonly List<SwitchboardClient> _made = [];

    /// <summary>A client of <paramref name="urls"/> for <paramref name="userId"/>, with the defaults unless <paramref name="configure"/> says.</summary>
    public SwitchboardClient Make(string? userId, IEnumerable<Uri> urls, Action<SwitchboardClientOptions>? configure = null)
    {
        var options = new SwitchboardClientOptions { Urls = urls.ToList(), UserId = userId };
        configure?.Invoke(options);
        var client = new SwitchboardClient(options);
        lock (_made) _made.Add(client);
        return client;
    }

    public SwitchboardClient Make(string? userId, Uri url, Action<SwitchboardClientOptions>? configure = null) => Make(userId, [url], configure);

    public async ValueTask DisposeAsync()
    {
        SwitchboardClient[] made;
        lock (_made) made = _made.ToArray();
        await Task.WhenAll(made.Select(c => c.DisposeAsync().AsTask()));
    }
}

public static class NodeAddresses
{
    /// <summary>The WebSocket endpoint of a node.</summary>
    public static Uri WebSocketUri(this Switchboard.IntegrationTests.Support.ServiceProcess node) =>
        new($"ws://{node.BaseUri.Authority}/ws");
}
