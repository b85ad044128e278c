using Akka.Actor;
using Switchboard.Actors.Serialization;
using Switchboard.Streams.Json;

namespace Switchboard.Actors.Routing;

/// <summary>
/// Messages of a node's <see cref="RoutingRelay"/>, which sends routing messages to their router entities until the
/// entity confirms it took them. Akka's shard regions drop the messages they buffer while a shard is handed off
/// (to keep them in order), and messages to a node that is then downed are lost with it; resending closes both gaps.
/// </summary>
public static class RelayProtocol
{
    /// <summary>A routing message the relay can carry: it travels with the relay's stamp.</summary>
    public interface IRelayed
    {
        RelayStamp? Stamp { get; }

        IRelayed Stamped(RelayStamp stamp);
    }

    /// <summary>Send <paramref name="Message"/> to its router; <paramref name="Reply"/>, when set, hears how it went.</summary>
    public sealed record Relay(IRelayed Message, ReplyTarget? Reply = null);

    /// <summary>A connection that sent the message: its node's delivery actor gets Accepted or Rejected for it.</summary>
    public sealed record ReplyTarget(IActorRef Delivery, string ConnectionId, ReadOnlyMemory<byte> Id);

    /// <summary>From a router entity: the relayed message <paramref name="Seq"/> was taken, or refused with <paramref name="Refusal"/>.</summary>
    public sealed record Routed(long Seq, FrameError? Refusal) : IRoutingMessage;
}

/// <summary>
/// Which relay sent a message and its number there. <paramref name="Resent"/> marks a copy sent again, which the
/// receiving node may already have delivered.
/// </summary>
public sealed record RelayStamp(IActorRef Relay, long Seq, bool Resent)
{
    /// <summary>Tells the relay its message was taken (or refused): it stops resending it.</summary>
    public void Confirm(FrameError? refusal = null) => Relay.Tell(new RelayProtocol.Routed(Seq, refusal));
}
