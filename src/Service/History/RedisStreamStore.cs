using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchboard.Actors.History;
using StreamPosition = Switchboard.Actors.History.StreamPosition;
using Switchboard.Service.Hosting;
using Switchboard.Streams.Outbound;

namespace Switchboard.Service.History;

/// <summary>
/// History:Store=redis: every stream in Redis, shared by the nodes, so its epoch, numbers, kept messages, resend ids and
/// receipts outlive any node. Each call is one script (one round trip, pipelined on the node's one connection, run
/// atomically by Redis): numbering, keeping, trimming and the resend check of a message happen together, and a read's
/// position always matches its messages. Per stream <c>{prefix}{u:id}:meta</c> (hash: epoch, seq, delivered),
/// <c>...:log</c> (a Redis stream whose entry ids are the seqs: <c>&lt;seq&gt;-0</c>, fields f (the frame before its
/// seq is added), t (Redis time, ms), s (sender), i (message id), r (receipt asked)), and <c>...:sent:&lt;sender&gt;\n&lt;id&gt;</c>
/// and <c>...:relay:&lt;stamp&gt;</c> (epoch:seq of a numbered message, for resends). Everything expires after the TTL.
/// </summary>
public sealed class RedisStreamStore : IStreamStore, IDisposable
{
    // ARGV: frame, sender, message id, receipt, ttl, size, new epoch, reset, has sent key, has relay key. Returns seq, epoch,
    // created, repeat (0 new, 1 a client's resend, 2 a relay's), the kept frame of a relay's resend.
    // Hot: one call per message. Expired entries are trimmed every 16th message, one entry read at a time (a read copies
    // whole entries into Lua); reads skip what has expired in between.
    private const string AppendScript = """
        if redis.replicate_commands then redis.replicate_commands() end
        local meta, log = KEYS[1], KEYS[2]
        local ttl = tonumber(ARGV[5])
        if ARGV[8] == '1' then redis.call('DEL', meta, log) end
        local epoch = redis.call('HGET', meta, 'epoch')
        local created = 0
        if not epoch then
          epoch = ARGV[7]
          created = 1
          redis.call('DEL', log)
          redis.call('HSET', meta, 'epoch', epoch, 'seq', 0, 'delivered', 0)
        else
          local prefix = epoch .. ':'
          local function earlier(key)
            local mark = redis.call('GET', key)
            if mark and string.sub(mark, 1, #prefix) == prefix then return string.sub(mark, #prefix + 1) end
          end
          if ARGV[10] == '1' then
            local seq = earlier(KEYS[4])
            if seq then
              local kept = redis.call('XRANGE', log, seq .. '-0', seq .. '-0')
              local frame = false
              if kept[1] then frame = kept[1][2][2] end
              return {tonumber(seq), epoch, 0, 2, frame}
            end
          end
          if ARGV[9] == '1' then
            local seq = earlier(KEYS[3])
            if seq then return {tonumber(seq), epoch, 0, 1, false} end
          end
        end
        local seq = redis.call('HINCRBY', meta, 'seq', 1)
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        redis.call('XADD', log, 'MAXLEN', ARGV[6], seq .. '-0', 'f', ARGV[1], 't', now, 's', ARGV[2], 'i', ARGV[3], 'r', ARGV[4])
        if seq % 16 == 0 then
          for _ = 1, 16 do
            local first = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)[1]
            if not first or tonumber(first[2][4]) > now - ttl then break end
            redis.call('XDEL', log, first[1])
          end
        end
        local mark = epoch .. ':' .. seq
        if ARGV[9] == '1' then redis.call('SET', KEYS[3], mark, 'PX', ttl) end
        if ARGV[10] == '1' then redis.call('SET', KEYS[4], mark, 'PX', ttl) end
        redis.call('PEXPIRE', meta, ttl)
        redis.call('PEXPIRE', log, ttl)
        return {seq, epoch, created, 0, false}
        """;

