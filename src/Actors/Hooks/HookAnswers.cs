using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Actors.Hooks;

// What the application answers (PROTOCOL.md "Application hooks"). Hostile until checked: HookAnswerRules holds every answer,
// from either transport, to one set of rules before anything acts on it. A JSON value's ValueKind is Undefined when the
// answer left it out (a JSON null is Null).

/// <summary>An answer that may refuse with an error code and message of the application's choosing.</summary>
public interface IRefusingAnswer
{
    bool? Allow { get; }
    string? Error { get; }
    string? Message { get; }
}

/// <summary>
/// Let the upgrade in (every field optional: <c>allow</c> left out is true), naming the user, groups to join, its
/// <c>info</c>, <c>data</c> for <c>welcome</c>'s <c>data.app</c> and how long the session lasts; or refuse it with a status.
/// </summary>
public sealed record ConnectAnswer : IRefusingAnswer
{
    [JsonPropertyName("allow")] public bool? Allow { get; init; }
    [JsonPropertyName("user_id")] public string? UserId { get; init; }
    [JsonPropertyName("groups")] public IReadOnlyList<string>? Groups { get; init; }
    [JsonPropertyName("info")] public JsonElement Info { get; init; }
    [JsonPropertyName("data")] public JsonElement Data { get; init; }
    [JsonPropertyName("expires_in")] public long? ExpiresIn { get; init; }
    [JsonPropertyName("status")] public int? Status { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
}

/// <summary>Extend the session (a new <c>expires_in</c>, and <c>info</c>), or end it (close 4403).</summary>
public sealed record RefreshAnswer
{
    [JsonPropertyName("allow")] public bool? Allow { get; init; }
    [JsonPropertyName("expires_in")] public long? ExpiresIn { get; init; }
    [JsonPropertyName("info")] public JsonElement Info { get; init; }
}

/// <summary>Let the join happen (<c>data</c> reaches the client in the join's ack as <c>data.app</c>), or refuse it.</summary>
public sealed record JoinAnswer : IRefusingAnswer
{
    [JsonPropertyName("allow")] public bool? Allow { get; init; }
    [JsonPropertyName("data")] public JsonElement Data { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
}

/// <summary>Deliver the message as sent, with <c>data</c> in its place, or not at all.</summary>
public sealed record PublishAnswer : IRefusingAnswer
{
    [JsonPropertyName("allow")] public bool? Allow { get; init; }
    [JsonPropertyName("data")] public JsonElement Data { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
}

/// <summary>The <c>result</c> sent as <c>rpc_result</c>, or an <c>error</c> frame.</summary>
public sealed record RpcAnswer
{
    [JsonPropertyName("result")] public JsonElement Result { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
}
