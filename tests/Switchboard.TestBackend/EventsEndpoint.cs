namespace Switchboard.TestBackend;

/// <summary>POST /events: checks the signature and keeps every event of the batch (duplicates too: the tests count them).</summary>
public static class EventsEndpoint
{
    public static async Task<IResult> HandleAsync(HttpRequest request, BackendState state)
    {
        var body = await HookEndpoint.ReadAsync(request);
        var header = request.Headers["X-Switchboard-Signature"].ToString();
        var valid = Signature.Valid(header, "events", body, state.Secret);
        if (!valid)
            return Results.Json(new { error = "bad_signature" }, statusCode: 401);
        if (state.Delays.TryGetValue("events", out var delay))
            await Task.Delay(delay);
        if (state.Statuses.TryGetValue("events", out var status))
            return Results.StatusCode(status);
        if (HookEndpoint.Parse(body)?["events"] is System.Text.Json.Nodes.JsonArray events)
            foreach (var e in events)
                state.Events.Enqueue(e!.DeepClone());
        return Results.Ok();
    }
}
