using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Switchboard.Client;

/// <summary>
/// A connection to Switchboard that stays connected: it reconnects (to the next of its URLs) with backoff, resumes its
/// streams, rejoins its groups, resends what the server did not acknowledge, notices a dead server, and refreshes its
/// token. Requests complete on the server's answer and fault with a <see cref="SwitchboardException"/> on its error.
/// Events are raised in the order the client learns things, one at a time; a handler must not block.
/// </summary>
public sealed partial class SwitchboardClient : IAsyncDisposable
{
    private readonly SwitchboardClientOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Outbox _outbox;
    private readonly PositionBook _positions = new();
    private readonly List<string> _groups = [];
    private readonly Backoff _backoff;
    private readonly string _idPrefix = Convert.ToHexString(Guid.NewGuid().ToByteArray().AsSpan(0, 6)).ToLowerInvariant();
    private long _nextId;
    private volatile ConnectionState _state = ConnectionState.Disconnected;
    private string? _userId;
    private Session? _session;
    private Connection? _connected;
    private SwitchboardException? _stopReason;
    private Channel<Message> _messages;
    private bool _disposed;

    public SwitchboardClient(SwitchboardClientOptions options, ILogger<SwitchboardClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Urls is null || options.Urls.Count == 0)
            throw new ArgumentException("no URL: give a ws:// or wss:// URL, or a list of them", nameof(options));
        foreach (var url in options.Urls)
            if (url is null || !url.IsAbsoluteUri || (url.Scheme != "ws" && url.Scheme != "wss"))
                throw new ArgumentException($"not a ws:// or wss:// URL: {url}", nameof(options));
        if (options.UserId is not null) Arguments.Name(options.UserId, nameof(options), "UserId");
        foreach (var group in options.Groups ?? []) Arguments.Group(group, nameof(options));
        Arguments.Positive(options.PingInterval, nameof(options.PingInterval));
        Arguments.Positive(options.PongTimeout, nameof(options.PongTimeout));
        Arguments.Positive(options.ConnectTimeout, nameof(options.ConnectTimeout));
        Arguments.Positive(options.SendTimeout, nameof(options.SendTimeout));
        var reconnect = options.Reconnect ?? new ReconnectOptions();
        Arguments.Positive(reconnect.InitialDelay, "Reconnect.InitialDelay");
        Arguments.Positive(reconnect.MaxDelay, "Reconnect.MaxDelay");
        Arguments.Positive(reconnect.GoingAwayDelay, "Reconnect.GoingAwayDelay");
        Arguments.Positive(reconnect.RateLimitDelay, "Reconnect.RateLimitDelay");
        if (reconnect.MaxAttempts is < 1) throw new ArgumentOutOfRangeException(nameof(options), "Reconnect.MaxAttempts must be 1 or more");
        if (options.MessageBufferSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "MessageBufferSize must be 1 or more");
        if (options.MaxFrameSize < 1024) throw new ArgumentOutOfRangeException(nameof(options), "MaxFrameSize must be 1024 or more");

