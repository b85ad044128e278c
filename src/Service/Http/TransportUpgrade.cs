using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Actors.Hub;
using Switchboard.Service.Auth;
using Switchboard.Service.Hosting;
using Switchboard.Service.RateLimiting;
using Switchboard.Service.Settings;
using Switchboard.Streams;

namespace Switchboard.Service.Http;

/// <summary>
/// A Kestrel connection middleware that takes well-formed WebSocket upgrades to the hub straight off
/// the connection, before Kestrel's HTTP/1.1 layer: the connection then runs on the transport's own
/// pipes, without a request, its headers, an upgrade stream and their state machines (a third of an
/// idle connection's memory; docs/performance.md). Every other request, and every upgrade the hub
/// would refuse or the rate limiter would see, goes on to the HTTP pipeline, which answers it as
/// <see cref="WebSocketEndpoint"/> always has. A refusal decided once the connect hook was asked goes on with the request
/// (<see cref="HandOver"/>), so that the HTTP pipeline answers it without asking the application again.
/// </summary>
public sealed class TransportUpgrade(ConnectionDelegate next, string path, IServiceProvider services)
{
    /// <summary>A longer request head (large cookies) takes the HTTP path.</summary>
    public const int MaxHeadBytes = 8192;

    private static readonly byte[] RequestTimeout = "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray();

    private readonly byte[] _start = UpgradeRequest.StartOf(path);
    private readonly string _route = RoutePath.Normalize(path); // as the rate limiter spells it
    private HubServices? _resolved;

    // Resolved on the first connection rather than when Kestrel binds, whatever order the host starts its services in.
    private sealed record HubServices(UpgradeAdmission Admission, RateLimiter? Limiter, SharedDeadline Deadline, bool AppAuthenticates);

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        // What the upgrade needed (the request, the admission, the handshake) is garbage once it runs: this frame, which
        // waits as long as the connection lives, keeps only the running connection.
        if (await UpgradeAsync(connection) is { } running)
            await running;
    }

    /// <summary>The upgraded connection, running; null once a connection that was not one has been served or has closed.</summary>
    private async ValueTask<Task?> UpgradeAsync(ConnectionContext connection)
    {
        var hub = Volatile.Read(ref _resolved) ?? Resolve();
        var (outcome, admitted) = await ReadHeadAsync(connection, hub);
        if (outcome == Outcome.Http)
            await next(connection);
        if (outcome != Outcome.Upgrade || admitted is null)
            return null;
        try
        {
            admitted.Handshake.WriteResponse(connection.Transport.Output);
            await connection.Transport.Output.FlushAsync();
        }
        catch
        {
            admitted.Abandon();
            throw;
        }
        return admitted.RunAsync(new ConnectionTransport(connection.Transport.Input, connection.Transport.Output, connection.Abort));
    }

    private enum Outcome { Upgrade, Http, Closed }

    // Its own method, so that the request's headers are garbage once it returns rather than kept by
    // the state machine of a connection that runs for hours.
    private async ValueTask<(Outcome, AdmittedUpgrade?)> ReadHeadAsync(ConnectionContext connection, HubServices hub)
    {
        var input = connection.Transport.Input;
        var deadline = hub.Deadline.Token;
        var started = false;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await input.ReadAsync(deadline);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                // Silent past the handshake timeout: a request cut short gets Kestrel's answer, 408.
                if (started)
                    await connection.Transport.Output.WriteAsync(RequestTimeout);
                return (Outcome.Closed, null);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                return (Outcome.Closed, null); // reset or aborted before a request came
            }
            var buffer = read.Buffer;
            var scan = Scan(buffer, out var request, out var head);
            if (scan == UpgradeRequest.Scan.Ready && await AdmitAsync(request!, hub, connection) is { } admitted)
            {
                input.AdvanceTo(buffer.GetPosition(head));
                return (Outcome.Upgrade, admitted);
            }
            if (scan != UpgradeRequest.Scan.NeedMore || read.IsCompleted || buffer.Length >= MaxHeadBytes)
            {
                input.AdvanceTo(buffer.Start);
                return (Outcome.Http, null);
            }
            started = !buffer.IsEmpty;
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private HubServices Resolve()
    {
        var options = services.GetRequiredService<SwitchboardOptions>();
        var hub = new HubServices(services.GetRequiredService<UpgradeAdmission>(), services.GetService<RateLimiter>(),
            new SharedDeadline(options.HandshakeTimeout), services.GetRequiredService<AuthOptions>().UseHttpContextUser);
        return Interlocked.CompareExchange(ref _resolved, hub, null) ?? hub;
    }

    private UpgradeRequest.Scan Scan(ReadOnlySequence<byte> buffer, out UpgradeRequest? request, out int head)
    {
        var bytes = buffer.Slice(0, Math.Min(buffer.Length, MaxHeadBytes));
        if (bytes.IsSingleSegment)
            return UpgradeRequest.TryRead(bytes.FirstSpan, _start, out request, out head);
        Span<byte> copy = stackalloc byte[(int)bytes.Length];
        bytes.CopyTo(copy);
        return UpgradeRequest.TryRead(copy, _start, out request, out head);
    }

    // Only upgrades that will be accepted, none the rate limiter would see, and none the app authenticates itself:
    // the HTTP path words every refusal and runs the app's middleware. Nor does it wait for a signing key being fetched:
    // such an upgrade goes on to the HTTP path, which waits under its own deadline (waiting here too would double it).
    private async ValueTask<AdmittedUpgrade?> AdmitAsync(UpgradeRequest request, HubServices hub, ConnectionContext connection)
    {
        if (hub.Limiter?.Policy.Limits(_route) == true || hub.AppAuthenticates)
            return null;
        var (admitted, refusal) = await hub.Admission.AdmitAsync("GET", request.Query, request.Headers, upgradable: true,
            (connection.RemoteEndPoint as System.Net.IPEndPoint)?.Address, waitForKeys: false);
        if (refusal is { HookAsked: true })
            connection.Items[HandOver.Key] = refusal;
        return admitted;
    }

    /// <summary>
    /// A refusal handed from the transport to the HTTP pipeline with the request it refused, in the connection's items: hook
    /// calls are never repeated (PROTOCOL.md "Application hooks"), and the application answered this upgrade once already.
    /// </summary>
    public static class HandOver
    {
        internal static readonly object Key = new();

        /// <summary>The refusal the transport decided for this connection's first request, taken once; null when none.</summary>
        public static UpgradeRefusal? Take(HttpContext context)
        {
            if (context.Features.Get<IConnectionItemsFeature>()?.Items is not { } items || !items.Remove(Key, out var refusal))
                return null;
            return refusal as UpgradeRefusal;
        }
    }
}
