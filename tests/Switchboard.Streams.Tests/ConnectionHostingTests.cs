using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Implementation;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Hosting;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Streams.Tests;

/// <summary>
/// Connection graphs on shared host actors, over in-memory pipes: a failure stays in its connection, a host that dies
/// closes its own connections with 1011 and is replaced, and the others never notice.
/// </summary>
public sealed class ConnectionHostingTests : IAsyncLifetime
{
    private const int Hosts = 2;
    private ActorSystem _system = null!;
    private ConnectionHosts _hosts = null!;
    private readonly ConnectionCounters _counters = new();

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("hosting");
        _hosts = new ConnectionHosts(_system.Materializer(), Hosts);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    [Fact]
    public async Task A_connection_whose_handler_fails_is_closed_with_1011_and_its_host_neighbours_go_on()
    {
        // Dealt in turn, so with two hosts every other connection shares a host with the failing one.
        var connections = new List<PipeConnection>();
        for (var i = 0; i < 2 * Hosts; i++)
            connections.Add(await OpenAsync($"c{i}"));

        await connections[0].SendAsync("""{"type":"boom"}""");
        Assert.Equal((Opcode.Close, 1011), await connections[0].ReceiveCloseAsync());
        await connections[0].Connection.Completion;
        Assert.Equal(1, connections[0].Handler.Ends);

        foreach (var other in connections.Skip(1))
            Assert.Equal("""{"type":"echo"}""", await other.EchoAsync("""{"type":"echo"}"""));
    }

