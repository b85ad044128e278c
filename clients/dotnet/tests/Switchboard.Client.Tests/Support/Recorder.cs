using System.Collections.Concurrent;
using Switchboard.Client;

namespace Switchboard.Client.Tests.Support;

/// <summary>Everything a client reports, in order: its messages (read from <see cref="SwitchboardClient.Messages"/>) and events.</summary>
public sealed class Recorder
{
    private readonly ConcurrentQueue<Message> _messages = new();
    private readonly ConcurrentQueue<ConnectionState> _states = new();
    private readonly ConcurrentQueue<Resumed> _resumed = new();
    private readonly ConcurrentQueue<Receipt> _receipts = new();
    private readonly ConcurrentQueue<SwitchboardException> _errors = new();
    private readonly ConcurrentQueue<Message> _ignored = new();
    private readonly ConcurrentQueue<TokenExpiring> _expiring = new();
    private readonly ConcurrentQueue<PresenceJoin> _joins = new();
    private readonly ConcurrentQueue<PresenceLeave> _leaves = new();
    private readonly ConcurrentQueue<PresenceResync> _resyncs = new();
    private readonly ConcurrentQueue<PresenceReset> _resets = new();

    public Recorder(SwitchboardClient client)
    {
        client.StateChanged += (_, state) => _states.Enqueue(state);
        client.Resumed += (_, resumed) => _resumed.Enqueue(resumed);
        client.ReceiptReceived += (_, receipt) => _receipts.Enqueue(receipt);
        client.Error += (_, error) => _errors.Enqueue(error);
        client.Ignored += (_, frame) => _ignored.Enqueue(frame);
        client.TokenExpiring += (_, expiring) => _expiring.Enqueue(expiring);
        client.PresenceJoined += (_, joined) => _joins.Enqueue(joined);
        client.PresenceLeft += (_, left) => _leaves.Enqueue(left);
        client.PresenceResync += (_, resync) => _resyncs.Enqueue(resync);
        client.PresenceReset += (_, reset) => _resets.Enqueue(reset);
        _ = ReadAsync(client);
    }

    public IReadOnlyList<Message> Messages => _messages.ToArray();
    public IReadOnlyList<ConnectionState> States => _states.ToArray();
    public IReadOnlyList<Resumed> Resumed => _resumed.ToArray();
    public IReadOnlyList<Receipt> Receipts => _receipts.ToArray();
    public IReadOnlyList<SwitchboardException> Errors => _errors.ToArray();
    public IReadOnlyList<Message> Ignored => _ignored.ToArray();
    public IReadOnlyList<TokenExpiring> Expiring => _expiring.ToArray();
    public IReadOnlyList<PresenceJoin> Joins => _joins.ToArray();
    public IReadOnlyList<PresenceLeave> Leaves => _leaves.ToArray();
    public IReadOnlyList<PresenceResync> Resyncs => _resyncs.ToArray();
    public IReadOnlyList<PresenceReset> Resets => _resets.ToArray();

    /// <summary>The messages' data as strings (string data as is, other JSON as its text).</summary>
    public IReadOnlyList<string> Texts => Messages.Select(m => m.Data.ValueKind == System.Text.Json.JsonValueKind.String ? m.Data.GetString()! : m.Data.GetRawText()).ToArray();

    /// <summary>Waits until <paramref name="condition"/> holds of what was recorded.</summary>
    public Task UntilAsync(Func<Recorder, bool> condition, string what) => Eventually.TrueAsync(() => condition(this), what);

    // Reads every session's messages: a new ConnectAsync after a stop starts a new reader.
    private async Task ReadAsync(SwitchboardClient client)
    {
        while (true)
        {
            var reader = client.Messages;
            try
            {
                await foreach (var message in reader.ReadAllAsync())
                    _messages.Enqueue(message);
            }
            catch (SwitchboardException)
            {
                // the client stopped by itself; the reason is in Errors
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            if (ReferenceEquals(reader, client.Messages))
            {
                // Completed and not replaced yet: look again shortly (a disposed client's reader stays completed).
                await Task.Delay(50);
                if (ReferenceEquals(reader, client.Messages)) return;
            }
        }
    }
}
