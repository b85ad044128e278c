using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Switchboard.Client;

// What each frame from the server means. Frames are handled one at a time, in order, on the connection's read loop.
public sealed partial class SwitchboardClient
{
    private async ValueTask ReceivedAsync(Session session, Connection connection, ReadOnlyMemory<byte> bytes)
    {
        if (!IncomingFrame.TryRead(bytes.Span, out var frame))
        {
            ReportError(new SwitchboardException(SwitchboardException.Codes.InvalidFrame, "the server sent a frame that is not a JSON object with a type"));
            return;
        }
        // A routed frame posing as the service's: it shows the connection alive and nothing more. Not a session, an
        // answer, a position or a receipt; not even its seq moves the stream's position (a forgery could set it at
        // will), so a resume may replay it, to be ignored again.
        if (ReservedTypes.PosesAsServiceFrame(frame.Type, frame.HasFrom))
        {
            _logger.IgnoredFrame(frame.Type, frame.From);
            Raise(Ignored, frame.ToMessage(), nameof(Ignored));
            return;
        }
        switch (frame.Type)
        {
            case "welcome":
                Welcomed(session, connection, frame);
                break;
            case "pong":
                break;
            case "ack":
            case "rpc_result":
                Answered(frame);
                break;
            // Answers to presence requests are matched by id and type (they are not acks); a presence_stats without an
            // id is the coalesced one that comes instead of events.
            case "presence":
                Answered(frame);
                break;
            case "presence_stats" when !frame.Root.TryGetProperty("id", out _):
                if (Read(frame, ClientJsonContext.Default.PresenceResync) is { } resync)
                    Raise(PresenceResync, resync with { Group = frame.Group ?? resync.Group }, nameof(PresenceResync));
                break;
            case "presence_stats":
                Answered(frame);
                break;
            case "presence_join":
                if (Read(frame, ClientJsonContext.Default.PresenceJoin) is { } joined)
                    Raise(PresenceJoined, joined with { Group = frame.Group ?? joined.Group }, nameof(PresenceJoined));
                break;
            case "presence_leave":
                if (Read(frame, ClientJsonContext.Default.PresenceLeave) is { } left)
                    Raise(PresenceLeft, left with { Group = frame.Group ?? left.Group }, nameof(PresenceLeft));
                break;
            case "presence_reset":
                if (frame.Group is { } rebuilt) Raise(PresenceReset, new PresenceReset(rebuilt), nameof(PresenceReset));
                break;
            case "error":
                ServerError(frame);
                break;
            case "resumed":
                if (Read(frame, ClientJsonContext.Default.Resumed) is { } resumed) StreamMoved(resumed);
                break;
            case "stream_reset":
                if (Read(frame, ClientJsonContext.Default.Resumed) is { } reset)
                    StreamMoved(reset with { Recovered = false, Reason = "stream_reset" });
                break;
            case "receipt":
                var receipt = ClientJsonContext.Read(frame.Data, ClientJsonContext.Default.ReceiptData);
                Raise(ReceiptReceived, new Receipt(frame.Id, frame.To, receipt?.Seq, receipt?.Status, frame.Root), nameof(ReceiptReceived));
                break;
            case "token_expiring":
                var expiring = ClientJsonContext.Read(frame.Data, ClientJsonContext.Default.TokenExpiring) ?? new TokenExpiring();
                Raise(TokenExpiring, expiring, nameof(TokenExpiring));
                if (_options.TokenSource is not null) _ = RefreshAsync(session, expiring);
                break;
            default:
                bool fresh;
                lock (_gate) fresh = _positions.Advance(frame.Group, frame.Seq);
                if (fresh) await PassOnAsync(session, connection, frame.ToMessage()).ConfigureAwait(false);
                break;
        }
    }

