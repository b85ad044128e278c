using System.Text.Json.Nodes;

namespace Switchboard.TestBackend;

/// <summary>The tests' side door: steer a hook, read what came.</summary>
public static class Control
{
    public static void Map(WebApplication app)
    {
        // POST /control/delay?hook=publish&ms=1500 (0 clears); POST /control/status?hook=refresh&code=500 (0 clears)
        app.MapPost("/control/delay", (string hook, int ms, BackendState state) => Set(state.Delays, hook, ms));
        app.MapPost("/control/status", (string hook, int code, BackendState state) => Set(state.Statuses, hook, code));
        app.MapGet("/control/calls", (string? hook, BackendState state) =>
            Results.Json(state.Calls.Where(c => hook is null || c.Hook == hook)
                .Select(c => new { hook = c.Hook, body = c.Body, signature_valid = c.SignatureValid, signature = c.Signature })));
        app.MapGet("/control/events", (BackendState state) => Results.Json(new JsonArray(state.Events.Select(e => e.DeepClone()).ToArray())));
        app.MapGet("/control/health", () => Results.Ok());
    }

    private static IResult Set(System.Collections.Concurrent.ConcurrentDictionary<string, int> map, string hook, int value)
    {
        if (value == 0)
            map.TryRemove(hook, out _);
        else
            map[hook] = value;
        return Results.Ok();
    }
}
