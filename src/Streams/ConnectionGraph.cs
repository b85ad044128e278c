using Akka.Streams;
using Akka.Streams.Dsl;
using Switchboard.Streams.Inbound;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams;

/// <summary>
/// Runs one connection's graph, both directions fused into one interpreter:
/// <code>
/// socket → FrameReader → (KeepAlive) → MessageAssembly (assembly, JSON decode, handler)
/// Outbox → OutboxSource → FrameWriter → socket
/// </code>
/// The graph is a blueprint built and fused once; each connection materializes it with its own
/// <see cref="ConnectionAttribute"/>, so a connect pays for no graph building or fusing and keeps no
/// stages or modules of its own.
/// </summary>
public static class ConnectionGraph
{
    private static readonly Fusing.FusedGraph<ClosedShape, (Task Inbound, Task Outbound)> Plain = Blueprint(keepAlive: false);
    private static readonly Fusing.FusedGraph<ClosedShape, (Task Inbound, Task Outbound)> WithKeepAlive = Blueprint(keepAlive: true);

    public static WebSocketConnection Run(string connectionId, ConnectionTransport transport, ConnectionOptions options,
        int? compressionLevel, ConnectionCounters counters, OutboundFrame firstFrame,
        Func<WebSocketConnection, IInboundHandler> handlerFactory, IMaterializer materializer)
    {
        var connection = new WebSocketConnection(connectionId, options, compressionLevel, transport, counters,
            materializer.ScheduleOnce);
        // Queued ahead of everything, heartbeat pings included: the contract makes it the first frame.
        connection.Outbox.SendControl(firstFrame);
        var handler = handlerFactory(connection);

        var blueprint = options.KeepAlive is null ? Plain : WithKeepAlive;
        counters.GraphStarted();
        var (inboundDone, outboundDone) = materializer.Materialize(
            blueprint.AddAttributes(Attributes.None.And(new ConnectionAttribute(connection, handler))));
        var outboundSignalled = outboundDone.ContinueWith(static (_, state) => ((WebSocketConnection)state!).OnOutboundFinished(),
            connection, TaskContinuationOptions.ExecuteSynchronously);
        connection.Completion = Finish(connection, inboundDone, outboundSignalled, counters);
        return connection;
    }

    private static Fusing.FusedGraph<ClosedShape, (Task, Task)> Blueprint(bool keepAlive)
    {
        var frames = Source.FromGraph(new FrameReader());
        if (keepAlive)
            frames = frames.Via(new KeepAlive());
        var inbound = frames.ToMaterialized(new MessageAssembly(), Keep.Right);
        var outbound = Source.FromGraph(new OutboxSource()).ToMaterialized(new FrameWriter(), Keep.Right);
        return Fusing.Aggressive(RunnableGraph.FromGraph(GraphDsl.Create(inbound, outbound, Keep.Both,
            (_, _, _) => ClosedShape.Instance)));
    }

    private static async Task Finish(WebSocketConnection connection, Task inbound, Task outbound, ConnectionCounters counters)
    {
        try
        {
            await inbound;
        }
        catch (Exception)
        {
            // A handler failure ends the inbound side; tell the client it was our fault.
            connection.Outbox.Close(Framing.CloseCode.InternalError, "internal error", discardPending: true);
        }
        await outbound;
        try
        {
            await connection.Transport.Output.CompleteAsync();
        }
        finally
        {
            connection.OnFinished();
            counters.GraphFinished();
            counters.RecordClosed(connection.Outbox.CloseCode);
        }
    }
}
