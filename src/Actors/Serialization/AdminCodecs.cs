using static Switchboard.Actors.Admin.AdminProtocol;

namespace Switchboard.Actors.Serialization;

/// <summary>The admin API's questions to each node and the answers (<see cref="Admin.AdminProtocol"/>) on the wire.</summary>
internal static class AdminCodecs
{
    public static readonly Codec[] All =
    [
        new Codec<ListConnections>("AL",
            static (w, m) => { w.WriteOptional(m.UserId); w.WriteOptional(m.After); w.Write(m.Limit); },
            static r => new ListConnections(r.ReadOptionalString(), r.ReadOptionalString(), r.ReadInt32())),
        new Codec<ConnectionList>("AC", WriteConnectionList, ReadConnectionList),
        new Codec<ListGroups>("AG",
            static (w, m) => { w.WriteOptional(m.After); w.Write(m.Limit); },
            static r => new ListGroups(r.ReadOptionalString(), r.ReadInt32())),
        new Codec<GroupList>("AH",
            static (w, m) => { w.Write(m.Node); w.WriteStrings(m.Groups); w.Write(m.More); },
            static r => new GroupList(r.ReadString(), r.ReadStrings(), r.ReadBoolean())),
        new Codec<ListLargestGroups>("AT",
            static (w, m) => w.Write(m.Limit),
            static r => new ListLargestGroups(r.ReadInt32())),
        new Codec<LargestGroups>("AU",
            static (w, m) => { w.Write(m.Node); w.WriteStrings(m.Groups); },
            static r => new LargestGroups(r.ReadString(), r.ReadStrings())),
        new Codec<Kick>("AK",
            static (w, m) => { w.WriteOptional(m.UserId); w.WriteOptional(m.ConnectionId); w.Write(m.Reason); w.Write(m.By); },
            static r => new Kick(r.ReadOptionalString(), r.ReadOptionalString(), r.ReadString(), r.ReadString())),
        new Codec<Kicked>("AX",
            static (w, m) => { w.Write(m.Node); w.Write(m.Closed); },
            static r => new Kicked(r.ReadString(), r.ReadInt32())),
        new Codec<DrainNode>("AD",
            static (w, m) => w.Write(m.By),
            static r => new DrainNode(r.ReadString())),
        new Codec<DrainStarted>("AS",
            static (w, m) => { w.Write(m.Node); w.Write(m.Started); },
            static r => new DrainStarted(r.ReadString(), r.ReadBoolean())),
        new Codec<RateLimitUpdate>("AR",
            static (w, m) => { w.Write(m.OptionsJson); w.Write(m.Origin); w.Write(m.By); },
            static r => new RateLimitUpdate(r.ReadString(), r.ReadString(), r.ReadString())),
        new Codec<RateLimitApplied>("AA",
            static (w, m) => { w.Write(m.Node); w.Write(m.Applied); },
            static r => new RateLimitApplied(r.ReadString(), r.ReadBoolean())),
    ];

    private static void WriteConnectionList(WireWriter w, ConnectionList m)
    {
        w.Write(m.Node);
        w.Write(m.More);
        w.Write(m.Connections.Length);
        foreach (var c in m.Connections)
        {
            w.Write(c.ConnectionId);
            w.Write(c.UserId);
            w.WriteOptional(c.RemoteAddress);
            w.Write(c.ConnectedAtMs);
            w.WriteStrings(c.Groups);
            w.Write(c.MessagesIn);
            w.Write(c.MessagesOut);
            w.Write(c.OutboxDepth);
        }
    }

    private static ConnectionList ReadConnectionList(WireReader r)
    {
        var node = r.ReadString();
        var more = r.ReadBoolean();
        var connections = new ConnectionEntry[r.ReadInt32()];
        for (var i = 0; i < connections.Length; i++)
        {
            connections[i] = new ConnectionEntry(ConnectionId: r.ReadString(), UserId: r.ReadString(),
                RemoteAddress: r.ReadOptionalString(), ConnectedAtMs: r.ReadInt64(), Groups: r.ReadStrings(),
                MessagesIn: r.ReadInt64(), MessagesOut: r.ReadInt64(), OutboxDepth: r.ReadInt32());
        }
        return new ConnectionList(node, connections, more);
    }
}
