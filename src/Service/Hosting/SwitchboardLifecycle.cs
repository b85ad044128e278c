using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Actors.Hub;
using Switchboard.Service.Settings;
using Switchboard.Streams.Framing;

namespace Switchboard.Service.Hosting;

/// <summary>
/// Validates the settings before anything starts, marks the node serving once it is a cluster
/// member, and on shutdown closes every connection with 1001 before the actor system and Kestrel stop.
/// </summary>
public sealed class SwitchboardLifecycle(
    IServiceProvider services,
    NodeState node,
    ILogger<SwitchboardLifecycle> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // Resolving the settings validates them: an invalid value stops start-up here, with its message.
        _ = Get<SwitchboardOptions>();
        _ = Get<Auth.AuthOptions>();
        _ = Get<Actors.Namespaces.NamespaceBook>();
        _ = Get<Actors.Namespaces.PresenceOptions>();
        _ = Get<Hooks.HooksSettings>();
        _ = Get<Actors.Hooks.AppHooks>();
        _ = Get<Events.EventsSettings>();
        _ = Get<Remoting.ClusterTlsSettings>();
        WarnWhenCapped(Get<ConnectionCap>());
        return Task.CompletedTask;
    }

    private void WarnWhenCapped(ConnectionCap cap)
    {
        if (!cap.IsLowered || cap.Budget is not { } budget)
            return;
        logger.LogWarning(
            "MaxConnections is {Configured} but the open-file limit is {Limit} ({Open} open at start, {Reserve} kept for the node, " +
            "{Http} for plain HTTP): this node takes at most {Cap} WebSocket connections. Raise the limit (ulimit -n, LimitNOFILE, " +
            "docker --ulimit nofile) to take more", cap.Configured, budget.Limit, budget.OpenAtStart, budget.Reserve,
            budget.HttpShare, cap.MaxConnections);
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var system = Get<ActorSystem>();
        Cluster.Get(system).RegisterOnMemberUp(node.MemberUp);
        var hub = Get<ConnectionHub>();
        logger.LogInformation("Switchboard node {Node} started; at most {MaxConnections} connections", hub.Node,
            hub.Options.MaxConnections);
        WarnWhenOpen();
        return Task.CompletedTask;
    }

    // Only the bound addresses tell whether other hosts can reach the node: the defaults are safe on loopback
    // and say too little beyond it.
    private void WarnWhenOpen()
    {
        var addresses = (services.GetService(typeof(IServer)) as IServer)?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var open = Unguarded(Get<Auth.AuthOptions>(), addresses ?? []);
        if (open.Count == 0)
            return;
        logger.LogWarning(
            "This node listens beyond loopback ({Addresses}) with neither Auth:ApiKeys nor Auth:Jwt configured: the HTTP API " +
            "answers loopback callers only (protected mode), and WebSocket clients name any user id they like. Configure " +
            "Auth:ApiKeys for the API and Auth:Jwt for clients (docs/security.md)", string.Join(", ", open));
    }

    /// <summary>The bound addresses other hosts can reach while neither API keys nor tokens are configured; else none.</summary>
    public static IReadOnlyList<string> Unguarded(Auth.AuthOptions auth, IEnumerable<string> addresses) =>
        auth.ApiKeys.Count > 0 || auth.Jwt is not null ? [] : addresses.Where(BeyondLoopback).ToList();

    /// <summary>An address as Kestrel reports it that other hosts can reach: not loopback, not a Unix socket.</summary>
    public static bool BeyondLoopback(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is ("http" or "https")
        && uri.Host != "unix" && !uri.IsLoopback;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        node.Draining();
        var hub = Get<ConnectionHub>();
        var timeout = Get<SwitchboardOptions>().ShutdownTimeout;
        logger.LogInformation("Draining: closing {Count} connections with 1001", hub.Slots.Count);
        await hub.CloseAllAsync(CloseCode.GoingAway, "server shutting down", timeout);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private T Get<T>() where T : notnull => (T)services.GetService(typeof(T))!;
}
