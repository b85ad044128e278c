using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Akka.Serialization;
using Switchboard.Actors.Admin;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing;
using Switchboard.Actors.Stats;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Delivery.DeliveryProtocol;
using static Switchboard.Actors.Routing.GroupProtocol;
using static Switchboard.Actors.Routing.UserProtocol;

namespace Switchboard.Actors.Serialization;

/// <summary>
/// A compact binary form for the routing messages that cross nodes. Frames travel as their
/// encoded bytes, so the receiving node shares them with its recipients without re-encoding.
/// Bound to <see cref="IRoutingMessage"/> in hocon/switchboard.hocon.
/// </summary>
public sealed class RoutingSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public override int Identifier => 4711;

    public override string Manifest(object o) => o switch
    {
        AddConnection => "UA",
        RemoveConnection => "UR",
        SendToUser => "US",
        GetConnections => "UG",
        Connections => "UC",
        Notify => "UN",
        Received => "UV",
        GetHistory => "UH",
        HistoryPage => "UP",
        UserStreamOpened => "UO",
        AddMember => "GA",
        RemoveMember => "GR",
        SendToGroup => "GS",
        GetMembers => "GG",
        Members => "GM",
        GetGroupHistory => "GH",
        GroupHistoryPage => "GP",
        GroupStreamOpened => "GO",
        DeliverToConnections => "DC",
        DeliverToGroup => "DG",
        Broadcast => "DB",
        Accepted => "DA",
        Rejected => "DR",
        RelayProtocol.Routed => "RR",
        RelayProtocol.Delivered => "RD",
        RegistryProtocol.FindUsers => "RU",
        RegistryProtocol.UsersFound => "RF",
        RegistryProtocol.FindGroup => "RG",
        RegistryProtocol.GroupFound => "RH",
        GetNodeStats => "SQ",
        NodeStatsSnapshot => "SS",
        AdminProtocol.ListConnections => "AL",
        AdminProtocol.ConnectionList => "AC",
        AdminProtocol.ListGroups => "AG",
        AdminProtocol.GroupList => "AH",
        AdminProtocol.ListLargestGroups => "AT",
        AdminProtocol.LargestGroups => "AU",
        AdminProtocol.Kick => "AK",
        AdminProtocol.Kicked => "AX",
        AdminProtocol.DrainNode => "AD",
        AdminProtocol.DrainStarted => "AS",
        AdminProtocol.RateLimitUpdate => "AR",
        AdminProtocol.RateLimitApplied => "AA",
        _ => throw new ArgumentException($"{o.GetType()} is not a routing message", nameof(o)),
    };

    public override byte[] ToBinary(object o)
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream, Encoding.UTF8);
        switch (o)
        {
            case AddConnection m: w.Write(m.UserId); w.Write(m.ConnectionId); Write(w, m.Node); w.Write(m.OpensStream); WriteOptional(w, m.Resume); break;
            case RemoveConnection m: w.Write(m.UserId); w.Write(m.ConnectionId); break;
            case SendToUser m:
                w.Write(m.UserId); Write(w, m.Frame); WriteOptional(w, m.Stamp); w.Write(m.Frame.AcceptedAt);
                WriteOptional(w, m.Sender); Write(w, m.MessageId); w.Write(m.WantsReceipt);
                break;
            case GetConnections m: w.Write(m.UserId); break;
            case Connections m: w.Write(m.UserId); w.Write(m.Count); w.Write(m.Nodes); WriteOptional(w, m.Stream); w.Write(m.DeliveredSeq); break;
            case Notify m: w.Write(m.UserId); Write(w, m.Frame); break;
            case Received m: w.Write(m.UserId); w.Write(m.Seq); break;
            case GetHistory m: w.Write(m.UserId); w.Write(m.Since); break;
            case HistoryPage m: w.Write(m.UserId); WriteOptional(w, m.Stream); Write(w, m.Messages); break;
            case UserStreamOpened m:
                w.Write(m.ConnectionId); WriteOptional(w, m.Position); Write(w, m.Replay);
                w.Write(m.Recovered.HasValue); w.Write(m.Recovered ?? false);
                break;
            case AddMember m:
                w.Write(m.Group); w.Write(m.UserId); w.Write(m.ConnectionId); Write(w, m.Node); WriteOptional(w, m.Stamp);
                w.Write(m.OpensStream); WriteOptional(w, m.Resume);
                break;
            case RemoveMember m: w.Write(m.Group); w.Write(m.ConnectionId); break;
            case SendToGroup m:
                w.Write(m.Group); Write(w, m.Frame); WriteOptional(w, m.Stamp); w.Write(m.Frame.AcceptedAt);
                WriteOptional(w, m.Sender); Write(w, m.MessageId);
                break;
            case GetGroupHistory m: w.Write(m.Group); w.Write(m.Since); break;
            case GroupHistoryPage m: w.Write(m.Group); WriteOptional(w, m.Stream); Write(w, m.Messages); break;
            case GroupStreamOpened m:
                w.Write(m.Group); w.Write(m.ConnectionId); WriteOptional(w, m.Position); Write(w, m.Replay);
                w.Write(m.Recovered.HasValue); w.Write(m.Recovered ?? false);
                break;
            case GetMembers m: w.Write(m.Group); break;
            case Members m:
                w.Write(m.Group); w.Write(m.Connections); w.Write(m.Users.Count);
                foreach (var member in m.Users)
                {
                    w.Write(member.UserId);
                    w.Write(member.Connections);
                }
                WriteOptional(w, m.Stream);
                break;
            case DeliverToConnections m:
                Write(w, m.ConnectionIds); Write(w, m.Frame); WriteOptional(w, m.Stamp); w.Write(m.Frame.AcceptedAt); w.Write(m.Frame.Seq);
                break;
            case DeliverToGroup m:
                w.Write(m.Group); Write(w, m.Frame); WriteOptional(w, m.Stamp); w.Write(m.Frame.AcceptedAt); w.Write(m.Frame.Seq);
                break;
            case Broadcast m: Write(w, m.Frame); w.Write(m.Frame.AcceptedAt); break;
            case Accepted m: w.Write(m.ConnectionId); Write(w, m.Id); w.Write(m.Seq); break;
            case Rejected m: w.Write(m.ConnectionId); Write(w, m.Id); Write(w, m.Error); break;
            case RelayProtocol.Delivered m: w.Write(m.Seq); w.Write(m.Route); w.Write(m.Nodes); w.Write(m.StreamSeq); break;
            case RelayProtocol.Routed m:
                w.Write(m.Seq); w.Write(m.Refusal is not null);
                if (m.Refusal is not null)
                    Write(w, m.Refusal);
                w.Write(m.StreamSeq);
                break;
            case RegistryProtocol.FindUsers m: w.Write(m.Bucket); Write(w, m.ReplyTo); break;
            case RegistryProtocol.UsersFound m: w.Write(m.Bucket); Write(w, m.Members); Write(w, m.Node); break;
            case RegistryProtocol.FindGroup m: w.Write(m.Group); Write(w, m.ReplyTo); break;
            case RegistryProtocol.GroupFound m: w.Write(m.Group); Write(w, m.Members); Write(w, m.Node); break;
            case GetNodeStats: break;
            case NodeStatsSnapshot m: Write(w, m); break;
            case AdminProtocol.ListConnections m: WriteOptional(w, m.UserId); WriteOptional(w, m.After); w.Write(m.Limit); break;
            case AdminProtocol.ConnectionList m:
                w.Write(m.Node); w.Write(m.More); w.Write(m.Connections.Length);
                foreach (var c in m.Connections)
                {
                    w.Write(c.ConnectionId); w.Write(c.UserId); WriteOptional(w, c.RemoteAddress); w.Write(c.ConnectedAtMs);
                    Write(w, c.Groups); w.Write(c.MessagesIn); w.Write(c.MessagesOut); w.Write(c.OutboxDepth);
                }
                break;
            case AdminProtocol.ListGroups m: WriteOptional(w, m.After); w.Write(m.Limit); break;
            case AdminProtocol.GroupList m: w.Write(m.Node); Write(w, m.Groups); w.Write(m.More); break;
            case AdminProtocol.ListLargestGroups m: w.Write(m.Limit); break;
            case AdminProtocol.LargestGroups m: w.Write(m.Node); Write(w, m.Groups); break;
            case AdminProtocol.Kick m: WriteOptional(w, m.UserId); WriteOptional(w, m.ConnectionId); w.Write(m.Reason); w.Write(m.By); break;
            case AdminProtocol.Kicked m: w.Write(m.Node); w.Write(m.Closed); break;
            case AdminProtocol.DrainNode m: w.Write(m.By); break;
            case AdminProtocol.DrainStarted m: w.Write(m.Node); w.Write(m.Started); break;
            case AdminProtocol.RateLimitUpdate m: w.Write(m.OptionsJson); w.Write(m.Origin); w.Write(m.By); break;
            case AdminProtocol.RateLimitApplied m: w.Write(m.Node); w.Write(m.Applied); break;
            default: throw new ArgumentException($"{o.GetType()} is not a routing message", nameof(o));
        }
        w.Flush();
        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var r = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        return manifest switch
        {
            "UA" => ReadAddConnection(r),
            "UR" => new RemoveConnection(r.ReadString(), r.ReadString()),
            "US" => ReadSendToUser(r),
            "UG" => new GetConnections(r.ReadString()),
            "UC" => new Connections(r.ReadString(), r.ReadInt32(), r.ReadInt32(), More(r) ? ReadOptionalPosition(r) : null,
                More(r) ? r.ReadInt64() : 0),
            "UN" => new Notify(r.ReadString(), ReadFrame(r)),
            "UV" => new Received(r.ReadString(), r.ReadInt64()),
            "UH" => new GetHistory(r.ReadString(), r.ReadInt64()),
            "UP" => new HistoryPage(r.ReadString(), ReadOptionalPosition(r), ReadFrames(r)),
            "UO" => new UserStreamOpened(r.ReadString(), ReadOptionalPosition(r)!, ReadFrames(r), r.ReadBoolean() ? (bool?)r.ReadBoolean() : SkipBool(r)),
            "GA" => ReadAddMember(r),
            "GR" => new RemoveMember(r.ReadString(), r.ReadString()),
            "GS" => ReadSendToGroup(r),
            "GH" => new GetGroupHistory(r.ReadString(), r.ReadInt64()),
            "GP" => new GroupHistoryPage(r.ReadString(), ReadOptionalPosition(r), ReadFrames(r)),
            "GO" => new GroupStreamOpened(r.ReadString(), r.ReadString(), ReadOptionalPosition(r)!, ReadFrames(r),
                r.ReadBoolean() ? (bool?)r.ReadBoolean() : SkipBool(r)),
            "GG" => new GetMembers(r.ReadString()),
            "GM" => ReadMembers(r),
            "DC" => WithSeq(WithAcceptedAt(new DeliverToConnections(ReadStrings(r), ReadFrame(r), ReadOptionalStamp(r)), static m => m.Frame, r), r),
            "DG" => WithSeq(WithAcceptedAt(new DeliverToGroup(r.ReadString(), ReadFrame(r), ReadOptionalStamp(r)), static m => m.Frame, r), r),
            "DB" => WithAcceptedAt(new Broadcast(ReadFrame(r)), static m => m.Frame, r),
            "DA" => new Accepted(r.ReadString(), ReadBytes(r), More(r) ? r.ReadInt64() : 0),
            "DR" => new Rejected(r.ReadString(), ReadBytes(r), ReadError(r)),
            "RR" => new RelayProtocol.Routed(r.ReadInt64(), r.ReadBoolean() ? ReadError(r) : null, More(r) ? r.ReadInt64() : 0),
            "RD" => new RelayProtocol.Delivered(r.ReadInt64(), r.ReadInt64(), r.ReadInt32(), More(r) ? r.ReadInt64() : 0),
            "RU" => new RegistryProtocol.FindUsers(r.ReadInt32(), ReadRef(r)),
            "RF" => new RegistryProtocol.UsersFound(r.ReadInt32(), ReadStrings(r), ReadRef(r)),
            "RG" => new RegistryProtocol.FindGroup(r.ReadString(), ReadRef(r)),
            "RH" => new RegistryProtocol.GroupFound(r.ReadString(), ReadStrings(r), ReadRef(r)),
            "SQ" => GetNodeStats.Instance,
            "SS" => ReadSnapshot(r),
            "AL" => new AdminProtocol.ListConnections(ReadOptionalString(r), ReadOptionalString(r), r.ReadInt32()),
            "AC" => ReadConnectionList(r),
            "AG" => new AdminProtocol.ListGroups(ReadOptionalString(r), r.ReadInt32()),
            "AH" => new AdminProtocol.GroupList(r.ReadString(), ReadStrings(r), r.ReadBoolean()),
            "AT" => new AdminProtocol.ListLargestGroups(r.ReadInt32()),
            "AU" => new AdminProtocol.LargestGroups(r.ReadString(), ReadStrings(r)),
            "AK" => new AdminProtocol.Kick(ReadOptionalString(r), ReadOptionalString(r), r.ReadString(), r.ReadString()),
            "AX" => new AdminProtocol.Kicked(r.ReadString(), r.ReadInt32()),
            "AD" => new AdminProtocol.DrainNode(r.ReadString()),
            "AS" => new AdminProtocol.DrainStarted(r.ReadString(), r.ReadBoolean()),
            "AR" => new AdminProtocol.RateLimitUpdate(r.ReadString(), r.ReadString(), r.ReadString()),
            "AA" => new AdminProtocol.RateLimitApplied(r.ReadString(), r.ReadBoolean()),
            _ => throw new SerializationException($"unknown routing manifest \"{manifest}\""),
        };
    }

    private static Members ReadMembers(BinaryReader r)
    {
        var group = r.ReadString();
        var connections = r.ReadInt32();
        var users = Enumerable.Range(0, r.ReadInt32()).Select(_ => new Member(r.ReadString(), r.ReadInt32())).ToList();
        return new Members(group, users, connections, More(r) ? ReadOptionalPosition(r) : null);
    }

    private static void Write(BinaryWriter w, NodeStatsSnapshot s)
    {
        w.Write(s.Node);
        foreach (var figure in new[]
                 {
                     s.Connections, s.MaxConnections, s.Users, s.Groups, s.MessagesIn, s.MessagesOut, s.BytesIn, s.BytesOut,
                     s.Delivered, s.Undeliverable, s.Dropped, s.BroadcastsDropped, s.ClosedSlow, s.Timeouts, s.ControlFramesQueued,
                     s.Resent, s.Unconfirmed, s.RepeatsDropped, s.UptimeSeconds, s.CpuTimeMs, s.MemoryBytes,
                 })
            w.Write(figure);
        w.Write(s.Errors.Count);
        foreach (var (code, count) in s.Errors)
        {
            w.Write(code);
            w.Write(count);
        }
    }

    private static NodeStatsSnapshot ReadSnapshot(BinaryReader r)
    {
        var node = r.ReadString();
        var f = Enumerable.Range(0, 21).Select(_ => r.ReadInt64()).ToArray();
        var errors = new SortedDictionary<string, long>();
        for (var i = r.ReadInt32(); i > 0; i--)
            errors[r.ReadString()] = r.ReadInt64();
        return new NodeStatsSnapshot(node, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13],
            f[14], f[15], f[16], f[17], errors, f[18], f[19], f[20]);
    }

    private static AdminProtocol.ConnectionList ReadConnectionList(BinaryReader r)
    {
        var node = r.ReadString();
        var more = r.ReadBoolean();
        var connections = new AdminProtocol.ConnectionEntry[r.ReadInt32()];
        for (var i = 0; i < connections.Length; i++)
        {
            connections[i] = new AdminProtocol.ConnectionEntry(r.ReadString(), r.ReadString(), ReadOptionalString(r), r.ReadInt64(),
                ReadStrings(r), r.ReadInt64(), r.ReadInt64(), r.ReadInt32());
        }
        return new AdminProtocol.ConnectionList(node, connections, more);
    }

    private static void WriteOptional(BinaryWriter w, string? text)
    {
        w.Write(text is not null);
        if (text is not null)
            w.Write(text);
    }

    private static string? ReadOptionalString(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static void Write(BinaryWriter w, string[] strings)
    {
        w.Write(strings.Length);
        foreach (var text in strings)
            w.Write(text);
    }

    private static string[] ReadStrings(BinaryReader r)
    {
        var strings = new string[r.ReadInt32()];
        for (var i = 0; i < strings.Length; i++)
            strings[i] = r.ReadString();
        return strings;
    }

    private static void Write(BinaryWriter w, OutboundFrame frame) => Write(w, frame.Bytes);

    private static void Write(BinaryWriter w, ReadOnlyMemory<byte> bytes)
    {
        w.Write(bytes.Length);
        w.Write(bytes.Span);
    }

    private static void Write(BinaryWriter w, IActorRef actor) => w.Write(Akka.Serialization.Serialization.SerializedActorPath(actor));

    private static void WriteOptional(BinaryWriter w, RelayStamp? stamp)
    {
        w.Write(stamp is not null);
        if (stamp is null)
            return;
        Write(w, stamp.Relay);
        w.Write(stamp.Seq);
        w.Write(stamp.Resent);
        w.Write(stamp.Route);
        w.Write(stamp.Nodes);
    }

    private static void Write(BinaryWriter w, FrameError error)
    {
        w.Write(error.Code);
        w.Write(error.Message);
    }

    private static FrameError ReadError(BinaryReader r) => new(r.ReadString(), r.ReadString());

    private static byte[] ReadBytes(BinaryReader r) => r.ReadBytes(r.ReadInt32());

    private static OutboundFrame ReadFrame(BinaryReader r) => OutboundFrame.FromBytes(ReadBytes(r));

    // A frame's accept time (for the delivery histogram) is the last field, so that a node of an earlier build reads the
    // message without it, and this build reads such a node's messages as unstamped.
    private static T WithAcceptedAt<T>(T message, Func<T, OutboundFrame> frame, BinaryReader r)
    {
        if (r.BaseStream.Length - r.BaseStream.Position >= sizeof(long))
            frame(message).AcceptedAt = r.ReadInt64();
        return message;
    }

    // Fields added after a message's first form come last, read only when present, so that nodes of the earlier build
    // and this one read each other's messages during a rolling upgrade.
    private static bool More(BinaryReader r) => r.BaseStream.Position < r.BaseStream.Length;

    private static bool? SkipBool(BinaryReader r)
    {
        r.ReadBoolean();
        return null;
    }

    // The stream's number travels with the frame; the stamp that confirms it takes the same number.
    private static DeliverToConnections WithSeq(DeliverToConnections m, BinaryReader r)
    {
        if (!More(r))
            return m;
        m.Frame.Seq = r.ReadInt64();
        return m.Stamp is { } stamp ? m with { Stamp = stamp with { StreamSeq = m.Frame.Seq } } : m;
    }

    private static DeliverToGroup WithSeq(DeliverToGroup m, BinaryReader r)
    {
        if (!More(r))
            return m;
        m.Frame.Seq = r.ReadInt64();
        return m.Stamp is { } stamp ? m with { Stamp = stamp with { StreamSeq = m.Frame.Seq } } : m;
    }

    private AddConnection ReadAddConnection(BinaryReader r)
    {
        var add = new AddConnection(r.ReadString(), r.ReadString(), ReadRef(r));
        return More(r) ? add with { OpensStream = r.ReadBoolean(), Resume = ReadOptionalPosition(r) } : add;
    }

    private AddMember ReadAddMember(BinaryReader r)
    {
        var add = new AddMember(r.ReadString(), r.ReadString(), r.ReadString(), ReadRef(r), ReadOptionalStamp(r));
        return More(r) ? add with { OpensStream = r.ReadBoolean(), Resume = ReadOptionalPosition(r) } : add;
    }

    private SendToGroup ReadSendToGroup(BinaryReader r)
    {
        var send = WithAcceptedAt(new SendToGroup(r.ReadString(), ReadFrame(r), ReadOptionalStamp(r)), static m => m.Frame, r);
        return More(r) ? send with { Sender = ReadOptionalString(r), MessageId = ReadBytes(r) } : send;
    }

    private SendToUser ReadSendToUser(BinaryReader r)
    {
        var send = WithAcceptedAt(new SendToUser(r.ReadString(), ReadFrame(r), ReadOptionalStamp(r)), static m => m.Frame, r);
        return More(r) ? send with { Sender = ReadOptionalString(r), MessageId = ReadBytes(r), WantsReceipt = r.ReadBoolean() } : send;
    }

    private static void WriteOptional(BinaryWriter w, StreamPosition? position)
    {
        w.Write(position is not null);
        if (position is null)
            return;
        w.Write(position.Epoch);
        w.Write(position.Seq);
    }

    private static StreamPosition? ReadOptionalPosition(BinaryReader r) => r.ReadBoolean() ? new StreamPosition(r.ReadString(), r.ReadInt64()) : null;

    private static void Write(BinaryWriter w, OutboundFrame[] frames)
    {
        w.Write(frames.Length);
        foreach (var frame in frames)
            Write(w, frame);
    }

    private static OutboundFrame[] ReadFrames(BinaryReader r)
    {
        var frames = new OutboundFrame[r.ReadInt32()];
        for (var i = 0; i < frames.Length; i++)
            frames[i] = ReadFrame(r);
        return frames;
    }

    private IActorRef ReadRef(BinaryReader r) => system.Provider.ResolveActorRef(r.ReadString());

    private RelayStamp? ReadOptionalStamp(BinaryReader r) =>
        r.ReadBoolean() ? new RelayStamp(ReadRef(r), r.ReadInt64(), r.ReadBoolean(), r.ReadInt64(), r.ReadInt32()) : null;
}

public static class RoutingSerializerHostingExtensions
{
    /// <summary>Binds <see cref="RoutingSerializer"/> to every <see cref="IRoutingMessage"/>.</summary>
    public static AkkaConfigurationBuilder AddRoutingSerializer(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer("switchboard-routing", [typeof(IRoutingMessage)], system => new RoutingSerializer(system));
}
