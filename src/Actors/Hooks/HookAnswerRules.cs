using System.Text.Json;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;

namespace Switchboard.Actors.Hooks;

/// <summary>
/// The one set of rules every hook answer is held to, from an HTTP backend or a handler in code, before anything acts on
/// it: an answer that breaks one has failed (PROTOCOL.md "Application hooks": "a body that is not the answer's shape").
/// Each check says what was wrong, for the log line of the failure.
/// </summary>
public static class HookAnswerRules
{
    /// <summary>The most bytes of a <c>data</c> or <c>result</c> an answer gives a client.</summary>
    public const int MaxValueBytes = 64 * 1024;

    public const int MaxErrorCodeLength = 64;
    public const int MaxMessageLength = 1024;

    /// <summary>The longest session a connect or refresh answer may grant: a day.</summary>
    public const long MaxExpiresInSeconds = 24 * 3600;

    public static string? Check(ConnectAnswer answer, string? tokenUser, int maxGroups)
    {
        if (answer.Allow == false)
            return answer.Status is { } status and (< 400 or > 499) ? $"status {status} is not from 400 to 499" : Refusal(answer);
        if (answer.UserId is { } userId)
        {
            if (Names.CheckConnectable(userId) is { } invalid)
                return $"user_id: {invalid.Message}";
            // PROTOCOL.md: the hook may not rename the user a verified token names.
            if (tokenUser is not null && userId != tokenUser)
                return $"user_id \"{userId}\" is not the token's sub";
        }
        if (answer.Groups is { } groups)
        {
            if (groups.Count > maxGroups)
                return $"{groups.Count} groups; a connection joins at most {maxGroups}";
            if (groups.FirstOrDefault(g => Names.Check(g, NameKind.Group) is not null) is { } bad)
                return $"groups: \"{bad}\" is not a group name";
        }
        return Info(answer.Info) ?? Value(answer.Data, "data") ?? ExpiresIn(answer.ExpiresIn);
    }

    public static string? Check(RefreshAnswer answer) =>
        answer.Allow is null ? "no \"allow\"" : Info(answer.Info) ?? ExpiresIn(answer.ExpiresIn);

    public static string? Check(JoinAnswer answer) =>
        answer.Allow is null ? "no \"allow\"" : answer.Allow == false ? Refusal(answer) : Value(answer.Data, "data");

    public static string? Check(PublishAnswer answer) =>
        answer.Allow is null ? "no \"allow\"" : answer.Allow == false ? Refusal(answer) : Value(answer.Data, "data");

    public static string? Check(RpcAnswer answer)
    {
        var hasResult = answer.Result.ValueKind != JsonValueKind.Undefined;
        if (hasResult == (answer.Error is not null))
            return "an rpc answer has either \"result\" or \"error\"";
        return hasResult ? Value(answer.Result, "result") : Code(answer.Error) ?? Message(answer.Message);
    }

    /// <summary>The compact bytes of an answer's JSON value; null when it left the value out (or gave null).</summary>
    public static byte[]? Bytes(JsonElement value) =>
        value.ValueKind is JsonValueKind.Undefined ? null : JsonSerializer.SerializeToUtf8Bytes(value);

    /// <summary>The compact bytes of an answer's <c>info</c>; null when it left it out or gave null.</summary>
    public static byte[]? InfoBytes(JsonElement info) =>
        info.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null : PresenceInfo.Of(info);

    private static string? Refusal(IRefusingAnswer answer) => Code(answer.Error) ?? Message(answer.Message);

    // An error code reaches clients in error frames: short, and of the characters codes are made of.
    private static string? Code(string? code) =>
        code is null || (code.Length is > 0 and <= MaxErrorCodeLength && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            ? null
            : $"error \"{Shorten(code)}\" is not a code of 1 to {MaxErrorCodeLength} letters, digits, _, - or .";

    private static string? Message(string? message) =>
        message is null || message.Length <= MaxMessageLength ? null : $"message of {message.Length} characters; at most {MaxMessageLength}";

    private static string? Info(JsonElement info) =>
        info.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null || PresenceInfo.Of(info) is not null ? null : $"info: {PresenceInfo.Rule}";

    private static string? Value(JsonElement value, string name) =>
        value.ValueKind is JsonValueKind.Undefined || JsonSerializer.SerializeToUtf8Bytes(value).Length <= MaxValueBytes
            ? null
            : $"{name} larger than {MaxValueBytes / 1024} KB";

    private static string? ExpiresIn(long? seconds) =>
        seconds is null or (> 0 and <= MaxExpiresInSeconds) ? null : $"expires_in {seconds} is not from 1 to {MaxExpiresInSeconds} seconds";

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