    [Fact]
    public async Task A_handler_that_holds_as_many_frames_as_it_will_stops_the_reading_until_it_resumes_it()
    {
        var held = await OpenAsync("held");
        Assert.Equal("""{"type":"hold"}""", await held.EchoAsync("""{"type":"hold"}"""));
        await held.SendAsync("""{"type":"after"}""");
        await held.SendAsync("""{"type":"later"}""");
        // Nothing more was handled: the socket is not read while the handler holds (a failure here would be a read that went on).
        Assert.Equal(["hold"], held.Handler.Types);

        held.Connection.ResumeReading();
        Assert.Equal((Opcode.Text, """{"type":"after"}"""), await held.ReceiveTextAsync());
        Assert.Equal((Opcode.Text, """{"type":"later"}"""), await held.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_read_of_thousands_of_frames_takes_turns_with_its_host_neighbours()
    {
        // Dealt in turn over two hosts: the first and the third connection share one.
        var flood = await OpenAsync("flood");
        await OpenAsync("elsewhere");
        var neighbour = await OpenAsync("neighbour");
        const int floodFrames = 100_000;
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var handledAll = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var neighbourSent = 0;
        flood.Handler.OnQuiet = () =>
        {
            order.Enqueue("flood");
            // While the host is busy with the flood's one read, the neighbour's frame arrives.
            if (Interlocked.Exchange(ref neighbourSent, 1) == 0)
                _ = neighbour.SendAsync("""{"type":"quiet"}""");
            if (order.Count == floodFrames + 1)
                handledAll.TrySetResult();
        };
        neighbour.Handler.OnQuiet = () =>
        {
            order.Enqueue("neighbour");
            if (order.Count == floodFrames + 1)
                handledAll.TrySetResult();
        };

        var frame = ClientFrames.Build(1, """{"type":"quiet"}"""u8.ToArray());
        await flood.SendRawAsync(Enumerable.Repeat(frame, floodFrames).SelectMany(f => f).ToArray());
        await handledAll.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // Handled before the flood's last frame: the flood did not hold the host for its whole read.
        Assert.Contains("flood", order.SkipWhile(o => o != "neighbour"));
    }

    [Fact]
    public async Task A_connection_whose_socket_is_reset_ends_counted_as_a_reset_and_its_host_neighbours_go_on()
    {
        var connections = new List<PipeConnection>();
        for (var i = 0; i < 2 * Hosts; i++)
            connections.Add(await OpenAsync($"c{i}"));

        await connections[0].ResetAsync();
        await connections[0].Connection.Completion;

        Assert.Equal(1, connections[0].Handler.Ends);
        Assert.Equal(1, _counters.ClosedWith(ClosedCodes.IndexOf(null))); // ended without a close frame, as before
        Assert.Equal(new long[] { 1, 0, 0 }, SocketFailures.Kinds.Select(_counters.SocketFailed));
        foreach (var other in connections.Skip(1))
            Assert.Equal("""{"type":"echo"}""", await other.EchoAsync("""{"type":"echo"}"""));
    }

    [Fact]
    public async Task A_connection_whose_transport_fails_its_writes_ends_counted_as_unexpected_and_its_host_neighbours_go_on()
    {
        var connections = new List<PipeConnection>();
        for (var i = 0; i < 2 * Hosts; i++)
            connections.Add(await OpenAsync($"c{i}"));

        connections[0].FailSending(new InvalidOperationException("the transport's send loop failed"));
        await connections[0].SendAsync("""{"type":"echo"}"""); // its answer meets the failure
        await connections[0].Connection.Completion;

        Assert.Equal(1, connections[0].Handler.Ends);
        Assert.Equal(new long[] { 0, 0, 1 }, SocketFailures.Kinds.Select(_counters.SocketFailed));
        foreach (var other in connections.Skip(1))
            Assert.Equal("""{"type":"echo"}""", await other.EchoAsync("""{"type":"echo"}"""));
    }

    [Fact]
    public async Task A_host_that_dies_closes_its_connections_with_1011_and_is_replaced_while_the_others_go_on()
    {
        var connections = new List<PipeConnection>();
        for (var i = 0; i < 2 * Hosts; i++)
            connections.Add(await OpenAsync($"c{i}"));
        var hostActors = await HostActorsAsync();
        Assert.Equal(Hosts, hostActors.Count);

        var victim = hostActors[0];
        var watcher = _system.ActorOf(Props.Create(() => new Watcher(victim)));
        var stopped = await watcher.Ask<Terminated>("stop", TimeSpan.FromSeconds(10));
        Assert.Equal(victim, stopped.ActorRef);

        // The dead host's connections are told, the others answer as before.
        var answers = new List<(Opcode, int)>();
        foreach (var connection in connections)
        {
            await connection.SendAsync("""{"type":"echo"}""");
            var (opcode, payload) = await connection.ReceiveAsync();
            answers.Add((opcode, opcode == Opcode.Close ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 0));
        }
        Assert.Equal(Hosts, answers.Count(a => a == (Opcode.Close, 1011)));
        Assert.Equal(Hosts, answers.Count(a => a == (Opcode.Text, 0)));
        // Each of them ended once, and said so to its handler.
        foreach (var closed in connections.Where((_, i) => answers[i] == (Opcode.Close, 1011)))
        {
            await closed.Connection.Completion;
            Assert.Equal(1, closed.Handler.Ends);
        }

        // The host is replaced (once its stage has reported it stopped): new connections run, on as many hosts as before.
        Assert.Equal("""{"type":"echo"}""", await (await OpenAsync("after")).EchoAsync("""{"type":"echo"}"""));
        Assert.Equal(Hosts, await HostCountOnceReplacedAsync());
    }

    // The replacement starts when the dead host's stopped task completes, which is not ordered with its Terminated.
    private async Task<int> HostCountOnceReplacedAsync()
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var count = (await HostActorsAsync()).Count;
            if (count == Hosts || DateTime.UtcNow > giveUp)
                return count;
            await Task.Delay(20);
        }
    }

    private async Task<List<IActorRef>> HostActorsAsync() =>
        [.. (await _hosts.Materializer.Supervisor.Ask<StreamSupervisor.Children>(StreamSupervisor.GetChildren.Instance,
            TimeSpan.FromSeconds(10))).Refs.OrderBy(r => r.Path.Name, StringComparer.Ordinal)];

    private async Task<PipeConnection> OpenAsync(string id)
    {
        var toServer = new Pipe();
        var fromServer = new Pipe();
        EchoHandler? handler = null;
        var connection = ConnectionGraph.Run(id, new ConnectionTransport(toServer.Reader, fromServer.Writer, () => { }),
            new ConnectionOptions(), null, _counters, OutboundFrame.Text("""{"type":"welcome"}"""u8), c => handler = new EchoHandler(c), _hosts);
        var client = new PipeConnection(connection, handler!, toServer.Writer, fromServer.Reader);
        Assert.Equal((Opcode.Text, """{"type":"welcome"}"""), await client.ReceiveTextAsync());
        return client;
    }