    // ARGV: open, new epoch, ttl, mode (none|resume|since), epoch, seq. Returns epoch (nil: no stream), seq, delivered,
    // whether the messages asked for are all there, then the id and frame of each.
    private const string ReadScript = """
        if redis.replicate_commands then redis.replicate_commands() end
        local meta, log = KEYS[1], KEYS[2]
        local ttl = tonumber(ARGV[3])
        local state = redis.call('HMGET', meta, 'epoch', 'seq', 'delivered')
        local epoch = state[1]
        if not epoch then
          if ARGV[1] ~= '1' then return {false, 0, 0, 0} end
          epoch = ARGV[2]
          redis.call('DEL', log)
          redis.call('HSET', meta, 'epoch', epoch, 'seq', 0, 'delivered', 0)
          state = {epoch, '0', '0'}
        end
        if ARGV[1] == '1' then redis.call('PEXPIRE', meta, ttl) end
        local last, delivered = tonumber(state[2]), tonumber(state[3])
        local out = {epoch, last, delivered, 0}
        local mode = ARGV[4]
        if mode == 'none' then return out end
        local from = tonumber(ARGV[6])
        if mode == 'resume' and (ARGV[5] ~= epoch or from > last) then return out end
        local kept = {}
        if from < last then kept = redis.call('XRANGE', log, (from + 1) .. '-0', '+') end
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local first = 1
        while kept[first] and tonumber(kept[first][2][4]) <= now - ttl do first = first + 1 end
        if mode == 'resume' and from < last and (not kept[first] or kept[first][1] ~= (from + 1) .. '-0') then return out end
        out[4] = 1
        for i = first, #kept do
          out[#out + 1] = kept[i][1]
          out[#out + 1] = kept[i][2][2]
        end
        return out
        """;

    // ARGV: seq. Returns id, sender, message id of each newly confirmed message that asked for a receipt.
    private const string ConfirmScript = """
        local state = redis.call('HMGET', KEYS[1], 'seq', 'delivered')
        if not state[1] then return {} end
        local last, delivered = tonumber(state[1]), tonumber(state[2])
        local seq = math.min(tonumber(ARGV[1]), last)
        if seq <= delivered then return {} end
        redis.call('HSET', KEYS[1], 'delivered', seq)
        local out = {}
        for _, e in ipairs(redis.call('XRANGE', KEYS[2], (delivered + 1) .. '-0', seq .. '-0')) do
          local f = e[2]
          if f[10] == '1' and f[6] ~= '' and f[8] ~= '' then
            out[#out + 1] = e[1]
            out[#out + 1] = f[6]
            out[#out + 1] = f[8]
          end
        end
        return out
        """;

    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly ConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly long _ttlMs;
    private readonly int _size;
    private readonly ILogger _logger;
    private long _failures;
    private long _failuresLogged;
    private long _lastLoggedAt;
    private long _lastFailedAt;
    private int _failing;

    private RedisStreamStore(ConnectionMultiplexer redis, string prefix, HistoryOptions history, bool refuses, ILogger logger)
    {
        _redis = redis;
        _prefix = prefix;
        _ttlMs = Math.Max(1, (long)history.Ttl.TotalMilliseconds);
        _size = history.Size;
        RefusesOnFailure = refuses;
        _logger = logger;
    }

    /// <summary>Connects to History:Redis without waiting for it: until Redis answers, calls fail and History:OnStoreFailure applies.</summary>
    public static RedisStreamStore Connect(string configuration, string prefix, HistoryOptions history, bool refuses, ILoggerFactory loggers) =>
        new(RedisConnections.Connect(configuration), prefix, history, refuses, loggers.CreateLogger<RedisStreamStore>());

    public bool RefusesOnFailure { get; }

    public long Failures => Interlocked.Read(ref _failures);

    // Failing: the last call failed and Redis is disconnected, or that call failed within the last second. The HTTP API,
    // which refuses without calling, lets a message through again once neither holds, so that Redis answering again is noticed.
    public bool IsFailing => Volatile.Read(ref _failing) == 1
        && (!_redis.IsConnected || Environment.TickCount64 - Interlocked.Read(ref _lastFailedAt) < 1000);

    public async Task<StreamAppended> AppendAsync(string stream, StreamAppend append)
    {
        var key = Key(stream);
        var sender = append.Sender ?? "";
        var hasSent = append.Sender is not null && !append.MessageId.IsEmpty;
        var id = append.MessageId.ToArray();
        var sentKey = hasSent ? string.Concat(key, ":sent:", sender, "\n", System.Text.Encoding.UTF8.GetString(id)) : key + ":sent";
        var relayKey = append.RelayKey is { } relay ? string.Concat(key, ":relay:", relay) : key + ":relay";
        var result = await CallAsync(AppendScript, [key + ":meta", key + ":log", sentKey, relayKey],
        [
            append.Frame.Bytes, sender, id, append.WantsReceipt ? "1" : "0",
            append.Limits is { } limits ? Math.Max(1, (long)limits.Ttl.TotalMilliseconds) : _ttlMs, append.Limits?.Size ?? _size,
            StreamPosition.NewEpoch(),
            append.Reset ? "1" : "0", hasSent ? "1" : "0", append.RelayKey is null ? "0" : "1",
        ]);
        var values = (RedisResult[])result!;
        var seq = (long)values[0];
        var repeat = (StreamRepeat)(int)values[3];
        var frame = repeat switch
        {
            StreamRepeat.None => append.Frame.WithSeq(seq),
            _ when values[4].IsNull => null,
            _ => OutboundFrame.FromBytes((byte[])values[4]!).WithSeq(seq),
        };
        return new StreamAppended(seq, (string)values[1]!, (int)values[2] == 1, repeat, frame);
    }

