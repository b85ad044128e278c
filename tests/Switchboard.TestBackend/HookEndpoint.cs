using System.Text.Json.Nodes;

namespace Switchboard.TestBackend;

/// <summary>POST /hooks/{hook}: checks the signature, records the call, then answers as that hook's rules say.</summary>
public static class HookEndpoint
{
    public static async Task<IResult> HandleAsync(string hook, HttpRequest request, BackendState state)
    {
        var body = await ReadAsync(request);
        var header = request.Headers["X-Switchboard-Signature"].ToString();
        var valid = request.Headers["X-Switchboard-Hook"] == hook && Signature.Valid(header, hook, body, state.Secret);
        var json = Parse(body);
        state.Calls.Enqueue(new RecordedCall(hook, json, valid, header, DateTimeOffset.UtcNow));
        if (!valid)
            return Results.Json(new { error = "bad_signature" }, statusCode: 401);
        if (state.Delays.TryGetValue(hook, out var delay))
            await Task.Delay(delay);
        if (state.Statuses.TryGetValue(hook, out var status))
            return Results.Json(new { error = "steered" }, statusCode: status);
        var answer = hook switch
        {
            "connect" => Hooks.Connect(json!),
            "refresh" => Hooks.Refresh(json!),
            "join" => Hooks.Join(json!),
            "publish" => await Hooks.PublishAsync(json!),
            "rpc" => await Hooks.RpcAsync(json!),
            _ => null,
        };
        return answer is null ? Results.NotFound() : Results.Text(answer.ToJsonString(), "application/json");
    }

    public static async Task<byte[]> ReadAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public static JsonNode? Parse(byte[] body)
    {
        try { return JsonNode.Parse(body); }
        catch (System.Text.Json.JsonException) { return null; }
    }
}
