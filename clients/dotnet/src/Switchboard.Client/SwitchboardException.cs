namespace Switchboard.Client;

/// <summary>
/// Every failure the client reports: a server <c>error</c> frame's code (<c>unknown_group</c>, <c>forbidden</c>,
/// <c>presence_off</c>, <c>rate_limited</c>, an rpc method's own error, ...), or one of the client's own (<see cref="Codes"/>).
/// </summary>
public sealed class SwitchboardException(string code, string message, int? closeCode = null) : Exception(message)
{
    /// <summary>The server's code, or one of <see cref="Codes"/>.</summary>
    public string Code { get; } = code;

    /// <summary>The WebSocket close code when a close caused it.</summary>
    public int? CloseCode { get; } = closeCode;

    /// <summary>The client's own codes.</summary>
    public static class Codes
    {
        /// <summary>A request waited <see cref="SwitchboardClientOptions.SendTimeout"/> for a connection.</summary>
        public const string Timeout = "timeout";
        /// <summary>The client was closed, or was not connected, or reconnect is off and the connection ended.</summary>
        public const string Closed = "closed";
        /// <summary>An operator closed the connection (1008 <c>kicked</c>); the client stopped.</summary>
        public const string Kicked = "kicked";
        /// <summary>The token expired (4401) and there is no token source; the client stopped.</summary>
        public const string TokenExpired = "token_expired";
        /// <summary>The server closed with 1009: a message written on that connection was larger than it takes.</summary>
        public const string TooLarge = "too_large";
        /// <summary>No welcome in <see cref="ReconnectOptions.MaxAttempts"/> attempts in a row; the client stopped.</summary>
        public const string GaveUp = "gave_up";
        /// <summary>An attempt failed before the socket opened (a refused upgrade, a failing token source).</summary>
        public const string ConnectFailed = "connect_failed";
        /// <summary>The server sent a frame the client cannot read.</summary>
        public const string InvalidFrame = "invalid_frame";
        /// <summary>A send with this id is still waiting for its answer.</summary>
        public const string DuplicateId = "duplicate_id";
        /// <summary>An rpc's connection closed before its answer; it is not sent again (the application may have run it).</summary>
        public const string Unanswered = "unanswered";
        /// <summary>The token source failed when the server said the token is expiring.</summary>
        public const string RefreshFailed = "refresh_failed";
    }
}
