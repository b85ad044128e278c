using Switchboard.Streams.Json;

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

public static class ClientPublishRefusals
{
    public static readonly FrameError None = new("forbidden", "this group's namespace takes messages from the server API only");
    public static readonly FrameError Members = new("forbidden", "only members of this group may send to it; join it first");
}
