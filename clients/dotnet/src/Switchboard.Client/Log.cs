using Microsoft.Extensions.Logging;

namespace Switchboard.Client;

/// <summary>What the client says about what it does (source-generated: no work when the level is off).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Connecting to {Url}")]
    public static partial void Connecting(this ILogger logger, Uri url);

    [LoggerMessage(2, LogLevel.Information, "Connected to {Node} as {UserId} (connection {ConnectionId})")]
    public static partial void Connected(this ILogger logger, string node, string userId, string connectionId);

    [LoggerMessage(3, LogLevel.Information, "The connection ended ({Code} {Reason}); next attempt in {Delay}")]
    public static partial void Reconnecting(this ILogger logger, int code, string reason, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Warning, "Stopped: {Code}: {Message}")]
    public static partial void Stopped(this ILogger logger, string code, string message);

    [LoggerMessage(5, LogLevel.Warning, "{Code}: {Message}")]
    public static partial void Failure(this ILogger logger, string code, string message);

    [LoggerMessage(6, LogLevel.Debug, "Ignored a routed frame of the reserved type {Type} from {From}")]
    public static partial void IgnoredFrame(this ILogger logger, string type, string? from);

    [LoggerMessage(7, LogLevel.Error, "A handler of the client's {Event} event threw")]
    public static partial void HandlerFailed(this ILogger logger, Exception exception, string @event);

    [LoggerMessage(8, LogLevel.Information, "Refreshing the token ({ExpiresIn} s left)")]
    public static partial void Refreshing(this ILogger logger, long? expiresIn);
}
