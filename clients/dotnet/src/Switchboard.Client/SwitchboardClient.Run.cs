using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace Switchboard.Client;

// The run loop: one connection after another until the client stops, and what each frame from the server means.
public sealed partial class SwitchboardClient
{
    private const string Subprotocol = "switchboard.v1";

    private async Task RunAsync(Session session)
    {
        var stopping = session.Stopping.Token;
        Raise(StateChanged, ConnectionState.Connecting, nameof(StateChanged));
        while (!stopping.IsCancellationRequested)
        {
            var (code, reason, welcomed) = await AttemptAsync(session, stopping).ConfigureAwait(false);
            if (stopping.IsCancellationRequested) return;
            var next = AfterClose.For(code, reason, _options.TokenSource is not null);
            SwitchboardException? stop;
            var raised = (ConnectionState?)null;
            lock (_gate)
            {
                _connected = null;
                if (!welcomed) session.AttemptsWithoutWelcome++;
                if (next.Kind == AfterCloseKind.TooLarge)
                    _outbox.FailWritten(new SwitchboardException(SwitchboardException.Codes.TooLarge,
                        "the server closed with 1009: a message was larger than it takes", code));
                _outbox.Disconnected();
                stop = next.Kind == AfterCloseKind.Stop ? next.Error
                    : !_options.Reconnect.Enabled ? new SwitchboardException(SwitchboardException.Codes.Closed,
                        $"the connection closed ({code} {reason}) and reconnect is off", code)
                    : session.AttemptsWithoutWelcome >= (_options.Reconnect.MaxAttempts ?? int.MaxValue)
                        ? new SwitchboardException(SwitchboardException.Codes.GaveUp,
                            $"no welcome in {session.AttemptsWithoutWelcome} attempts; last close {code} {reason}", code)
                        : null;
                // The state leaves Connected as the connection does, so that nobody sees Connected without one.
                var state = session.WelcomedBefore ? ConnectionState.Reconnecting : ConnectionState.Connecting;
                if (stop is null && _session == session && _state != state) (_state, raised) = (state, state);
            }
            if (stop is not null)
            {
                Stop(session, stop, report: true);
                return;
            }
            var delay = next.Kind switch
            {
                AfterCloseKind.Soon => TimeSpan.FromMilliseconds(Math.Floor(Random.Shared.NextDouble() * _options.Reconnect.GoingAwayDelay.TotalMilliseconds)),
                AfterCloseKind.RateLimited => _options.Reconnect.RateLimitDelay + _backoff.Next(),
                _ => _backoff.Next(),
            };
            session.UrlIndex = (session.UrlIndex + 1) % _options.Urls.Count;
            if (raised is { } changed) Raise(StateChanged, changed, nameof(StateChanged));
            _logger.Reconnecting(code, reason, delay);
            try
            {
                await Task.Delay(delay, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One connection, from its token to its close: the close code and reason, and whether it was welcomed.</summary>
    private async Task<(int Code, string Reason, bool Welcomed)> AttemptAsync(Session session, CancellationToken stopping)
    {
        string? token;
        try
        {
            token = await TokenForAttemptAsync(session, stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            ReportError(new SwitchboardException(SwitchboardException.Codes.ConnectFailed, $"the token source failed: {e.Message}"));
            return (1006, "no token", false);
        }
        catch (OperationCanceledException)
        {
            return (1000, "client closed", false);
        }

        var welcomeBy = Environment.TickCount64 + (long)_options.ConnectTimeout.TotalMilliseconds;
        ConnectTarget target;
        lock (_gate) target = ConnectTarget.For(_options.Urls[session.UrlIndex], _options.UserId, _groups, _positions);
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(Subprotocol);
        if (token is not null) socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        socket.Options.CollectHttpResponseDetails = true;
        _options.ConfigureWebSocket?.Invoke(socket.Options);
        _logger.Connecting(_options.Urls[session.UrlIndex]);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            deadline.CancelAfter(_options.ConnectTimeout);
            await socket.ConnectAsync(target.Url, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            if (stopping.IsCancellationRequested) return (1000, "client closed", false);
            var status = socket.HttpStatusCode == 0 ? "" : $" (HTTP {(int)socket.HttpStatusCode})";
            ReportError(new SwitchboardException(SwitchboardException.Codes.ConnectFailed,
                $"cannot open {_options.Urls[session.UrlIndex]}{status}: {e.Message}"));
            return (1006, $"the upgrade failed{status}", false);
        }

        var connection = new Connection(socket, target, _options, welcomeBy);
        using var ended = new CancellationTokenSource();
        using var closing = stopping.Register(connection.Close);
        var writing = connection.WriteLoopAsync();
        var watching = connection.WatchAsync(ended.Token);
        var (code, reason) = await connection.ReadLoopAsync(frame => ReceivedAsync(session, connection, frame)).ConfigureAwait(false);
        ended.Cancel();
        connection.Abandon("the connection ended");
        await Task.WhenAll(writing, watching).ConfigureAwait(false);
        return (code, reason, connection.Welcomed);
    }

    private async ValueTask<string?> TokenForAttemptAsync(Session session, CancellationToken stopping)
    {
        var first = session.TokensUsed++ == 0;
        if (first && _options.Token is not null) return _options.Token;
        if (_options.TokenSource is { } source) return Arguments.Token(await source(stopping).ConfigureAwait(false));
        return _options.Token;
    }

    private void SetState(Session session, ConnectionState state)
    {
        lock (_gate)
        {
            if (_session != session || _state == state) return;
            _state = state;
        }
        Raise(StateChanged, state, nameof(StateChanged));
    }

    /// <summary>Stops the session: the state, every waiting request failed, the message reader completed.</summary>
    private void Stop(Session session, SwitchboardException reason, bool report)
    {
        lock (_gate)
        {
            if (_session != session) return;
            _session = null;
            _connected = null;
            _state = ConnectionState.Disconnected;
            _stopReason = report ? reason : null;
            _outbox.FailAll(reason);
            session.Messages.Writer.TryComplete(report ? reason : null);
        }
        session.Stopping.Cancel();
        session.FirstWelcome.TrySetException(reason);
        Raise(StateChanged, ConnectionState.Disconnected, nameof(StateChanged));
        if (report)
        {
            _logger.Stopped(reason.Code, reason.Message);
            Raise(Error, reason, nameof(Error));
        }
    }
}
