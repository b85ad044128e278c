namespace Switchboard.Actors.Serialization;

/// <summary>
/// A message that may cross nodes: each concrete type has its entry in <see cref="RoutingCodecs"/>, by which
/// <see cref="RoutingSerializer"/> writes and reads it.
/// </summary>
public interface IRoutingMessage;
