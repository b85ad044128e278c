using Switchboard.Actors.Hub;
using static Switchboard.Actors.Events.EventsProtocol;

namespace Switchboard.Actors.Delivery.State;

/// <summary>
/// A partition's lifecycle events, each connection's in the order they happened (PROTOCOL.md "Lifecycle events"). A join
/// makes its <c>joined</c> only when the group confirms it, and what the connection does meanwhile waits behind it; a join
/// refused makes no event, nor does a leave of it. A join still unanswered when the connection closes counts as made (the
/// partition held the connection as a member, and a refusal would have come first). Most connections never wait: only one
/// with a join unconfirmed has a line here.
/// </summary>
internal sealed class EventLines(Action<IConnectionEvent> emit, TimeProvider clock)
{
    private readonly Dictionary<string, List<Held>> _lines = new();

    private DateTimeOffset Now => clock.GetUtcNow();

    public void Connected(LocalConnection local) => Add(local.Id, new Connected(local.UserId, local.Id, local.Info, Now));

    /// <summary>The partition asked the group to take the connection: its <c>joined</c> waits for <see cref="Confirmed"/>.</summary>
    public void Joining(LocalConnection local, string group)
    {
        if (!_lines.TryGetValue(local.Id, out var line))
            _lines[local.Id] = line = [];
        line.Add(new Held(new Joined(local.UserId, local.Id, group, local.Info, Now), group));
    }

    public void Confirmed(string connectionId, string group)
    {
        if (!_lines.TryGetValue(connectionId, out var line) || line.FindIndex(h => h.Awaits == group) is not (>= 0 and var at))
            return;
        line[at] = new Held((Joined)line[at].Event with { At = Now }, null);
        Flush(connectionId, line);
    }

    public void Refused(string connectionId, string group)
    {
        if (_lines.TryGetValue(connectionId, out var line) && Unjoin(line, group))
            Flush(connectionId, line);
    }

    public void Left(LocalConnection local, string group) => Add(local.Id, new Left(local.UserId, local.Id, group, Now));

    /// <summary>The connection ended: what waited goes, in its order, and <c>disconnected</c> comes last.</summary>
    public void Disconnected(LocalConnection local)
    {
        if (_lines.Remove(local.Id, out var line))
            line.ForEach(h => emit(h.Event));
        var connection = local.Connection;
        var now = Now;
        emit(new Disconnected(local.UserId, local.Id, connection.Outbox.CloseCode ?? Streams.ClosedCodes.Abnormal,
            connection.Outbox.CloseReason ?? "", Math.Max(0, (long)(now - local.ConnectedAt).TotalMilliseconds), now));
    }

    private void Add(string connectionId, IConnectionEvent happened)
    {
        if (_lines.TryGetValue(connectionId, out var line))
            line.Add(new Held(happened, null));
        else
            emit(happened);
    }

    // The first unconfirmed join of the group goes, and the first leave of it after it: the join never happened.
    private static bool Unjoin(List<Held> line, string group)
    {
        var at = line.FindIndex(h => h.Awaits == group);
        if (at < 0)
            return false;
        line.RemoveAt(at);
        var leave = line.FindIndex(at, h => h.Awaits is null && h.Event is Left left && left.Group == group);
        if (leave >= 0)
            line.RemoveAt(leave);
        return true;
    }

    private void Flush(string connectionId, List<Held> line)
    {
        var ready = line.TakeWhile(h => h.Awaits is null).Count();
        for (var i = 0; i < ready; i++)
            emit(line[i].Event);
        line.RemoveRange(0, ready);
        if (line.Count == 0)
            _lines.Remove(connectionId);
    }

    /// <param name="Awaits">The group whose confirmation this <c>joined</c> waits for; null once it may go.</param>
    private sealed record Held(IConnectionEvent Event, string? Awaits);
}
