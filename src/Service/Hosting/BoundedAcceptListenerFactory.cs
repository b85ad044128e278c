using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Switchboard.Service.Hosting;

/// <summary>
/// Kestrel's socket transport, accepting a socket only while one of <paramref name="slots"/> is free.
/// Kestrel's own connection limits close a connection after accepting it, and its accept loop retries at
/// once when accept fails: a burst of clients beyond the open-file limit makes it spin on EMFILE until the
/// runtime fails. Waiting for a slot leaves the burst in the kernel's listen backlog instead.
/// </summary>
public sealed class BoundedAcceptListenerFactory(IConnectionListenerFactory sockets, int slots)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SemaphoreSlim _slots = new(slots, slots);

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new Listener(await sockets.BindAsync(endpoint, cancellationToken), _slots);

    public bool CanBind(EndPoint endpoint) => sockets is not IConnectionListenerFactorySelector selector || selector.CanBind(endpoint);

    private sealed class Listener(IConnectionListener inner, SemaphoreSlim slots) : IConnectionListener
    {
        // Kestrel's accept loop passes no token, so unbinding must end a wait for a slot itself.
        private readonly CancellationTokenSource _unbinding = new();

        public EndPoint EndPoint => inner.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            if (!slots.Wait(0))
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _unbinding.Token);
                try
                {
                    await slots.WaitAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
            ConnectionContext? connection;
            try
            {
                connection = await inner.AcceptAsync(cancellationToken);
            }
            catch
            {
                slots.Release();
                throw;
            }
            if (connection is not null)
                return new SlotHoldingConnection(connection, slots);
            slots.Release();
            return null;
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            _unbinding.Cancel();
            return inner.UnbindAsync(cancellationToken);
        }

        public ValueTask DisposeAsync()
        {
            _unbinding.Dispose();
            return inner.DisposeAsync();
        }
    }

    /// <summary>The accepted connection as it is, giving its slot back when Kestrel disposes it.</summary>
    private sealed class SlotHoldingConnection(ConnectionContext inner, SemaphoreSlim slots) : ConnectionContext
    {
        private int _released;

        public override string ConnectionId { get => inner.ConnectionId; set => inner.ConnectionId = value; }
        public override IFeatureCollection Features => inner.Features;
        public override IDictionary<object, object?> Items { get => inner.Items; set => inner.Items = value; }
        public override IDuplexPipe Transport { get => inner.Transport; set => inner.Transport = value; }
        public override CancellationToken ConnectionClosed { get => inner.ConnectionClosed; set => inner.ConnectionClosed = value; }
        public override EndPoint? LocalEndPoint { get => inner.LocalEndPoint; set => inner.LocalEndPoint = value; }
        public override EndPoint? RemoteEndPoint { get => inner.RemoteEndPoint; set => inner.RemoteEndPoint = value; }

        public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

        public override void Abort() => inner.Abort();

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync();
            }
            finally
            {
                if (Interlocked.Exchange(ref _released, 1) == 0)
                    slots.Release();
            }
        }
    }
}
