namespace Switchboard.Actors.Serialization;

/// <summary>A message that may cross nodes; <see cref="RoutingSerializer"/> writes it.</summary>
public interface IRoutingMessage;