        _options = options;
        _options.Reconnect = reconnect;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _userId = options.UserId;
        _groups.AddRange((options.Groups ?? []).Distinct(StringComparer.Ordinal));
        _backoff = new Backoff(reconnect.InitialDelay, reconnect.MaxDelay);
        _outbox = new Outbox(_gate, options.SendTimeout);
        _messages = NewMessageChannel();
    }

    /// <summary>Connecting, connected, reconnecting or disconnected.</summary>
    public ConnectionState State => _state;

    /// <summary>The user: as given until the first welcome, then as the server named it.</summary>
    public string? UserId
    {
        get { lock (_gate) return _userId; }
    }

    /// <summary>The stream positions held, which the next connect resumes from.</summary>
    public StreamPositions Positions
    {
        get { lock (_gate) return _positions.Snapshot(); }
    }

    /// <summary>The groups the client is a member of, rejoined on every reconnect.</summary>
    public IReadOnlyList<string> Groups
    {
        get { lock (_gate) return _groups.ToArray(); }
    }

    /// <summary>Why the client stopped on its own (kicked, token expired, gave up), until the next connect.</summary>
    public SwitchboardException? StopReason
    {
        get { lock (_gate) return _stopReason; }
    }

    /// <summary>
    /// The routed messages (direct, group, broadcast), each once and in order. It completes when the client stops: with
    /// the reason when it stopped by itself, without one when closed. A new <see cref="ConnectAsync"/> starts a new reader.
    /// At most <see cref="SwitchboardClientOptions.MessageBufferSize"/> wait; then the client stops reading the socket
    /// until the application takes one, and answers to requests wait behind them.
    /// </summary>
    public ChannelReader<Message> Messages
    {
        get { lock (_gate) return _messages.Reader; }
    }

    /// <summary>The new state, as it changes.</summary>
    public event EventHandler<ConnectionState>? StateChanged;

    /// <summary>The end of a stream's replay, or a gap the application should fill from its own backend (<c>Recovered</c> false).</summary>
    public event EventHandler<Resumed>? Resumed;

    /// <summary>A recipient confirmed a direct message sent with <see cref="OutgoingMessage.Receipt"/>.</summary>
    public event EventHandler<Receipt>? ReceiptReceived;

    /// <summary>The server's <c>token_expiring</c>; with a token source the client refreshes by itself.</summary>
    public event EventHandler<TokenExpiring>? TokenExpiring;

    /// <summary>A server error not tied to a request, a refused refresh, a failed attempt, or why the client stopped.</summary>
    public event EventHandler<SwitchboardException>? Error;

    /// <summary>
    /// A routed frame of a reserved type (it carries <c>from</c>), which the client did not act on: another client's
    /// forgery, or a message kept in history from before the service refused them.
    /// </summary>
    public event EventHandler<Message>? Ignored;

    /// <summary>A connection entered a group with presence events on.</summary>
    public event EventHandler<PresenceJoin>? PresenceJoined;

    /// <summary>A connection left a group with presence events on.</summary>
    public event EventHandler<PresenceLeave>? PresenceLeft;

    /// <summary>The coalesced counts that come instead of events while they would cost too much: fetch the list again.</summary>
    public event EventHandler<PresenceResync>? PresenceResync;

    /// <summary>The group's list was rebuilt after its keeper's node was lost, and events were missed: fetch it again.</summary>
    public event EventHandler<PresenceReset>? PresenceReset;

    /// <summary>
    /// Whether <paramref name="type"/> is the service's own (PROTOCOL.md "Reserved types"): one of its frame types or
    /// beginning with <c>$</c>, compared exactly and case-sensitively. Such a type cannot be sent as a message.
    /// </summary>
    public static bool IsReservedType(string type) => ReservedTypes.Contains(type);

    /// <summary>The reserved types, as the service lists them (with every type beginning with <c>$</c>).</summary>
    public static IReadOnlyList<string> ReservedTypeNames => ReservedTypes.Names;

    /// <summary>
    /// Connects, trying the URLs in turn by the reconnect rules, and completes with the first welcome. Faults when the
    /// client stops first (a kick, an expired token without a token source, reconnect off and a failure, gave up);
    /// cancelling it closes the client.
    /// </summary>
    public async Task<Welcome> ConnectAsync(CancellationToken cancellationToken = default)
    {
        Session session;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_state != ConnectionState.Disconnected)
                throw new InvalidOperationException($"ConnectAsync while {_state}: close the client first");
            _stopReason = null;
            _backoff.Reset();
            if (_messages.Reader.Completion.IsCompleted) _messages = NewMessageChannel();
            session = new Session(_messages);
            _session = session;
            _state = ConnectionState.Connecting;
            session.Run = Task.Run(() => RunAsync(session));
        }
        try
        {
            return await session.FirstWelcome.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await CloseAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closes the connection (1000) and stops reconnecting; unanswered requests fail with <c>closed</c>.</summary>
    public async Task CloseAsync()
    {
        Session? session;
        lock (_gate) session = _session;
        if (session is null) return;
        session.Stopping.Cancel();
        await session.Run.ConfigureAwait(false);
        Stop(session, new SwitchboardException(SwitchboardException.Codes.Closed, "the client was closed"), report: false);
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _disposed = true;
            _messages.Writer.TryComplete();
        }
    }

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

    private Channel<Message> NewMessageChannel() =>
        Channel.CreateBounded<Message>(new BoundedChannelOptions(_options.MessageBufferSize)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

    private void Raise<T>(EventHandler<T>? handler, T value, string name)
    {
        if (handler is null) return;
        try
        {
            handler(this, value);
        }
        catch (Exception e)
        {
            _logger.HandlerFailed(e, name);
        }
    }

    private void ReportError(SwitchboardException error)
    {
        _logger.Failure(error.Code, error.Message);
        Raise(Error, error, nameof(Error));
    }

    /// <summary>One run from ConnectAsync to the stop: its loop, its message channel, its first welcome.</summary>
    private sealed class Session(Channel<Message> messages)
    {
        public CancellationTokenSource Stopping { get; } = new();
        public Channel<Message> Messages { get; } = messages;
        public TaskCompletionSource<Welcome> FirstWelcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Run { get; set; } = Task.CompletedTask;
        public bool WelcomedBefore { get; set; }
        public int AttemptsWithoutWelcome { get; set; }
        public int TokensUsed { get; set; }
        public int UrlIndex { get; set; }
    }
}
