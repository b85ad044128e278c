using System.IO.Pipelines;
using Akka.Actor;
using Akka.Streams;
using BenchmarkDotNet.Attributes;
using Switchboard.Streams;
using Switchboard.Streams.Hosting;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Benchmarks;

/// <summary>
/// What one connection costs the hub's streams layer: its graph materialized on in-memory pipes, the welcome
/// frame written, then the client's end of stream. The rest of an upgrade (Kestrel, the handshake, routing
/// registration) is not in it.
/// </summary>
[MemoryDiagnoser]
public class ConnectionGraphBenchmarks
{
    private ActorSystem _system = null!;
    private ConnectionHosts _hosts = null!;
    private readonly ConnectionCounters _counters = new();
    private readonly ConnectionOptions _options = new();
    private readonly OutboundFrame _welcome = ServerFrames.Welcome("user", "connection", "node");

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench");
        _hosts = new ConnectionHosts(_system.Materializer(), ConnectionHosts.DefaultCount);
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    [Benchmark]
    public async Task ConnectWelcomeAndClose()
    {
        var toServer = new Pipe();
        var fromServer = new Pipe();
        var transport = new ConnectionTransport(toServer.Reader, fromServer.Writer, () => { });
        var connection = ConnectionGraph.Run("c", transport, _options, null, _counters, _welcome, _ => Ignore.Instance, _hosts);
        var welcome = await fromServer.Reader.ReadAsync();
        fromServer.Reader.AdvanceTo(welcome.Buffer.End);
        await toServer.Writer.CompleteAsync();
        await connection.Completion;
    }

    private sealed class Ignore : IInboundHandler
    {
        public static readonly Ignore Instance = new();

        public bool OnFrame(ClientFrame frame) => true;

        public void OnEnded()
        {
        }
    }
}
