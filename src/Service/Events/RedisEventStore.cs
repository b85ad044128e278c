using System.Globalization;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;
using Switchboard.Actors.Events;

namespace Switchboard.Service.Events;

/// <summary>
/// <c>Events:Store=redis</c>: a node run's waiting events live in Redis and outlive it. Per run (<see cref="NodeRun.Key"/>,
/// so that a restart on the same address starts afresh): <c>{prefix}{run}:events</c> (a list, oldest first),
/// <c>...:meta</c> (hash: head, the position of the list's first event; dropped, the drops not yet reported),
/// <c>...:connections</c> (hash: the run's open connections, each <c>&lt;connected at ms&gt;|&lt;its fields in JSON&gt;</c>) and
/// <c>...:claimed</c> (the survivor that took the run over, set once with SET NX). Each call is one script, atomic in Redis:
/// an event and the connection it opens or closes are kept together, and a lost run is claimed, moved and removed together.
/// </summary>
public sealed class RedisEventStore(IConnectionMultiplexer redis, string prefix, NodeRun run) : IEventStore
{
    // KEYS: events, meta, connections. ARGV: max, dropped before, n, n events, then (op, id, record) per connection change.
    private const string AppendScript = """
        local max, dropped, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        for i = 1, n do redis.call('RPUSH', KEYS[1], ARGV[3 + i]) end
        local i = 4 + n
        while i + 2 <= #ARGV do
          if ARGV[i] == '+' then redis.call('HSET', KEYS[3], ARGV[i + 1], ARGV[i + 2]) else redis.call('HDEL', KEYS[3], ARGV[i + 1]) end
          i = i + 3
        end
        local len = redis.call('LLEN', KEYS[1])
        if len > max then
          local excess = len - max
          redis.call('LTRIM', KEYS[1], excess, -1)
          redis.call('HINCRBY', KEYS[2], 'head', excess)
          dropped = dropped + excess
          len = max
        end
        if dropped > 0 then redis.call('HINCRBY', KEYS[2], 'dropped', dropped) end
        return {len, dropped}
        """;

    // KEYS: events, meta. ARGV: max. Returns head, unreported drops, pending, the events.
    private const string PeekScript = """
        local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
        local meta = redis.call('HMGET', KEYS[2], 'head', 'dropped')
        return {tonumber(meta[1] or '0'), tonumber(meta[2] or '0'), redis.call('LLEN', KEYS[1]), items}
        """;

    // KEYS: events, meta. ARGV: until, reported. What drops took from the batch meanwhile is not removed twice.
    private const string RemoveScript = """
        local n = tonumber(ARGV[1]) - tonumber(redis.call('HGET', KEYS[2], 'head') or '0')
        if n > 0 then
          redis.call('LTRIM', KEYS[1], n, -1)
          redis.call('HINCRBY', KEYS[2], 'head', n)
        end
        local reported = tonumber(ARGV[2])
        if reported > 0 then
          local d = tonumber(redis.call('HGET', KEYS[2], 'dropped') or '0')
          redis.call('HSET', KEYS[2], 'dropped', math.max(0, d - reported))
        end
        return redis.call('LLEN', KEYS[1])
        """;

    // KEYS: the lost run's events, meta, connections, claimed; this run's events, meta. ARGV: claimer, max, id prefix (JSON-escaped).
    // Returns nil when another survivor claimed it; else events moved, connections lost, pending, dropped by the bound.
    private const string AdoptScript = """
        if redis.replicate_commands then redis.replicate_commands() end
        if not redis.call('SET', KEYS[4], ARGV[1], 'NX', 'EX', 86400) then return false end
        local moved = redis.call('LRANGE', KEYS[1], 0, -1)
        for _, e in ipairs(moved) do redis.call('RPUSH', KEYS[5], e) end
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local open = redis.call('HGETALL', KEYS[3])
        local lost = 0
        for i = 1, #open, 2 do
          local record = open[i + 1]
          local bar = string.find(record, '|', 1, true)
          local since = tonumber(string.sub(record, 1, bar - 1))
          lost = lost + 1
          redis.call('RPUSH', KEYS[5], '{"id":"' .. ARGV[3] .. lost .. '","type":"disconnected",' .. string.sub(record, bar + 1)
            .. ',"group":null,"at":' .. string.format('%d', now) .. ',"data":{"code":1006,"reason":"node_lost","duration_ms":'
            .. string.format('%d', math.max(0, now - since)) .. '}}')
        end
        local dropped = tonumber(redis.call('HGET', KEYS[2], 'dropped') or '0')
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
        local len, max, trimmed = redis.call('LLEN', KEYS[5]), tonumber(ARGV[2]), 0
        if len > max then
          trimmed = len - max
          redis.call('LTRIM', KEYS[5], trimmed, -1)
          redis.call('HINCRBY', KEYS[6], 'head', trimmed)
          len = max
        end
        if dropped + trimmed > 0 then redis.call('HINCRBY', KEYS[6], 'dropped', dropped + trimmed) end
        return {#moved, lost, len, trimmed}
        """;

    private readonly RedisKey[] _own = [Key(prefix, run, "events"), Key(prefix, run, "meta"), Key(prefix, run, "connections")];

    public async Task<EventsAppended> AppendAsync(IReadOnlyList<StoredEvent> events, int maxPending, long droppedBefore)
    {
        var values = new List<RedisValue>(3 + events.Count * 2)
        {
            maxPending, droppedBefore, events.Count,
        };
        values.AddRange(events.Select(e => (RedisValue)e.Json));
        foreach (var e in events)
        {
            if (e.Opened is { } open)
                values.AddRange(["+", open.ConnectionId, Record(open)]);
            else if (e.ClosedId is { } closed)
                values.AddRange(["-", closed, ""]);
        }
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(AppendScript, _own, [.. values]).ConfigureAwait(false))!;
        return new EventsAppended((long)result[0], (long)result[1]);
    }

    public async Task<PendingEvents> PeekAsync(int max)
    {
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(PeekScript, _own[..2], [max]).ConfigureAwait(false))!;
        var events = ((RedisResult[])result[3]!).Select(e => (byte[])e!).ToArray();
        return new PendingEvents((long)result[0], (long)result[1], events, (long)result[2]);
    }

    public async Task<long> RemoveAsync(long until, long reported) =>
        (long)await Database.ScriptEvaluateAsync(RemoveScript, _own[..2], [until, reported]).ConfigureAwait(false);

    public async Task<AdoptedRun?> AdoptAsync(NodeRun lost, int maxPending)
    {
        RedisKey[] keys =
        [
            Key(prefix, lost, "events"), Key(prefix, lost, "meta"), Key(prefix, lost, "connections"), Key(prefix, lost, "claimed"),
            _own[0], _own[1],
        ];
        var idPrefix = JsonEncodedText.Encode($"{lost.Key}/lost/").ToString();
        var result = await Database.ScriptEvaluateAsync(AdoptScript, keys, [run.Key, maxPending, idPrefix]).ConfigureAwait(false);
        if (result.IsNull)
            return null;
        var counts = (RedisResult[])result!;
        return new AdoptedRun((long)counts[0], (long)counts[1], (long)counts[2], (long)counts[3]);
    }

    private IDatabase Database => redis.GetDatabase();

    private static RedisKey Key(string prefix, NodeRun run, string part) => $"{prefix}{run.Key}:{part}";

    private static byte[] Record(OpenConnection open) =>
        [.. Encoding.ASCII.GetBytes(open.ConnectedAtMs.ToString(CultureInfo.InvariantCulture) + "|"), .. EventJson.LostConnectionFields(open)];
}
