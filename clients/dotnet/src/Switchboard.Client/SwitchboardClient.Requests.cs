using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Client;

// The requests: each is a frame with an id, kept in the outbox until its answer (an ack, or its own answer frame).
public sealed partial class SwitchboardClient
{
    /// <summary>
    /// Sends a direct (<c>To</c>) or group (<c>Group</c>) message; completes on the server's <c>ack</c> (with history on
    /// <see cref="Ack.Seq"/>), faults on its <c>error</c>. A send made while there is no connection waits for one, up to
    /// <see cref="SwitchboardClientOptions.SendTimeout"/>; one the connection did not answer is written again, with its
    /// id, after the reconnect. Cancelling stops waiting: a send not written yet is never written.
    /// </summary>
    public Task<Ack> SendAsync(OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if ((message.To is null) == (message.Group is null))
            throw new ArgumentException("a message needs exactly one of To and Group", nameof(message));
        var type = Arguments.RoutedType(message.Type);
        var to = message.To is null ? null : Arguments.Name(message.To, nameof(message), "To");
        var group = message.Group is null ? null : Arguments.Group(message.Group, nameof(message));
        if (message.Receipt && to is null)
            throw new ArgumentException("receipts are for direct messages (To), not group messages", nameof(message));
        if (message.Id is { Length: 0 }) throw new ArgumentException("Id must be a non-empty string", nameof(message));
        return AckAsync(type, message.Id, writer =>
        {
            if (to is not null) writer.WriteString("to", to);
            if (group is not null) writer.WriteString("group", group);
            if (message.Receipt) writer.WriteBoolean("receipt", true);
        }, message.Data, cancellationToken: cancellationToken);
    }

    /// <summary>A direct message to <paramref name="to"/>.</summary>
    public Task<Ack> SendToUserAsync(string to, string type, JsonNode? data = null, CancellationToken cancellationToken = default) =>
        SendAsync(OutgoingMessage.ToUser(to, type, data), cancellationToken);

    /// <summary>A message to every member of <paramref name="group"/>.</summary>
    public Task<Ack> SendToGroupAsync(string group, string type, JsonNode? data = null, CancellationToken cancellationToken = default) =>
        SendAsync(OutgoingMessage.ToGroup(group, type, data), cancellationToken);

    /// <summary>Joins <paramref name="group"/>; the ack carries the group's position with history on. Rejoined on every reconnect.</summary>
    public Task<Ack> JoinAsync(string group, CancellationToken cancellationToken = default)
    {
        Arguments.Group(group);
        return AckAsync("join", null, writer => writer.WriteString("group", group), answered: ack =>
        {
            if (!_groups.Contains(group)) _groups.Add(group);
            var data = ClientJsonContext.Read(ack.Data, ClientJsonContext.Default.AckData);
            _positions.Joined(group, data is { Epoch: { } epoch, Seq: { } seq } ? new StreamPosition(epoch, seq) : null);
        }, cancellationToken: cancellationToken);
    }

