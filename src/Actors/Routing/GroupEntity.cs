using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Routing.GroupProtocol;

namespace Switchboard.Actors.Routing;

/// <summary>
/// One group: its exact membership (for operators) and the nodes its members are on (for fan-out).
/// A group message costs one message per node with members; each node keeps its own members
/// and hands them the same frame. With no member left the entity passivates. On start it
/// rebuilds its membership from the nodes (see <see cref="RegistryProtocol"/>).
/// </summary>
public sealed class GroupEntity : UntypedActor, IWithUnboundedStash, IWithTimers
{
    private static readonly FrameError UnknownGroup = new("unknown_group", "the group has no members");

    private readonly string _group;
    private readonly RoutingCounters _counters;
    private readonly Dictionary<string, (string UserId, IActorRef Node)> _members = new();
    private readonly Dictionary<IActorRef, int> _membersOnNode = new();
    private readonly KeptStreams? _streams;
    private readonly StoredStreams? _stored;
    private EntityRecovery _recovery = null!;

    public GroupEntity(string group, RoutingCounters counters, HistoryOptions history, HistoryBudget budget, IStreamStore? store = null)
    {
        _group = group;
        _counters = counters;
        if (history.IsOn && store is not null)
            _stored = new StoredStreams(store, Self, Context.GetLogger());
        else if (history.IsOn)
            _streams = new KeptStreams(history, budget);
    }

    private string StreamKey => "g:" + _group;

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    // Stash and Timers are given to the actor after its constructor, so recovery starts here.
    protected override void PreStart()
    {
        _recovery = new EntityRecovery(Context, Stash, Timers);
        _recovery.Start(new RegistryProtocol.FindGroup(_group, Self));
        if (_streams is not null)
            Timers.StartPeriodicTimer(Sweep.Instance, Sweep.Instance, _streams.Options.SweepInterval);
    }

    protected override void PostStop() => _streams?.Release();