    /// <summary>
    /// Echoes every frame's type back but <c>quiet</c> ones; a frame of type <c>boom</c> makes it throw, as a broken handler would, and one of type
    /// <c>hold</c> makes it hold as many as it will (reading stops until the test resumes it).
    /// </summary>
    private sealed class EchoHandler(WebSocketConnection connection) : IInboundHandler
    {
        private int _ends;

        /// <summary>The types of the frames handled, in order.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<string> Types { get; } = new();

        /// <summary>How often the connection said it had ended.</summary>
        public int Ends => Volatile.Read(ref _ends);

        /// <summary>Called for each frame of type <c>quiet</c>, which is not echoed.</summary>
        public Action OnQuiet { get; set; } = () => { };

        public void OnEnded() => Interlocked.Increment(ref _ends);

        public bool OnFrame(ClientFrame frame)
        {
            if (frame.Type == "boom")
                throw new InvalidOperationException("boom");
            if (frame.Type == "quiet")
            {
                OnQuiet();
                return true;
            }
            Types.Enqueue(frame.Type!);
            connection.Send(OutboundFrame.Text(Encoding.UTF8.GetBytes($$"""{"type":"{{frame.Type}}"}""")));
            return frame.Type != "hold";
        }
    }

    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef victim)
        {
            IActorRef? asker = null;
            Receive<string>(_ =>
            {
                asker = Sender;
                Context.Watch(victim);
                victim.Tell(Kill.Instance);
            });
            Receive<Terminated>(t => asker!.Tell(t));
        }
    }

    /// <summary>The client's ends of one connection's pipes: masked frames in, the server's frames read back.</summary>
    private sealed class PipeConnection(WebSocketConnection connection, EchoHandler handler, PipeWriter toServer, PipeReader fromServer)
    {
        public WebSocketConnection Connection { get; } = connection;
        public EchoHandler Handler { get; } = handler;

        /// <summary>Ends the server's input with a reset, as Kestrel's transport does when the peer resets the TCP connection.</summary>
        public ValueTask ResetAsync() =>
            toServer.CompleteAsync(new IOException("Connection reset by peer", new SocketException((int)SocketError.ConnectionReset)));

        /// <summary>Stops taking the server's output with a fault, as Kestrel's send loop does when it meets an unexpected one.</summary>
        public void FailSending(Exception fault) => fromServer.Complete(fault);

        public async Task SendAsync(string json)
        {
            await toServer.WriteAsync(ClientFrames.Build(1, Encoding.UTF8.GetBytes(json)));
        }

        /// <summary>Frames already built, in one write: the server reads them all at once.</summary>
        public async Task SendRawAsync(byte[] frames) => await toServer.WriteAsync(frames);

        public async Task<string> EchoAsync(string json)
        {
            await SendAsync(json);
            var (opcode, text) = await ReceiveTextAsync();
            Assert.Equal(Opcode.Text, opcode);
            return text;
        }

        public async Task<(Opcode, string)> ReceiveTextAsync()
        {
            var (opcode, payload) = await ReceiveAsync();
            return (opcode, Encoding.UTF8.GetString(payload));
        }

        public async Task<(Opcode, int)> ReceiveCloseAsync()
        {
            var (opcode, payload) = await ReceiveAsync();
            return (opcode, payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 0);
        }

        // Server frames are unmasked and, here, short: a two-byte header or a 16-bit length.
        public async Task<(Opcode, byte[])> ReceiveAsync()
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                var read = await fromServer.ReadAsync(deadline.Token);
                var buffer = read.Buffer;
                if (buffer.Length >= 2)
                {
                    var header = buffer.Slice(0, Math.Min(4, buffer.Length)).ToArray();
                    var length = header[1] & 0x7F;
                    var offset = 2;
                    if (length == 126 && header.Length >= 4)
                    {
                        length = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
                        offset = 4;
                    }
                    if (length != 126 && buffer.Length >= offset + length)
                    {
                        var payload = buffer.Slice(offset, length).ToArray();
                        fromServer.AdvanceTo(buffer.GetPosition(offset + length));
                        return ((Opcode)(header[0] & 0x0F), payload);
                    }
                }
                if (read.IsCompleted)
                    throw new EndOfStreamException("the server's side ended without a whole frame");
                fromServer.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }
}