    private void Welcomed(Session session, Connection connection, IncomingFrame frame)
    {
        if (Read(frame, ClientJsonContext.Default.Welcome) is not { } welcome)
        {
            connection.Abandon("the welcome could not be read");
            return;
        }
        var unresumed = new List<Resumed>();
        lock (_gate)
        {
            if (_session != session) return;
            _positions.Welcomed(welcome.Streams, connection.Target);
            _userId = welcome.UserId;
            session.AttemptsWithoutWelcome = 0;
            _backoff.Reset();
            // Streams this reconnect could not resume (no position held: history off, or none received yet) may have a gap.
            if (session.WelcomedBefore)
            {
                if (!connection.Target.ResumesUser) unresumed.Add(new Resumed { Stream = "user", Recovered = false, Reason = "no_position" });
                foreach (var group in _groups)
                    if (!connection.Target.ResumedGroups.Contains(group))
                        unresumed.Add(new Resumed { Group = group, Recovered = false, Reason = "no_position" });
            }
            session.WelcomedBefore = true;
            // What waited goes out before the state changes, so that a request made by a state handler comes after it.
            _outbox.Flush(connection.Write);
            _connected = connection;
            connection.Welcomed = true;
        }
        _logger.Connected(welcome.Node, welcome.UserId, welcome.ConnectionId);
        SetState(session, ConnectionState.Connected);
        foreach (var gap in unresumed) Raise(Resumed, gap, nameof(Resumed));
        session.FirstWelcome.TrySetResult(welcome);
    }

    private void Answered(IncomingFrame frame)
    {
        PendingRequest? request;
        lock (_gate)
        {
            request = _outbox.Answered(frame);
            request?.Answered?.Invoke(frame);
        }
        request?.Completion.TrySetResult(frame);
    }

    private void ServerError(IncomingFrame frame)
    {
        var data = ClientJsonContext.Read(frame.Data, ClientJsonContext.Default.ErrorData);
        var error = new SwitchboardException(data?.Code ?? "error", data?.Message ?? "the server refused a frame");
        PendingRequest? request;
        lock (_gate) request = _outbox.Answered(frame);
        if (request is not null) request.Completion.TrySetException(error);
        else ReportError(error);
    }

    private void StreamMoved(Resumed resumed)
    {
        lock (_gate) _positions.Moved(resumed);
        Raise(Resumed, resumed, nameof(Resumed));
    }

    /// <summary>Hands a message to the application; while its buffer is full the socket is not read (backpressure).</summary>
    private async ValueTask PassOnAsync(Session session, Connection connection, Message message)
    {
        var writer = session.Messages.Writer;
        if (writer.TryWrite(message)) return;
        connection.WaitingForApplication = true;
        try
        {
            await writer.WriteAsync(message, session.Stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            // the client stopped: the message goes with the rest of the session
        }
        finally
        {
            connection.WaitingForApplication = false;
        }
    }

    private async Task RefreshAsync(Session session, TokenExpiring expiring)
    {
        _logger.Refreshing(expiring.ExpiresIn);
        try
        {
            var token = Arguments.Token(await _options.TokenSource!(session.Stopping.Token).ConfigureAwait(false));
            await AckAsync("refresh", null, dataFields: writer => writer.WriteString("token", token)).ConfigureAwait(false);
        }
        catch (SwitchboardException e)
        {
            ReportError(e);
        }
        catch (Exception e) when (!session.Stopping.IsCancellationRequested)
        {
            ReportError(new SwitchboardException(SwitchboardException.Codes.RefreshFailed, $"the token source failed: {e.Message}"));
        }
        catch (OperationCanceledException)
        {
            // the client stopped
        }
    }

    /// <summary>A frame's data as <typeparamref name="T"/>; a frame of another shape is reported and passed over.</summary>
    private T? Read<T>(IncomingFrame frame, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) where T : class
    {
        var value = ClientJsonContext.Read(frame.Data, typeInfo);
        if (value is null)
            ReportError(new SwitchboardException(SwitchboardException.Codes.InvalidFrame, $"the server's {frame.Type} frame has data of another shape"));
        return value;
    }
}
