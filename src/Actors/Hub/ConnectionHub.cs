using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Streams;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Actors.Hooks;
using Switchboard.Streams;
using Switchboard.Streams.Hosting;
using Switchboard.Streams.Json;

namespace Switchboard.Actors.Hub;

/// <summary>
/// This node's side of the hub: admits connections, runs each one's graph with one shared
/// materializer, and hands each to its partition (<see cref="NodePartitions"/>), which knows it from then on.
/// </summary>
public sealed class ConnectionHub
{
    private readonly string _idPrefix = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()));
    private readonly ActorSystem _system;
    private readonly ITokenRenewal? _renewal;
    private readonly ILoggingAdapter _log;
    private long _nextId;

    /// <param name="renewal">The node's token checks for <c>refresh</c>, when tokens are on.</param>
    /// <param name="hooks">The application's hooks, when any is configured.</param>
    public ConnectionHub(ActorSystem system, HubOptions options, string node, HubRouting routing,
        ConnectionCounters counters, ConnectionSlots slots, ITokenRenewal? renewal = null, HookCalls? hooks = null)
    {
        Hooks = hooks;
        Slots = slots;
        _system = system;
        _renewal = renewal;
        Options = options;
        Node = node;
        Routing = routing;
        Counters = counters;
        Hosts = new ConnectionHosts(system.Materializer(namePrefix: "connection-host"), options.ConnectionHosts);
        _log = Logging.GetLogger(system, typeof(ConnectionHub));
    }

    public HubOptions Options { get; }

    /// <summary>The application's hooks; null when none is configured, and then no connection asks about them.</summary>
    public HookCalls? Hooks { get; }

    /// <summary>The actors every connection graph of this node runs on.</summary>
    public ConnectionHosts Hosts { get; }
    public string Node { get; }
    public HubRouting Routing { get; }
    public ConnectionCounters Counters { get; }
    public ConnectionSlots Slots { get; }

    /// <summary>Takes a connection slot; false when MaxConnections is reached.</summary>
    public bool TryAdmit() => Slots.TryReserve(Options.MaxConnections);

    /// <summary>Gives back a slot taken by <see cref="TryAdmit"/> for a connection that never ran.</summary>
    public void Release() => Slots.Release();

    /// <summary>
    /// A new connection id, unique to this node's run. Taken before the upgrade only when something must name the
    /// connection before it runs (a place reserved for it under the cluster-wide bound per user); else when it runs.
    /// </summary>
    public string NewConnectionId() => $"{_idPrefix}-{Interlocked.Increment(ref _nextId):x}";

    /// <summary>
    /// Runs an admitted connection; the task completes once it has closed and its slot is released. Not async: the
    /// connection tells its session when it has ended (<see cref="Ended"/>), so nothing here waits as long as it lives.
    /// </summary>
    /// <param name="groups">Groups joined at connect time.</param>
    /// <param name="grant">What the connection's token allows; <see cref="ConnectionGrant.None"/> without tokens.</param>
    /// <param name="remoteAddress">The client's address, shown by the admin API.</param>
    /// <param name="resume">The user-stream position the client named, and <paramref name="resumeGroups"/> the groups it asked to resume.</param>
    /// <param name="lease">Disposed when the connection has ended (the caller's places in its quotas).</param>
    /// <param name="connectionId">The id taken before the upgrade (<see cref="NewConnectionId"/>); null for a new one.</param>
    /// <param name="app">What the connect hook gave the connection (welcome's <c>data.app</c>, its session's end); null without one.</param>
    public Task RunAsync(ConnectionTransport transport, string userId, IReadOnlyList<string> groups, bool compress,
        ConnectionGrant? grant = null, string? remoteAddress = null, StreamPosition? resume = null,
        IReadOnlyDictionary<string, StreamPosition>? resumeGroups = null, IDisposable? lease = null, string? connectionId = null,
        AppSession? app = null)
    {
        grant ??= ConnectionGrant.None;
        LocalConnection? local = null;
        try
        {
            var id = connectionId ?? NewConnectionId();
            return ConnectionGraph.Run(id, transport, Options.Connection, compress ? Options.CompressionLevel : null,
                // With history on the welcome carries the stream's position, so the node's delivery sends it once it knows.
                Counters, Routing.HistoryOn ? null : ServerFrames.Welcome(userId, id, Node, app: AppSession.WelcomeDataOf(app)), c =>
                {
                    // Registered before the graph runs, so that routing knows the connection
                    // before the first frame the client sends.
                    local = new LocalConnection(c, userId, Routing.Partitions.Of(userId)) { RemoteAddress = remoteAddress, Lease = lease, Info = grant.Info };
                    if (_log.IsDebugEnabled)
                        _log.Debug("Connection {ConnectionId} of {UserId} opened from {RemoteAddress}", c.Id, userId, remoteAddress ?? "");
                    local.Partition.Tell(new DeliveryProtocol.ConnectionOpened(local, groups, resume, resumeGroups, grant.Expires, app));
                    return new ConnectionSession(local, this, Options.MessageRate, grant, _renewal);
                }, Hosts).Completion;
        }
        catch
        {
            // The graph was never launched, so its session will not say it ended (a launch no host took still does).
            if (local is null)
            {
                Release();
                lease?.Dispose();
            }
            else
            {
                Ended(local);
            }
            throw;
        }
    }

    /// <summary>
    /// Sends a message from <paramref name="sender"/> to every connection of every node: encoded once, here, and carried
    /// by pub-sub to each node's delivery. The one way a broadcast leaves a node, whether a client or the HTTP API sent it.
    /// </summary>
    public void Broadcast(string type, ReadOnlyMemory<byte> data, string sender)
    {
        var encoded = Counters.DeliveryClock.Accepted(
            ServerFrames.Routed(new RoutedFields(type, data, sender, DateTimeOffset.UtcNow.ToUnixTimeSeconds())));
        Routing.Broadcasts.Tell(new Publish(NodeConnections.BroadcastTopic, new DeliveryProtocol.Broadcast(encoded)));
    }

    /// <summary>A fault of ours while handling a connection's frame: the frame got an error, the operator gets the trace.</summary>
    internal void LogFault(Exception fault, string connectionId) =>
        _log.Error(fault, "Handling a frame of connection {ConnectionId} failed", connectionId);

    /// <summary>A connection has ended (its session says so): nothing of this node refers to it any more.</summary>
    internal void Ended(LocalConnection local)
    {
        LogClosed(local);
        local.Partition.Tell(new DeliveryProtocol.ConnectionClosed(local));
        Slots.Release();
        local.Lease?.Dispose();
    }

    // A close the node made for a cause (kicked, slow, silent, token expired, protocol error) is worth a line an operator
    // sees; the everyday ones (the client left, the node drains) only at Debug: at 100,000 connections they are a flood.
    private void LogClosed(LocalConnection local)
    {
        var connection = local.Connection;
        var code = connection.Outbox.CloseCode;
        var forCause = !connection.ClosedByPeer && code is not (null or Streams.Framing.CloseCode.Normal or Streams.Framing.CloseCode.GoingAway);
        if (forCause)
        {
            _log.Info("Connection {ConnectionId} of {UserId} closed by the node with {CloseCode} {CloseReason}", connection.Id,
                local.UserId, code!.Value, connection.Outbox.CloseReason ?? "");
        }
        else if (_log.IsDebugEnabled)
        {
            _log.Debug("Connection {ConnectionId} of {UserId} closed by the {ClosedBy} with {CloseCode}", connection.Id, local.UserId,
                connection.ClosedByPeer ? "client" : code is null ? "network" : "node", code?.ToString() ?? "none");
        }
    }

    /// <summary>This node's connections now, as its partitions hold them; none once the actor system has stopped.</summary>
    public async Task<LocalConnection[]> ListAsync(TimeSpan timeout)
    {
        // The graphs run on the actor system's materializer: when it has stopped, so have they, and there is nobody to ask.
        if (_system.WhenTerminated.IsCompleted)
            return [];
        try
        {
            return await Routing.Node.Ask<LocalConnection[]>(DeliveryProtocol.ListHere.Instance, timeout);
        }
        catch (AskTimeoutException) when (_system.WhenTerminated.IsCompleted)
        {
            return [];
        }
    }

    /// <summary>Closes every connection with <paramref name="code"/> and waits for them, at most <paramref name="timeout"/>.</summary>
    public async Task CloseAllAsync(ushort code, string reason, TimeSpan timeout)
    {
        LocalConnection[] connections;
        try
        {
            connections = await ListAsync(timeout);
        }
        catch (AskTimeoutException)
        {
            // A stop goes on: the connections close with the actor system, abruptly rather than with the code.
            _log.Warning("The node's connection partitions did not say which connections to close with {CloseCode} within {Timeout}",
                code, timeout);
            return;
        }
        var closing = connections.Select(c =>
        {
            c.Connection.Close(code, reason);
            return c.Connection.Completion;
        }).ToList();
        await Task.WhenAny(Task.WhenAll(closing), Task.Delay(timeout));
    }
}