    /// <summary>Leaves <paramref name="group"/>.</summary>
    public Task<Ack> LeaveAsync(string group, CancellationToken cancellationToken = default)
    {
        Arguments.Group(group);
        return AckAsync("leave", null, writer => writer.WriteString("group", group), answered: _ =>
        {
            _groups.Remove(group);
            _positions.Left(group);
        }, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// A broadcast to every connection, when the server lets clients broadcast (off by default: <c>forbidden</c>). The
    /// frame's type is <c>broadcast</c>, so <paramref name="type"/> may be any non-empty type: receivers get
    /// <c>data: {type, data}</c>.
    /// </summary>
    public Task<Ack> BroadcastAsync(string type, JsonNode? data = null, CancellationToken cancellationToken = default)
    {
        Arguments.Type(type);
        return AckAsync("broadcast", null, dataFields: writer =>
        {
            writer.WriteString("type", type);
            if (data is not null)
            {
                writer.WritePropertyName("data");
                data.WriteTo(writer);
            }
        }, cancellationToken: cancellationToken);
    }

    /// <summary>Confirms the user stream up to <paramref name="seq"/> (receipts, history on): senders that asked get a receipt.</summary>
    public Task<Ack> ConfirmReceivedAsync(long seq, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        return AckAsync("received", null, dataFields: writer => writer.WriteNumber("seq", seq), cancellationToken: cancellationToken);
    }

    /// <summary>
    /// One page of who is in <paramref name="group"/> (a group of a namespace with presence on, that this client is a
    /// member of), users in user-id order. With <c>Complete</c> false ask again with its <c>Cursor</c>. Faults with the
    /// server's code: <c>presence_off</c>, <c>forbidden</c> (not a member).
    /// </summary>
    public Task<PresencePage> PresenceAsync(string group, string? cursor = null, CancellationToken cancellationToken = default)
    {
        Arguments.Group(group);
        if (cursor is not null) Arguments.Name(cursor, nameof(cursor), "cursor");
        return AskPageAsync();

        async Task<PresencePage> AskPageAsync()
        {
            var answer = await AskAsync("presence", "presence", null, writer => writer.WriteString("group", group),
                dataFields: cursor is null ? null : writer => writer.WriteString("cursor", cursor), cancellationToken: cancellationToken).ConfigureAwait(false);
            return ClientJsonContext.Read(answer.Data, ClientJsonContext.Default.PresencePage)
                ?? throw InvalidAnswer(answer, "a presence page");
        }
    }

    /// <summary>Every user in <paramref name="group"/>: asks page after page. Users that come or go meanwhile may be missed or kept.</summary>
    public Task<IReadOnlyDictionary<string, List<PresenceConnection>>> PresenceAllAsync(string group, CancellationToken cancellationToken = default)
    {
        Arguments.Group(group);
        return AskAllAsync();

        async Task<IReadOnlyDictionary<string, List<PresenceConnection>>> AskAllAsync()
        {
            var users = new SortedDictionary<string, List<PresenceConnection>>(StringComparer.Ordinal);
            string? cursor = null;
            while (true)
            {
                var page = await PresenceAsync(group, cursor, cancellationToken).ConfigureAwait(false);
                foreach (var (user, connections) in page.Users) users[user] = connections;
                if (page.Complete) return users;
                if (page.Cursor is null || page.Cursor == cursor)
                    throw new SwitchboardException(SwitchboardException.Codes.InvalidFrame,
                        $"a presence page of {group} said it was not complete without a new cursor");
                cursor = page.Cursor;
            }
        }
    }

    /// <summary>How many users and connections are in <paramref name="group"/>; faults as <see cref="PresenceAsync"/> does.</summary>
    public Task<PresenceStats> PresenceStatsAsync(string group, CancellationToken cancellationToken = default)
    {
        Arguments.Group(group);
        return AskStatsAsync();

        async Task<PresenceStats> AskStatsAsync()
        {
            var answer = await AskAsync("presence_stats", "presence_stats", null, writer => writer.WriteString("group", group),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return ClientJsonContext.Read(answer.Data, ClientJsonContext.Default.PresenceStats) ?? throw InvalidAnswer(answer, "presence stats");
        }
    }

    /// <summary>
    /// Asks the application's rpc hook, through the server, to run <paramref name="method"/>; completes with its result,
    /// faults with its error's code or the server's (<c>not_available</c>, <c>hook_unavailable</c>, <c>busy</c>). It waits
    /// for a connection like every request, but is written at most once: a connection that ends before the answer fails
    /// it with <c>unanswered</c>, since the application may have run it.
    /// </summary>
    public Task<JsonElement> RpcAsync(string method, JsonNode? parameters = null, CancellationToken cancellationToken = default)
    {
        Arguments.Name(method, nameof(method), "an rpc method");
        return AskRpcAsync();

        async Task<JsonElement> AskRpcAsync()
        {
            var answer = await AskAsync("rpc", "rpc_result", null, dataFields: writer =>
            {
                writer.WriteString("method", method);
                if (parameters is not null)
                {
                    writer.WritePropertyName("params");
                    parameters.WriteTo(writer);
                }
            }, once: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            return answer.Data;
        }
    }

    private async Task<Ack> AckAsync(string type, string? id, Action<Utf8JsonWriter>? fields = null, JsonNode? data = null,
        Action<Utf8JsonWriter>? dataFields = null, Action<IncomingFrame>? answered = null, CancellationToken cancellationToken = default)
    {
        var answer = await AskAsync(type, "ack", id, fields, data, dataFields, answered, cancellationToken: cancellationToken).ConfigureAwait(false);
        var ackData = ClientJsonContext.Read(answer.Data, ClientJsonContext.Default.AckData);
        return new Ack(answer.Id!, ackData?.Seq, ackData?.Epoch, answer.Data);
    }

    /// <summary>
    /// Sends a frame with an id and completes with the frame of <paramref name="answerType"/> that answers it. It waits in
    /// the outbox across reconnects and is written again after one, unless <paramref name="once"/> (an rpc).
    /// </summary>
    private Task<IncomingFrame> AskAsync(string type, string answerType, string? id, Action<Utf8JsonWriter>? fields = null,
        JsonNode? data = null, Action<Utf8JsonWriter>? dataFields = null, Action<IncomingFrame>? answered = null,
        bool once = false, CancellationToken cancellationToken = default)
    {
        id ??= $"{_idPrefix}-{Interlocked.Increment(ref _nextId)}";
        var request = new PendingRequest(id, FrameWriter.Write(type, id, fields, data, dataFields), answerType, once, answered);
        lock (_gate)
        {
            if (_state == ConnectionState.Disconnected)
                return Task.FromException<IncomingFrame>(_stopReason ?? new SwitchboardException(SwitchboardException.Codes.Closed, "not connected: call ConnectAsync first"));
            if (_outbox.Has(id))
                return Task.FromException<IncomingFrame>(new SwitchboardException(SwitchboardException.Codes.DuplicateId,
                    $"a send with id \"{id}\" is still waiting for its answer"));
            _outbox.Add(request, _connected is { } connection ? connection.Write : null);
            if (cancellationToken.CanBeCanceled)
                request.Cancellation = cancellationToken.Register(() =>
                {
                    lock (_gate) _outbox.Cancel(request, cancellationToken);
                });
        }
        return request.Completion.Task;
    }

    private static SwitchboardException InvalidAnswer(IncomingFrame answer, string what) =>
        new(SwitchboardException.Codes.InvalidFrame, $"the answer to {answer.Id} is not {what}");
}
