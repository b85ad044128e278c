using Switchboard.Actors.Stats;

namespace Switchboard.Actors.Serialization;

/// <summary>A node's stats, asked for and answered, on the wire.</summary>
internal static class StatsCodecs
{
    public static readonly Codec[] All =
    [
        // No fields: every copy reads as the one instance.
        new Codec<GetNodeStats>("SQ", static (_, _) => { }, static _ => GetNodeStats.Instance),
        new Codec<NodeStatsSnapshot>("SS", Write, Read),
    ];

    // The wire order is not the constructor's: the error counts, a list, come after every figure.
    private static void Write(WireWriter w, NodeStatsSnapshot s)
    {
        w.Write(s.Node);
        w.Write(s.Connections);
        w.Write(s.MaxConnections);
        w.Write(s.Users);
        w.Write(s.Groups);
        w.Write(s.MessagesIn);
        w.Write(s.MessagesOut);
        w.Write(s.BytesIn);
        w.Write(s.BytesOut);
        w.Write(s.Delivered);
        w.Write(s.Undeliverable);
        w.Write(s.Dropped);
        w.Write(s.BroadcastsDropped);
        w.Write(s.ClosedSlow);
        w.Write(s.Timeouts);
        w.Write(s.ControlFramesQueued);
        w.Write(s.Resent);
        w.Write(s.Unconfirmed);
        w.Write(s.RepeatsDropped);
        w.Write(s.UptimeSeconds);
        w.Write(s.CpuTimeMs);
        w.Write(s.MemoryBytes);
        w.Write(s.Errors.Count);
        foreach (var (code, count) in s.Errors)
        {
            w.Write(code);
            w.Write(count);
        }
    }

    // Arguments are evaluated in the order they are written, names or not: this reads in the order Write writes.
    private static NodeStatsSnapshot Read(WireReader r) => new(
        Node: r.ReadString(),
        Connections: r.ReadInt64(),
        MaxConnections: r.ReadInt64(),
        Users: r.ReadInt64(),
        Groups: r.ReadInt64(),
        MessagesIn: r.ReadInt64(),
        MessagesOut: r.ReadInt64(),
        BytesIn: r.ReadInt64(),
        BytesOut: r.ReadInt64(),
        Delivered: r.ReadInt64(),
        Undeliverable: r.ReadInt64(),
        Dropped: r.ReadInt64(),
        BroadcastsDropped: r.ReadInt64(),
        ClosedSlow: r.ReadInt64(),
        Timeouts: r.ReadInt64(),
        ControlFramesQueued: r.ReadInt64(),
        Resent: r.ReadInt64(),
        Unconfirmed: r.ReadInt64(),
        RepeatsDropped: r.ReadInt64(),
        UptimeSeconds: r.ReadInt64(),
        CpuTimeMs: r.ReadInt64(),
        MemoryBytes: r.ReadInt64(),
        Errors: ReadErrors(r));

    private static SortedDictionary<string, long> ReadErrors(WireReader r)
    {
        var errors = new SortedDictionary<string, long>();
        for (var i = r.ReadInt32(); i > 0; i--)
            errors[r.ReadString()] = r.ReadInt64();
        return errors;
    }
}
