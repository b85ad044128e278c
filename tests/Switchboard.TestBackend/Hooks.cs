using System.Text.Json.Nodes;

namespace Switchboard.TestBackend;

/// <summary>
/// How the backend answers each hook: steered by what the request carries, so that one backend serves every test.
/// <list type="bullet">
/// <item>connect: a forwarded header <c>X-Test-Answer</c> is the answer as it is; else a cookie <c>session=user:&lt;name&gt;</c> names
/// that user (info <c>{"name":...}</c>, data <c>{"plan":"pro"}</c>); <c>session=banned</c> is refused with 403 <c>banned</c>; else allowed.</item>
/// <item>refresh: a user whose id begins <c>end-</c> is ended; else extended by the connection's <c>info.extend_by</c> seconds, or 60 s.</item>
/// <item>join: a group whose name contains <c>deny</c> is refused with <c>not_invited</c>; else allowed with data <c>{"welcome":group}</c>.</item>
/// <item>publish: data <c>"deny"</c> is refused with <c>moderated</c>; data <c>"rewrite"</c> becomes <c>"rewritten"</c>; data
/// <c>{"slow":ms}</c> waits that long; else allowed as sent.</item>
/// <item>rpc: <c>echo</c> answers its params; <c>slow</c> waits <c>params.ms</c> then answers; anything else is an error <c>no_method</c>.</item>
/// </list>
/// </summary>
public static class Hooks
{
    public static JsonNode Connect(JsonNode request)
    {
        if (request["client"]?["headers"]?["X-Test-Answer"]?.GetValue<string>() is { } scripted)
            return JsonNode.Parse(scripted)!;
        var session = request["client"]?["cookies"]?["session"]?.GetValue<string>();
        if (session == "banned")
            return new JsonObject { ["allow"] = false, ["status"] = 403, ["error"] = "banned", ["message"] = "this session is banned" };
        if (session?.StartsWith("user:", StringComparison.Ordinal) == true)
        {
            var name = session["user:".Length..];
            return new JsonObject
            {
                ["allow"] = true, ["user_id"] = name, ["info"] = new JsonObject { ["name"] = name },
                ["data"] = new JsonObject { ["plan"] = "pro" },
            };
        }
        return new JsonObject { ["allow"] = true };
    }

    public static JsonNode Refresh(JsonNode request) =>
        request["user_id"]?.GetValue<string>()?.StartsWith("end-", StringComparison.Ordinal) == true
            ? new JsonObject { ["allow"] = false }
            : new JsonObject { ["allow"] = true, ["expires_in"] = request["info"]?["extend_by"]?.GetValue<int>() ?? 60 };

    public static JsonNode Join(JsonNode request)
    {
        var group = request["group"]!.GetValue<string>();
        return group.Contains("deny", StringComparison.Ordinal)
            ? new JsonObject { ["allow"] = false, ["error"] = "not_invited", ["message"] = "ask for an invitation" }
            : new JsonObject { ["allow"] = true, ["data"] = new JsonObject { ["welcome"] = group } };
    }

    public static async Task<JsonNode> PublishAsync(JsonNode request)
    {
        var data = request["data"];
        if (data is JsonObject o && o["slow"] is { } ms)
            await Task.Delay(ms.GetValue<int>());
        return (data as JsonValue)?.TryGetValue<string>(out var text) == true
            ? text switch
            {
                "deny" => new JsonObject { ["allow"] = false, ["error"] = "moderated", ["message"] = "not here" },
                "rewrite" => new JsonObject { ["allow"] = true, ["data"] = "rewritten" },
                _ => new JsonObject { ["allow"] = true },
            }
            : new JsonObject { ["allow"] = true };
    }

    public static async Task<JsonNode> RpcAsync(JsonNode request)
    {
        var method = request["method"]?.GetValue<string>();
        var parameters = request["params"]?.DeepClone();
        if (method == "slow")
            await Task.Delay(parameters?["ms"]?.GetValue<int>() ?? 1000);
        return method is "echo" or "slow"
            ? new JsonObject { ["result"] = new JsonObject { ["method"] = method, ["params"] = parameters, ["user_id"] = request["user_id"]?.DeepClone() } }
            : new JsonObject { ["error"] = "no_method", ["message"] = $"no method {method}" };
    }
}
