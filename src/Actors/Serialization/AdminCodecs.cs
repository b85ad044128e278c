using Switchboard.Actors.Namespaces;
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
        // No fields: every copy reads as the one instance.
        new Codec<GetNamespaces>("AN", static (_, _) => { }, static _ => GetNamespaces.Instance),
        new Codec<NamespacesLoaded>("AB", WriteNamespaces, ReadNamespaces),
        new Codec<GetHooks>("AO", static (_, _) => { }, static _ => GetHooks.Instance),
        new Codec<HooksLoaded>("AP", WriteHooks, ReadHooks),
    ];

    // Outcomes by name, so that a reordered or longer list of outcomes cannot change what another build reads.
    private static void WriteHooks(WireWriter w, HooksLoaded m)
    {
        w.Write(m.Node);
        w.Write(m.Hooks.Length);
        foreach (var hook in m.Hooks)
        {
            w.Write(hook.Hook);
            w.WriteOptional(hook.Transport);
            (string Outcome, long Count)[] calls =
            [
                ("allowed", hook.Calls.Allowed), ("denied", hook.Calls.Denied), ("failed", hook.Calls.Failed),
                ("timed_out", hook.Calls.TimedOut), ("busy", hook.Calls.Busy),
            ];
            w.Write(calls.Length);
            foreach (var (outcome, count) in calls)
            {
                w.Write(outcome);
                w.Write(count);
            }
            w.Write(hook.LatencyBoundsMs.Length);
            foreach (var bound in hook.LatencyBoundsMs)
                w.Write(bound);
            w.Write(hook.Latency.Length);
            foreach (var count in hook.Latency)
                w.Write(count);
            w.Write(hook.PerSecond);
        }
    }

    private static HooksLoaded ReadHooks(WireReader r)
    {
        var node = r.ReadString();
        var hooks = new HookState[r.ReadInt32()];
        for (var i = 0; i < hooks.Length; i++)
        {
            var name = r.ReadString();
            var transport = r.ReadOptionalString();
            var calls = new Dictionary<string, long>(StringComparer.Ordinal);
            for (var n = r.ReadInt32(); n > 0; n--)
                calls[r.ReadString()] = r.ReadInt64();
            var bounds = new double[r.ReadInt32()];
            for (var b = 0; b < bounds.Length; b++)
                bounds[b] = r.ReadDouble();
            var latency = new long[r.ReadInt32()];
            for (var b = 0; b < latency.Length; b++)
                latency[b] = r.ReadInt64();
            var counts = new HookCallCounts(calls.GetValueOrDefault("allowed"), calls.GetValueOrDefault("denied"),
                calls.GetValueOrDefault("failed"), calls.GetValueOrDefault("timed_out"), calls.GetValueOrDefault("busy"));
            hooks[i] = new HookState(name, transport, counts, bounds, latency, r.ReadDouble());
        }
        return new HooksLoaded(node, hooks);
    }

    // The table's own fields; its fingerprint is worked out again by the reader (NamespacesLoaded).
    private static void WriteNamespaces(WireWriter w, NamespacesLoaded m)
    {
        w.Write(m.Node);
        w.Write(m.Table.Strict);
        WriteRules(w, m.Table.Default);
        w.Write(m.Table.Rules.Count);
        foreach (var (name, rules) in m.Table.Rules)
        {
            w.Write(name);
            WriteRules(w, rules);
        }
    }

    private static NamespacesLoaded ReadNamespaces(WireReader r)
    {
        var node = r.ReadString();
        var strict = r.ReadBoolean();
        var @default = ReadRules(r);
        var rules = new Dictionary<string, NamespaceRules>(StringComparer.Ordinal);
        for (var i = r.ReadInt32(); i > 0; i--)
            rules[r.ReadString()] = ReadRules(r);
        return new NamespacesLoaded(node, new NamespaceTable(@default, rules, strict));
    }

    // ClientPublish goes by name, so that a reordered enum cannot change what another build reads.
    private static void WriteRules(WireWriter w, NamespaceRules rules)
    {
        // A history field is a presence flag, then its value when present (null: the global setting).
        w.Write(rules.HistorySize.HasValue);
        if (rules.HistorySize is { } size)
            w.Write(size);
        w.Write(rules.HistoryTtl.HasValue);
        if (rules.HistoryTtl is { } ttl)
            w.Write(ttl.Ticks);
        w.Write(rules.Presence);
        w.Write(rules.PresenceEvents);
        w.Write(rules.ClientPublish.ToString());
        w.Write(rules.JoinHook);
        w.Write(rules.PublishHook);
        w.Write(rules.MaxMembers);
    }

    // Arguments are evaluated in the order they are written, names or not: this reads in the order WriteRules writes.
    private static NamespaceRules ReadRules(WireReader r) => new(
        HistorySize: r.ReadBoolean() ? r.ReadInt32() : null,
        HistoryTtl: r.ReadBoolean() ? TimeSpan.FromTicks(r.ReadInt64()) : null,
        Presence: r.ReadBoolean(),
        PresenceEvents: r.ReadBoolean(),
        ClientPublish: Enum.Parse<ClientPublish>(r.ReadString()),
        JoinHook: r.ReadBoolean(),
        PublishHook: r.ReadBoolean(),
        MaxMembers: r.ReadInt32());

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
