using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Actors.Hooks;

// What the service asks the application (PROTOCOL.md "Application hooks"): the same records reach an HTTP hook as its JSON
// body and a handler registered in code as they are. A JSON value the client or token gave is passed on as a JsonElement;
// its ValueKind is Undefined when there was none.

/// <summary>The client of an upgrade: its address, and only the headers and cookies <c>Hooks:Connect</c> forwards.</summary>
public sealed record HookClient(
    [property: JsonPropertyName("address")] string? Address,
    [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string> Headers,
    [property: JsonPropertyName("cookies")] IReadOnlyDictionary<string, string> Cookies);

/// <summary>An upgrade, after the token and origin checks, before <c>welcome</c>.</summary>
public sealed record ConnectRequest(
    [property: JsonPropertyName("user_id")] string? UserId,
    [property: JsonPropertyName("requested_user_id")] string? RequestedUserId,
    [property: JsonPropertyName("client")] HookClient Client,
    [property: JsonPropertyName("claims")] JsonElement Claims,
    [property: JsonPropertyName("node")] string Node);

/// <summary>The session a connect answer gave with <c>expires_in</c> is running out.</summary>
public sealed record RefreshRequest(
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("connection_id")] string ConnectionId,
    [property: JsonPropertyName("info")] JsonElement Info);

/// <summary>A join to a group whose namespace has <c>JoinHook</c> on.</summary>
public sealed record JoinRequest(
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("connection_id")] string ConnectionId,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("info")] JsonElement Info,
    [property: JsonPropertyName("data")] JsonElement Data);

/// <summary>A client's message to a group whose namespace has <c>PublishHook</c> on, or to a user with <c>Hooks:Publish:Direct</c>.</summary>
public sealed record PublishRequest(
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("connection_id")] string ConnectionId,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("to"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? To,
    [property: JsonPropertyName("group"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Group,
    [property: JsonPropertyName("data")] JsonElement Data,
    [property: JsonPropertyName("id")] JsonElement Id);

/// <summary>A client's <c>rpc</c> frame.</summary>
public sealed record RpcRequest(
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("connection_id")] string ConnectionId,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("params")] JsonElement Params,
    [property: JsonPropertyName("info")] JsonElement Info);
