namespace Switchboard.Client;

/// <summary>A frame with an id that waits for its answer: an <c>ack</c>, or a request's own answer frame.</summary>
internal sealed class PendingRequest(string id, byte[] bytes, string answerType, bool once, Action<IncomingFrame>? answered)
{
    public string Id { get; } = id;
    public byte[] Bytes { get; } = bytes;
    /// <summary>The type of the frame that answers it: <c>ack</c>, <c>presence</c>, <c>presence_stats</c>, <c>rpc_result</c>.</summary>
    public string AnswerType { get; } = answerType;
    /// <summary>Written at most once: a connection that drops before its answer fails it (an rpc, which the server may have run).</summary>
    public bool Once { get; } = once;
    /// <summary>Runs as the answer is read, before the next frame: what the answer means (a join's position) is in place for it.</summary>
    public Action<IncomingFrame>? Answered { get; } = answered;
    /// <summary>Written on the current connection; the server's answer is due on it.</summary>
    public bool Written { get; set; }
    /// <summary>Runs while the request waits for a connection.</summary>
    public Timer? Waiting { get; set; }
    public CancellationTokenRegistration Cancellation { get; set; }
    public TaskCompletionSource<IncomingFrame> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Every frame with an id that the server has not answered yet, in the order it was sent. A frame stays here until its
/// answer or <c>error</c>, across reconnects: what a dead connection did not answer is written again, with the same id
/// and bytes, on the next one. Every member runs under the client's lock (<paramref name="gate"/>).
/// </summary>
internal sealed class Outbox(object gate, TimeSpan sendTimeout)
{
    private readonly LinkedList<PendingRequest> _order = new();
    private readonly Dictionary<string, LinkedListNode<PendingRequest>> _byId = new(StringComparer.Ordinal);

    public bool Has(string id) => _byId.ContainsKey(id);

    /// <summary>Queues a request; <paramref name="write"/> takes it now when a connection is open, else it waits for one.</summary>
    public void Add(PendingRequest request, Action<byte[]>? write)
    {
        _byId[request.Id] = _order.AddLast(request);
        if (write is not null) Write(request, write);
        else Wait(request);
    }

    /// <summary>A connection is open: writes everything unanswered, oldest first.</summary>
    public void Flush(Action<byte[]> write)
    {
        foreach (var request in _order)
            if (!request.Written) Write(request, write);
    }

    /// <summary>
    /// The connection is gone: what it did not answer waits for the next one, except what may be written only once,
    /// which fails with <c>unanswered</c> if it was written.
    /// </summary>
    public void Disconnected()
    {
        foreach (var request in _order.ToArray())
        {
            if (request.Written && request.Once)
            {
                Fail(request, new SwitchboardException(SwitchboardException.Codes.Unanswered,
                    $"the connection closed before the answer to the frame with id \"{request.Id}\"; the server may have acted on it, so it is not sent again"));
                continue;
            }
            request.Written = false;
            if (request.Waiting is null) Wait(request);
        }
    }

    /// <summary>
    /// The request <paramref name="frame"/> answers, taken out; null when no request has its id, or when it is of another
    /// type than the one that answers it (an <c>ack</c> does not answer a presence request). An <c>error</c> answers any.
    /// </summary>
    public PendingRequest? Answered(IncomingFrame frame)
    {
        if (frame.Id is null || !_byId.TryGetValue(frame.Id, out var node)) return null;
        if (frame.Type != "error" && frame.Type != node.Value.AnswerType) return null;
        Take(node.Value);
        return node.Value;
    }

    /// <summary>Fails every request written on the connection that just closed (1009: one of them was too large).</summary>
    public void FailWritten(SwitchboardException error)
    {
        foreach (var request in _order.ToArray())
            if (request.Written) Fail(request, error);
    }

    public void FailAll(SwitchboardException error)
    {
        foreach (var request in _order.ToArray()) Fail(request, error);
    }

    /// <summary>The caller gave up on <paramref name="request"/>: it leaves unsent if it was not written, and is not written again.</summary>
    public bool Cancel(PendingRequest request, CancellationToken token)
    {
        if (!Take(request)) return false;
        request.Completion.TrySetCanceled(token);
        return true;
    }

    public void Fail(PendingRequest request, SwitchboardException error)
    {
        if (Take(request)) request.Completion.TrySetException(error);
    }

    private void Write(PendingRequest request, Action<byte[]> write)
    {
        request.Waiting?.Dispose();
        request.Waiting = null;
        request.Written = true;
        write(request.Bytes);
    }

    private void Wait(PendingRequest request) =>
        request.Waiting = new Timer(_ =>
        {
            lock (gate)
                Fail(request, new SwitchboardException(SwitchboardException.Codes.Timeout,
                    $"no connection within {sendTimeout.TotalMilliseconds:0} ms for the frame with id \"{request.Id}\" " +
                    "(if it was written before the connection dropped, the server may have it)"));
        }, null, sendTimeout, Timeout.InfiniteTimeSpan);

    private bool Take(PendingRequest request)
    {
        if (!_byId.TryGetValue(request.Id, out var node) || !ReferenceEquals(node.Value, request)) return false;
        _byId.Remove(request.Id);
        _order.Remove(node);
        request.Waiting?.Dispose();
        request.Waiting = null;
        request.Cancellation.Dispose();
        return true;
    }
}
