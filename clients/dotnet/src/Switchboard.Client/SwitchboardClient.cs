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
