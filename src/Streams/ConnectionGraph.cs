using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Switchboard.Streams.Hosting;
using Switchboard.Streams.Inbound;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams;

/// <summary>
/// Runs one connection's graph, both directions fused into one interpreter, each direction one stage:
/// <code>
/// socket → InboundSide (framing, assembly, JSON decode, handler; the heartbeat with a keep-alive)
/// Outbox → OutboundSide → socket
/// </code>
/// The stages meet at the <see cref="Outbox"/>, the connection's bounded buffer with its overflow policy, not at a port:
/// every port costs each connection a connection object in the interpreter and a push per frame.
/// The graph is a blueprint built and fused once; each connection materializes it with its own
/// <see cref="ConnectionAttribute"/>, so a connect pays for no graph building or fusing and keeps no
/// stages or modules of its own; and it runs on one of the node's <see cref="ConnectionHosts"/>, so a
/// connect creates no actor either.
/// </summary>
public static class ConnectionGraph
{
    private static readonly Fusing.FusedGraph<ClosedShape, NotUsed> Plain = Blueprint(keepAlive: false);
    private static readonly Fusing.FusedGraph<ClosedShape, NotUsed> WithKeepAlive = Blueprint(keepAlive: true);

    public static WebSocketConnection Run(string connectionId, ConnectionTransport transport, ConnectionOptions options,
        int? compressionLevel, ConnectionCounters counters, OutboundFrame? firstFrame,
        Func<WebSocketConnection, IInboundHandler> handlerFactory, ConnectionHosts hosts)
    {
        var connection = new WebSocketConnection(connectionId, options, compressionLevel, transport, counters, hosts);
        // Queued ahead of everything, heartbeat pings included: the contract makes it the first frame. Null when the caller
        // sends it later (the welcome that waits for a stream position).
        if (firstFrame is not null)
            connection.Outbox.SendControl(firstFrame);
        connection.Handler = handlerFactory(connection);

        var blueprint = options.KeepAlive is null ? Plain : WithKeepAlive;
        counters.GraphStarted();
        // Once it runs, the graph's stages tell the connection when each side ends (it then finishes itself and tells its
        // handler); until then only this continuation holds it, for a launch no host took.
        hosts.LaunchAsync(blueprint.AddAttributes(Attributes.None.And(new ConnectionAttribute(connection))))
            .ContinueWith(static (launch, state) => ((WebSocketConnection)state!).OnNeverRan(), connection,
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        return connection;
    }

    private static Fusing.FusedGraph<ClosedShape, NotUsed> Blueprint(bool keepAlive) =>
        Fusing.Aggressive(RunnableGraph.FromGraph(GraphDsl.Create(builder =>
        {
            builder.Add(new InboundSide(keepAlive));
            builder.Add(new OutboundSide());
            return ClosedShape.Instance;
        })));
}