    protected override void OnReceive(object message)
    {
        if (message is RegistryProtocol.GroupFound found)
        {
            Found(found);
            return;
        }
        if (_recovery.Intercept(message))
            return;
        if (_stored is not null && _stored.Calls.Handle(message))
        {
            PassivateWhenEmpty();
            return;
        }
        switch (message)
        {
            case AddMember add:
                Add(add);
                break;
            case RemoveMember remove:
                Remove(remove.ConnectionId);
                PassivateWhenEmpty();
                break;
            case SendToGroup send:
                Send(send);
                break;
            case GetMembers when _stored is not null:
                var lister = Sender;
                _stored.Read(StreamKey, open: false, then: read => lister.Tell(Listing(read?.Position)));
                break;
            case GetMembers:
                Sender.Tell(Listing(_streams?.Of(_group)?.Position));
                PassivateWhenEmpty();
                break;
            case GetGroupHistory get when _stored is not null:
                var asker = Sender;
                _stored.Read(StreamKey, open: false, since: get.Since, then: read =>
                    asker.Tell(read is null ? new Status.Failure(new StreamStoreUnavailableException("the history store did not answer"))
                        : new GroupHistoryPage(_group, read.Position, read.Messages?.ToArray() ?? [])));
                break;
            case GetGroupHistory get:
                var kept = _streams?.Of(_group);
                Sender.Tell(new GroupHistoryPage(_group, kept?.Position, kept?.Since(get.Since).Select(e => e.Frame).ToArray() ?? []));
                PassivateWhenEmpty();
                break;
            case Sweep:
                _streams!.Sweep(_ => _members.Count > 0);
                PassivateWhenEmpty();
                break;
            case Terminated node:
                foreach (var id in _members.Where(m => m.Value.Node.Equals(node.ActorRef)).Select(m => m.Key).ToList())
                    Remove(id);
                PassivateWhenEmpty();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Found(RegistryProtocol.GroupFound found)
    {
        for (var i = 0; i + 1 < found.Members.Length; i += 2)
            Add(found.Members[i + 1], found.Members[i], found.Node);
        _recovery.Answered(found.Node);
    }

    private void Add(AddMember add)
    {
        // The stream first: one started anew now is news only to the members this entity already had.
        if (_streams is not null)
            StreamOf();
        if (add.Stamp is not { Resent: true })
            Add(add.ConnectionId, add.UserId, add.Node);
        if (add.OpensStream && (_streams is not null || _stored is not null))
            OpenStream(add);
        add.Stamp?.Confirm();
    }

    // Registered first, answered second: every message numbered after this answer reaches the member live, every one
    // before it is in the replay or the position. A resent copy is answered again; the node takes the first answer.
    private void OpenStream(AddMember add)
    {
        if (_stored is not null)
        {
            _stored.Read(StreamKey, open: true, resume: add.Resume, then: read =>
            {
                var replay = read?.Messages;
                add.Node.Tell(new GroupStreamOpened(_group, add.ConnectionId, read?.Position ?? StoredStreams.Unknown(), replay?.ToArray() ?? [],
                    add.Resume is null ? null : replay is not null));
            });
            return;
        }
        var stream = StreamOf();
        var replay = add.Resume is { } from ? stream.After(from) : null;
        add.Node.Tell(new GroupStreamOpened(_group, add.ConnectionId, stream.Position, replay?.ToArray() ?? [],
            add.Resume is null ? null : replay is not null));
    }

    // A stream this entity had to start anew while members follow it (the entity restarted or the stream was evicted):
    // they hear that its epoch changed before its next message.
    private StreamHistory StreamOf()
    {
        var (stream, created) = _streams!.For(_group);
        if (created && _membersOnNode.Count > 0)
        {
            var reset = new DeliveryProtocol.DeliverToGroup(_group, ServerFrames.StreamReset(_group, stream.Epoch, stream.LastSeq));
            foreach (var node in _membersOnNode.Keys)
                node.Tell(reset);
        }
        return stream;
    }

    private void Add(string connectionId, string userId, IActorRef node)
    {
        if (!_members.TryAdd(connectionId, (userId, node)))
            return;
        _membersOnNode[node] = _membersOnNode.GetValueOrDefault(node) + 1;
        Context.Watch(node);
    }

    private void Remove(string connectionId)
    {
        if (!_members.Remove(connectionId, out var member))
            return;
        var left = _membersOnNode[member.Node] - 1;
        if (left > 0)
            _membersOnNode[member.Node] = left;
        else
            _membersOnNode.Remove(member.Node);
    }

    private void Send(SendToGroup send)
    {
        if (_stored is not null)
        {
            SendStored(send);
            return;
        }
        if (_streams is not null)
        {
            SendInStream(send);
            return;
        }
        if (_members.Count == 0)
        {
            _counters.RecordUndeliverable();
            send.Stamp?.Confirm(UnknownGroup);
            PassivateWhenEmpty();
            return;
        }
        DeliverToMembers(send.Frame, send.Stamp, 0);
    }

    // With history a group takes messages with no member too: they are kept for the members to come.
    private void SendInStream(SendToGroup send)
    {
        var stream = StreamOf();
        var stamp = send.Stamp;
        if (stream.Find(send.Sender, send.MessageId, stamp?.Relay, stamp?.Seq ?? 0) is { } earlier)
        {
            if (stamp is { Resent: true } && earlier.Relay == stamp.Relay && earlier.RelaySeq == stamp.Seq && _membersOnNode.Count > 0)
                DeliverToMembers(earlier.Frame, stamp, earlier.Seq);
            else
                stamp?.Confirm(null, earlier.Seq);
            return;
        }
        var entry = _streams!.Append(stream, send.Frame, send.Sender, send.MessageId, wantsReceipt: false, stamp);
        if (_membersOnNode.Count == 0)
            stamp?.Confirm(null, entry.Seq);
        else
            DeliverToMembers(entry.Frame, stamp, entry.Seq);
    }

    // With a store the number comes back from it: the message goes out when its call is answered, in the order of the
    // calls, to the members the group has then.
    private void SendStored(SendToGroup send)
    {
        var stamp = send.Stamp;
        _stored!.Append(StreamKey, send.Frame, send.Sender, send.MessageId, wantsReceipt: false, stamp, outcome =>
        {
            switch (outcome)
            {
                case StoredStreams.Refused refused:
                    stamp?.Confirm(refused.Error);
                    return;
                case StoredStreams.Unnumbered when _membersOnNode.Count == 0:
                    _counters.RecordUndeliverable();
                    stamp?.Confirm(UnknownGroup);
                    return;
                case StoredStreams.Unnumbered:
                    DeliverToMembers(send.Frame, stamp, 0);
                    return;
                case StoredStreams.Numbered numbered:
                    var appended = numbered.Appended;
                    if (appended.Created && _membersOnNode.Count > 0 && appended.Seq > 0)
                    {
                        var reset = new DeliveryProtocol.DeliverToGroup(_group, ServerFrames.StreamReset(_group, appended.Epoch, appended.Seq - 1));
                        foreach (var node in _membersOnNode.Keys)
                            node.Tell(reset);
                    }
                    if (numbered.Deliver is { } frame && _membersOnNode.Count > 0)
                        DeliverToMembers(frame, stamp, appended.Seq);
                    else
                        stamp?.Confirm(null, appended.Seq);
                    return;
            }
        });
    }

    private void DeliverToMembers(OutboundFrame frame, RelayStamp? stamp, long streamSeq)
    {
        var deliver = new DeliveryProtocol.DeliverToGroup(_group, frame, stamp?.RoutedTo(_membersOnNode.Count, streamSeq));
        foreach (var node in _membersOnNode.Keys)
            node.Tell(deliver);
    }

    private Members Listing(StreamPosition? stream) => new(_group,
        _members.Values.GroupBy(m => m.UserId).Select(g => new Member(g.Key, g.Count())).OrderBy(m => m.UserId, StringComparer.Ordinal).ToList(),
        _members.Count, stream);

    // With a store nothing is lost when the entity stops, so it passivates once no call is waiting for its answer.
    private void PassivateWhenEmpty()
    {
        if (_members.Count == 0 && _streams is not { Count: > 0 } && _stored?.Calls.IsEmpty != false)
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    public static Props PropsFor(string group, RoutingCounters counters, HistoryOptions history, HistoryBudget budget,
        IStreamStore? store = null) =>
        Props.Create(() => new GroupEntity(group, counters, history, budget, store));

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }
}

/// <summary>Routes group messages to their entity: the group name is the entity id.</summary>
public sealed class GroupMessageExtractor(int shardCount) : HashCodeMessageExtractor(shardCount)
{
    public override string? EntityId(object message) => (message as IGroupMessage)?.Group;
}

public static class GroupEntityHostingExtensions
{
    public const string RegionName = "group";

    /// <summary>Starts the group router's shard region, registered under <see cref="GroupEntity"/>.</summary>
    public static AkkaConfigurationBuilder AddGroupEntities(this AkkaConfigurationBuilder builder, int shardCount,
        RoutingCounters counters, HistoryOptions history, HistoryBudget budget, IStreamStore? store = null) =>
        builder.WithShardRegion<GroupEntity>(RegionName, group => GroupEntity.PropsFor(group, counters, history, budget, store),
            new GroupMessageExtractor(shardCount), new ShardOptions());
}
