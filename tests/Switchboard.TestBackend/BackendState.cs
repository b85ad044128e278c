using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Switchboard.TestBackend;

/// <summary>One call the backend took: which hook, its body, whether its signature held, when it came.</summary>
public sealed record RecordedCall(string Hook, JsonNode? Body, bool SignatureValid, string? Signature, DateTimeOffset At);

/// <summary>What the tests steer (a hook's delay or status) and what the backend saw.</summary>
public sealed class BackendState(string secret)
{
    public byte[] Secret { get; } = System.Text.Encoding.UTF8.GetBytes(secret);

    public ConcurrentQueue<RecordedCall> Calls { get; } = new();

    /// <summary>Every event of every batch taken, in the order the batches came.</summary>
    public ConcurrentQueue<JsonNode> Events { get; } = new();

    /// <summary>Per hook (or "events"): milliseconds to wait before answering.</summary>
    public ConcurrentDictionary<string, int> Delays { get; } = new();

    /// <summary>Per hook (or "events"): a status to answer with instead of the hook's answer.</summary>
    public ConcurrentDictionary<string, int> Statuses { get; } = new();
}