    public async Task<StreamRead> ReadAsync(string stream, bool open, StreamPosition? resume = null, long? since = null)
    {
        var key = Key(stream);
        var (mode, epoch, from) = resume is { } r ? ("resume", r.Epoch, r.Seq) : since is { } s ? ("since", "", s) : ("none", "", 0L);
        var result = await CallAsync(ReadScript, [key + ":meta", key + ":log"],
            [open ? "1" : "0", StreamPosition.NewEpoch(), _ttlMs, mode, epoch, Math.Max(0, from)]);
        var values = (RedisResult[])result!;
        if (values[0].IsNull)
            return new StreamRead(null, 0, since is null ? null : []);
        var position = new StreamPosition((string)values[0]!, (long)values[1]);
        if ((int)values[3] == 0)
            return new StreamRead(position, (long)values[2], since is null ? null : []);
        var messages = new OutboundFrame[(values.Length - 4) / 2];
        for (var i = 0; i < messages.Length; i++)
            messages[i] = OutboundFrame.FromBytes((byte[])values[5 + 2 * i]!).WithSeq(SeqOf(values[4 + 2 * i]));
        return new StreamRead(position, (long)values[2], messages);
    }

    public async Task<IReadOnlyList<StreamReceipt>> ConfirmAsync(string stream, long seq)
    {
        var key = Key(stream);
        var values = (RedisResult[])(await CallAsync(ConfirmScript, [key + ":meta", key + ":log"], [seq]))!;
        var receipts = new StreamReceipt[values.Length / 3];
        for (var i = 0; i < receipts.Length; i++)
            receipts[i] = new StreamReceipt(SeqOf(values[3 * i]), (string)values[3 * i + 1]!, (byte[])values[3 * i + 2]!);
        return receipts;
    }

    // Keys of one stream share a hash tag, so that the scripts also run on a Redis Cluster.
    private string Key(string stream) => string.Concat(_prefix, "{", stream, "}");

    private static long SeqOf(RedisResult id)
    {
        var text = (string)id!;
        return long.Parse(text.AsSpan(0, text.IndexOf('-')), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private async Task<RedisResult> CallAsync(string script, RedisKey[] keys, RedisValue[] values)
    {
        RedisResult result;
        try
        {
            result = await _redis.GetDatabase().ScriptEvaluateAsync(script, keys, values).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failed(e);
            throw new StreamStoreUnavailableException("the history store is unavailable: " + e.Message, e);
        }
        if (Interlocked.Exchange(ref _failing, 0) == 1)
            _logger.LogInformation("History store Redis answers again after {Failures} failed calls in all", Failures);
        return result;
    }

    // Every failure is counted; the first of a run is logged at once, the rest at most every 10 s with their count.
    private void Failed(Exception e)
    {
        var failures = Interlocked.Increment(ref _failures);
        var now = Environment.TickCount64;
        Interlocked.Exchange(ref _lastFailedAt, now);
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            _logger.LogError("History store Redis failed ({Problem}); messages are {Outcome} until it answers again", e.Message,
                RefusesOnFailure ? "refused with unavailable (History:OnStoreFailure=refuse)" : "delivered without history (History:OnStoreFailure=deliver)");
        }
        else if (now - Interlocked.Read(ref _lastLoggedAt) >= LogEvery.TotalMilliseconds)
        {
            _logger.LogWarning("History store Redis still failing: {Count} more failed calls ({Problem})",
                failures - Interlocked.Read(ref _failuresLogged), e.Message);
        }
        else
        {
            return;
        }
        Interlocked.Exchange(ref _lastLoggedAt, now);
        Interlocked.Exchange(ref _failuresLogged, failures);
    }

    public void Dispose() => _redis.Dispose();
}
