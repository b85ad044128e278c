using Akka.Streams;
using Akka.Streams.Dsl;
using Switchboard.Streams.Hosting;
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
/// stages or modules of its own; and it runs on one of the node's <see cref="ConnectionHosts"/>, so a
/// connect creates no actor either.
/// </summary>
public static class ConnectionGraph
{
    private static readonly Fusing.FusedGraph<ClosedShape, (Task Inbound, Task Outbound)> Plain = Blueprint(keepAlive: false);
    private static readonly Fusing.FusedGraph<ClosedShape, (Task Inbound, Task Outbound)> WithKeepAlive = Blueprint(keepAlive: true);

    public static WebSocketConnection Run(string connectionId, ConnectionTransport transport, ConnectionOptions options,
        int? compressionLevel, ConnectionCounters counters, OutboundFrame? firstFrame,
        Func<WebSocketConnection, IInboundHandler> handlerFactory, ConnectionHosts hosts)
    {
        var connection = new WebSocketConnection(connectionId, options, compressionLevel, transport, counters, hosts.ScheduleOnce);
        // Queued ahead of everything, heartbeat pings included: the contract makes it the first frame. Null when the caller
        // sends it later (the welcome that waits for a stream position).
        if (firstFrame is not null)
            connection.Outbox.SendControl(firstFrame);
        var handler = handlerFactory(connection);

        var blueprint = options.KeepAlive is null ? Plain : WithKeepAlive;
        counters.GraphStarted();
        connection.Completion = RunAsync(connection, hosts.LaunchAsync(
            blueprint.AddAttributes(Attributes.None.And(new ConnectionAttribute(connection, handler)))), counters);
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

    private static async Task RunAsync(WebSocketConnection connection, Task<(Task Inbound, Task Outbound)> launched,
        ConnectionCounters counters)
    {
        // Set when the graph could not send its own close frame (its host died or never ran it) and one is written here.
        var closedHere = false;
        try
        {
            var (inbound, outbound) = await launched;
            // This frame lives as long as the connection: it lets go of the launch and the graph copy the launch holds.
            launched = null!;
            // Told as soon as it happens, while the inbound side may still be waiting on the socket.
            var outboundSignalled = outbound.ContinueWith(static (_, state) => ((WebSocketConnection)state!).OnOutboundFinished(),
                connection, TaskContinuationOptions.ExecuteSynchronously);
            try
            {
                await inbound;
            }
            catch (Exception)
            {
                // The handler failed; MessageAssembly has closed the connection with 1011.
            }
            await outboundSignalled;
            // Faulted: the graph was torn down under the writer (its host died).
            closedHere = outbound.IsFaulted;
        }
        catch (ConnectionHostStoppedException)
        {
            await connection.Transport.Input.CompleteAsync();
            closedHere = true;
        }
        if (closedHere)
            await connection.WriteCloseAsync(Framing.CloseCode.InternalError, "internal error");
        try
        {
            await connection.Transport.Output.CompleteAsync();
        }
        finally
        {
            connection.OnFinished();
            counters.GraphFinished();
            counters.RecordClosed(closedHere ? Framing.CloseCode.InternalError : connection.Outbox.CloseCode);
        }
    }
}
