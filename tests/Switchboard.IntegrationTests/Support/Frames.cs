using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// Reading a client's frames when events may overtake an answer (a presence event or the message itself before the
/// ack): what came before the answer waited for is kept, in order, for the next read. Broadcast probes and pongs are skipped.
/// </summary>
public static class Frames
{
    private static readonly ConditionalWeakTable<Client, Queue<JsonElement>> Earlier = new();

    public static async Task<JsonElement> NextAsync(Client client)
    {
        if (Earlier.TryGetValue(client, out var earlier) && earlier.TryDequeue(out var kept))
            return kept;
        while (true)
        {
            var frame = await client.ReceiveAsync();
            if (frame.GetProperty("type").GetString() is not ("probe" or "pong"))
                return frame;
        }
    }

    /// <summary>The next frame of <paramref name="type"/>; the others before it are dropped.</summary>
    public static async Task<JsonElement> NextOfTypeAsync(Client client, string type)
    {
        while (true)
        {
            var frame = await NextAsync(client);
            if (frame.GetProperty("type").GetString() == type)
                return frame;
        }
    }

    /// <summary>Sends <paramref name="json"/> and returns the frame that answers its <paramref name="id"/>.</summary>
    public static async Task<JsonElement> AnswerAsync(Client client, string json, string id)
    {
        await client.SendAsync(json);
        var earlier = Earlier.GetOrCreateValue(client);
        var skipped = new List<JsonElement>();
        while (true)
        {
            var frame = await client.ReceiveAsync();
            if (frame.GetProperty("type").GetString() is "probe" or "pong")
                continue;
            if (frame.TryGetProperty("id", out var got) && got.ValueKind == JsonValueKind.String && got.GetString() == id)
            {
                foreach (var other in skipped)
                    earlier.Enqueue(other);
                return frame;
            }
            skipped.Add(frame);
        }
    }
}
