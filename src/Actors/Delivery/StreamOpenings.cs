using Akka.Actor;
using Akka.Event;
using Switchboard.Actors.Delivery.State;
using Switchboard.Actors.History;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Streams;
using Switchboard.Streams.Framing;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Delivery;

/// <summary>
/// A partition's streams being opened, with history on: connections waiting for their welcome (their user's stream and those
/// of the groups joined at connect) and joins waiting for their group's position. What is routed to them meanwhile is held,
/// then sent after the welcome or the join's ack, less what the positions and replays already covered.
/// </summary>
internal sealed class StreamOpenings(PartitionServices services, IActorRef partition, PartitionConnections here, Func<string> node,
    Action<LocalConnection, ReadOnlyMemory<byte>, FrameError> reject, ILoggingAdapter log)
{
    /// <summary>How long an opening connection waits for its user bucket entity before it asks again, and how often it asks.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    // 30 s in all: past a failover (a frozen node downed after stable-after, the shard coordinator's singleton handed
    // over, the shard started elsewhere; ~22 s with the defaults, cluster.md). With 10 s, a connect during the hand-over
    // of a killed oldest node was closed with 1011 just before its entity came back.
    public const int Attempts = 15;

    /// <summary>How long a join waits for its group entity's answer before it is refused.</summary>
    public static readonly TimeSpan JoinGiveUpAfter = TimeSpan.FromSeconds(65);

    private static readonly FrameError JoinUnanswered =
        new("unavailable", "the group's router did not answer the join in time; it may not have happened, join again");

    private readonly Dictionary<string, OpeningConnection> _opening = new();
    private readonly Dictionary<(string ConnectionId, string Group), PendingJoin> _joining = new();

    public bool IsOpening(string connectionId) => _opening.Count > 0 && _opening.ContainsKey(connectionId);

    /// <summary>A connection opened: its user's stream is asked for, and the groups it joined at connect are awaited.</summary>
    /// <param name="unkept">Groups the client asked to resume that keep no history: each says so after the welcome.</param>
    public void Start(DeliveryProtocol.ConnectionOpened opened, IReadOnlyList<string> groups, IReadOnlyList<string>? unkept = null)
    {
        var opening = _opening[opened.Connection.Id] = new OpeningConnection(opened, Environment.TickCount64);
        foreach (var group in groups)
            opening.Groups[group] = null;
        opening.Unkept = unkept ?? [];
        services.Users.Tell(opening.Ask(partition));
    }

    /// <summary>A join after the welcome, whose ack waits for the group's position.</summary>
    public void Joining(string connectionId, string group, ReadOnlyMemory<byte> id, StreamPosition? resume, ReadOnlyMemory<byte> app) =>
        _joining[(connectionId, group)] = new PendingJoin(id, resume, app, Environment.TickCount64);

    public void Left(string connectionId, string group) => _joining.Remove((connectionId, group));

    public void Forget(string connectionId)
    {
        _opening.Remove(connectionId);
        if (_joining.Count > 0)
        {
            foreach (var key in _joining.Keys.Where(k => k.ConnectionId == connectionId).ToList())
                _joining.Remove(key);
        }
    }

    /// <summary>Holds a frame for a stream of the connection still being opened (<paramref name="group"/> null: its user's); false when none is.</summary>
    public bool TryHold(string connectionId, string? group, OutboundFrame frame)
    {
        if (_opening.Count > 0 && _opening.TryGetValue(connectionId, out var opening))
        {
            opening.Held.Add((frame, group));
            return true;
        }
        if (group is not null && _joining.Count > 0 && _joining.TryGetValue((connectionId, group), out var join))
        {
            join.Held.Add(frame);
            return true;
        }
        return false;
    }

    public void Opened(UserProtocol.UserStreamOpened opened)
    {
        if (_opening.TryGetValue(opened.ConnectionId, out var opening) && opening.User is null)
        {
            opening.User = opened;
            TryFinish(opening);
        }
    }

    public void Opened(GroupProtocol.GroupStreamOpened opened)
    {
        if (_opening.TryGetValue(opened.ConnectionId, out var opening) && opening.Groups.TryGetValue(opened.Group, out var answer))
        {
            if (answer is not null)
                return;
            opening.Groups[opened.Group] = opened;
            TryFinish(opening);
        }
        else if (_joining.Remove((opened.ConnectionId, opened.Group), out var join) && here.Find(opened.ConnectionId) is { } local)
        {
            // A join after the welcome: its ack with the group's position, the replay it asked for, then what came meanwhile.
            var connection = local.Connection;
            if (!join.Id.IsEmpty)
                connection.Send(ServerFrames.JoinAck(join.Id, opened.Position.Epoch, opened.Position.Seq, join.App));
            Replay(connection, opened.Group, opened.Replay, opened.Recovered, opened.Position);
            var mark = here.Opened(opened.ConnectionId, opened.Group, opened.Position);
            foreach (var frame in join.Held)
            {
                if (mark.StillGoes(frame))
                    connection.Send(frame);
            }
        }
    }

    /// <summary>
    /// The group refused a join this partition awaits: a join after the welcome gets the error in place of its ack; a group
    /// joined at connect is left out of the welcome, and the error follows it.
    /// </summary>
    public void Refused(LocalConnection local, string group, FrameError error)
    {
        if (_opening.TryGetValue(local.Id, out var opening) && opening.Groups.Remove(group))
        {
            opening.Refusals.Add(error);
            TryFinish(opening);
        }
        else if (_joining.Remove((local.Id, group), out var join))
            reject(local, join.Id, error);
    }

    /// <summary>Asks again for what has not answered; closes a connection, or refuses a join, that waited too long.</summary>
    /// <remarks>
    /// A group entity confirms a join when it takes it and answers with the position once it has read it; an entity that
    /// stops in between (its shard handed over) never answers, and the relay, confirmed, does not send again. So a stream
    /// that has not answered is asked again, as the user's is; the entity answers each ask, and the first answer counts.
    /// </remarks>
    public void AskAgain()
    {
        var now = Environment.TickCount64;
        foreach (var (id, opening) in _opening.Where(o => now - o.Value.AskedAt >= RetryAfter.TotalMilliseconds).ToList())
        {
            if (opening.Attempts >= Attempts)
            {
                _opening.Remove(id);
                log.Warning("The entities of {UserId}'s streams did not answer for connection {ConnectionId}; closed with 1011",
                    opening.Opened.Connection.UserId, id);
                opening.Opened.Connection.Connection.Close(CloseCode.InternalError, "the connection's streams are unavailable");
                continue;
            }
            opening.AskedAt = now;
            if (opening.User is null)
                services.Users.Tell(opening.Ask(partition));
            else
                opening.Attempts++;
            foreach (var (group, answer) in opening.Groups)
            {
                if (answer is null)
                    JoinAgain(opening.Opened.Connection, group, opening.Opened.ResumeGroups?.GetValueOrDefault(group));
            }
        }
        foreach (var (key, join) in _joining.Where(j => now - j.Value.AskedAt >= RetryAfter.TotalMilliseconds).ToList())
        {
            if (here.Find(key.ConnectionId) is not { } local)
            {
                _joining.Remove(key);
                continue;
            }
            // A join unanswered for a minute (the relay's give-up time) is refused.
            if (now - join.JoinedAt >= JoinGiveUpAfter.TotalMilliseconds)
            {
                _joining.Remove(key);
                reject(local, join.Id, JoinUnanswered);
                foreach (var frame in join.Held)
                    local.Connection.Send(frame);
                continue;
            }
            join.AskedAt = now;
            JoinAgain(local, key.Group, join.Resume);
        }
    }

    private void JoinAgain(LocalConnection local, string group, StreamPosition? resume) =>
        services.Relay.Send(new GroupProtocol.AddMember(group, local.UserId, local.Id, partition, OpensStream: true, Resume: resume,
            Info: local.Info));

    // Every stream the connection follows has answered: the welcome with their positions, each replay the client asked
    // for and its end, then what was routed here meanwhile, less what the positions and replays covered.
    private void TryFinish(OpeningConnection opening)
    {
        if (opening.User is not { } user || opening.Groups.Values.Any(g => g is null))
            return;
        var local = opening.Opened.Connection;
        _opening.Remove(local.Id);
        var connection = local.Connection;
        var groups = opening.Groups.Values.Select(g => (g!.Group, g.Position.Epoch, g.Position.Seq)).ToList();
        connection.Outbox.SendControl(ServerFrames.Welcome(local.UserId, local.Id, node(),
            (user.Position.Epoch, user.Position.Seq), groups, AppSession.WelcomeDataOf(opening.Opened.App)));
        foreach (var refusal in opening.Refusals)
            reject(local, default, refusal);
        foreach (var group in opening.Unkept)
        {
            services.Counters.RecordResume(false);
            connection.Send(ServerFrames.Resumed(group, false, null));
        }
        Replay(connection, null, user.Replay, user.Recovered, user.Position);
        foreach (var group in opening.Groups.Values)
            Replay(connection, group!.Group, group.Replay, group.Recovered, group.Position);
        // The marks stay with the connection, for the relay's resent copies of what they count.
        var userMark = here.Opened(local.Id, null, user.Position);
        var groupMarks = opening.Groups.Values.ToDictionary(g => g!.Group, g => here.Opened(local.Id, g!.Group, g.Position));
        foreach (var (frame, group) in opening.Held)
        {
            if ((group is null ? userMark : groupMarks.GetValueOrDefault(group))?.StillGoes(frame) ?? true)
                connection.Send(frame);
        }
    }

    private void Replay(WebSocketConnection connection, string? group, OutboundFrame[] replay, bool? recovered, StreamPosition position)
    {
        foreach (var frame in replay)
            connection.Send(frame);
        if (recovered is not { } done)
            return;
        services.Counters.RecordResume(done);
        connection.Send(ServerFrames.Resumed(group, done, (position.Epoch, position.Seq)));
    }

    /// <summary>The answers so far of a connection's streams, and what was routed to it meanwhile, by stream (null: the user's).</summary>
    private sealed class OpeningConnection(DeliveryProtocol.ConnectionOpened opened, long askedAt)
    {
        public DeliveryProtocol.ConnectionOpened Opened { get; } = opened;
        public UserProtocol.UserStreamOpened? User { get; set; }
        public Dictionary<string, GroupProtocol.GroupStreamOpened?> Groups { get; } = new();
        public List<(OutboundFrame Frame, string? Group)> Held { get; } = [];
        public List<FrameError> Refusals { get; } = [];
        public IReadOnlyList<string> Unkept { get; set; } = [];
        public long AskedAt { get; set; } = askedAt;
        public int Attempts { get; set; }

        public UserProtocol.AddConnection Ask(IActorRef partition)
        {
            Attempts++;
            var local = Opened.Connection;
            return new UserProtocol.AddConnection(local.UserId, local.Id, partition, OpensStream: true, Resume: Opened.Resume);
        }
    }

    /// <summary>A join before its group entity answered: the frame's id, the position it resumes from, and the group's frames meanwhile.</summary>
    private sealed class PendingJoin(ReadOnlyMemory<byte> id, StreamPosition? resume, ReadOnlyMemory<byte> app, long joinedAt)
    {
        public ReadOnlyMemory<byte> Id { get; } = id;
        public ReadOnlyMemory<byte> App { get; } = app;
        public StreamPosition? Resume { get; } = resume;
        public long JoinedAt { get; } = joinedAt;
        public long AskedAt { get; set; } = joinedAt;
        public List<OutboundFrame> Held { get; } = [];
    }

    internal sealed class Check
    {
        public static readonly Check Instance = new();
    }
}
