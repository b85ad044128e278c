using Akka.Streams;

namespace Switchboard.Streams;

/// <summary>
/// One connection's state, handed to the stages of the shared connection blueprint through the attributes of
/// its materialization: the stages are built and fused once per node, not once per connection.
/// </summary>
public sealed record ConnectionAttribute(WebSocketConnection Connection)
    : Attributes.IAttribute
{
    /// <exception cref="InvalidOperationException">The graph was materialized without a connection.</exception>
    public static ConnectionAttribute Of(Attributes attributes) =>
        attributes.GetAttribute<ConnectionAttribute>()
        ?? throw new InvalidOperationException("a connection stage was materialized without its ConnectionAttribute");
}
