using Akka.Streams;
using Akka.Streams.Dsl;
using Switchboard.Streams.Inbound;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams;

/// <summary>
/// Builds and runs one connection's graph, both directions fused into one interpreter:
/// <code>
/// socket → FrameReader → (KeepAlive) → MessageAssembly (assembly, JSON decode, handler)
/// Outbox → OutboxSource → FrameWriter → socket
/// </code>
/// </summary>
public static class ConnectionGraph
{
    public static WebSocketConnection Run(string connectionId, ConnectionTransport transport, ConnectionOptions options,
        int? compressionLevel, ConnectionCounters counters, OutboundFrame firstFrame,
        Func<WebSocketConnection, IInboundHandler> handlerFactory, IMaterializer materializer)
    {
        var connection = new WebSocketConnection(connectionId, options, compressionLevel, transport, counters,
            materializer.ScheduleOnce);
        // Queued ahead of everything, heartbeat pings included: the contract makes it the first frame.
        connection.Outbox.SendControl(firstFrame);
        var handler = handlerFactory(connection);

        var frames = Source.FromGraph(new FrameReader(transport.Input, connection));
        if (options.KeepAlive is { } keepAlive)
            frames = frames.Via(new KeepAlive(connection, keepAlive));
        var inbound = frames.ToMaterialized(new MessageAssembly(connection, handler), Keep.Right);
        var outbound = Source.FromGraph(new OutboxSource(connection.Outbox, options.WriteBufferSize))
            .ToMaterialized(new FrameWriter(transport.Output, compressionLevel, counters), Keep.Right);

        var graph = RunnableGraph.FromGraph(GraphDsl.Create(inbound, outbound, Keep.Both,
            (_, _, _) => ClosedShape.Instance));

        counters.GraphStarted();
        var (inboundDone, outboundDone) = graph.Run(materializer);
        var outboundSignalled = outboundDone.ContinueWith(static (_, state) => ((WebSocketConnection)state!).OnOutboundFinished(),
            connection, TaskContinuationOptions.ExecuteSynchronously);
        connection.Completion = Finish(connection, inboundDone, outboundSignalled, counters);
        return connection;
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
        connection.OnFinished();
        counters.GraphFinished();
    }
}
