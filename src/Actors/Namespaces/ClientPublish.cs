namespace Switchboard.Actors.Namespaces;

/// <summary>Who may send to a namespace's groups from a socket (PROTOCOL.md "Namespaces"); the HTTP API always may.</summary>
public enum ClientPublish
{
    Anyone,

    /// <summary>Connections whose join the group has taken.</summary>
    Members,

    /// <summary>Only the HTTP API.</summary>
    None,
}
