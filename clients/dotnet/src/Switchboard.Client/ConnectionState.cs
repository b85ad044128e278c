namespace Switchboard.Client;

/// <summary>Where the client is: before its first welcome, connected, between connections, or stopped.</summary>
public enum ConnectionState
{
    /// <summary>Stopped: never connected, closed, or stopped by itself (<see cref="SwitchboardClient.StopReason"/>).</summary>
    Disconnected,
    /// <summary>Trying to connect, before the first welcome.</summary>
    Connecting,
    /// <summary>A connection is open and welcomed.</summary>
    Connected,
    /// <summary>A connection ended; the client is coming back.</summary>
    Reconnecting,
}
