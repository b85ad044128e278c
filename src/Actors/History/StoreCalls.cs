using Akka.Actor;

namespace Switchboard.Actors.History;

/// <summary>
/// An entity's calls to its <see cref="IStreamStore"/>, answered in the order they were made: the store runs them in
/// that order (one connection, pipelined), and handling them in that order too keeps every stream's messages in seq
/// order and every position answer behind the messages it covers, even when completions reach the actor out of order.
/// The actor never waits: each completion comes back as a message, and <see cref="Handle"/> runs the continuations
/// that are now due, inside the actor.
/// </summary>
public sealed class StoreCalls(IActorRef self)
{
    private readonly Queue<long> _order = new();
    private readonly Dictionary<long, Call> _calls = new();
    private long _last;

    /// <summary>No call is waiting for its answer: the entity may passivate.</summary>
    public bool IsEmpty => _order.Count == 0;

    /// <summary>Makes a call; <paramref name="then"/> runs in the actor with its result, or with the failure (result default).</summary>
    public void Start<T>(Task<T> call, Action<T?, Exception?> then)
    {
        var id = ++_last;
        _order.Enqueue(id);
        _calls[id] = new Call((result, failure) => then(result is T value ? value : default, failure));
        Complete(id, call).PipeTo(self);
    }

    /// <summary>True when <paramref name="message"/> was a completion: it and those it unblocked are handled.</summary>
    public bool Handle(object message)
    {
        if (message is not Done done)
            return false;
        if (!_calls.TryGetValue(done.Id, out var call))
            return true;
        call.Value = done.Value;
        call.Failure = done.Failure;
        call.IsDone = true;
        while (_order.TryPeek(out var next) && _calls[next] is { IsDone: true } ready)
        {
            _order.Dequeue();
            _calls.Remove(next);
            ready.Then(ready.Value, ready.Failure);
        }
        return true;
    }

    private static async Task<Done> Complete<T>(long id, Task<T> call)
    {
        try
        {
            return new Done(id, await call.ConfigureAwait(false), null);
        }
        catch (Exception e)
        {
            return new Done(id, null, e);
        }
    }

    private sealed class Call(Action<object?, Exception?> then)
    {
        public Action<object?, Exception?> Then { get; } = then;
        public object? Value { get; set; }
        public Exception? Failure { get; set; }
        public bool IsDone { get; set; }
    }

    private sealed record Done(long Id, object? Value, Exception? Failure);
}
