using Akka.Actor;
using Switchboard.Actors.Serialization;
using Switchboard.Streams.Json;

namespace Switchboard.Actors.Routing;

/// <summary>
/// Messages of a node's <see cref="RoutingRelay"/> and <see cref="RelayLedger"/>, which send routing messages to their entities until the
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

    /// <summary>
    /// A connection that sent the message: the partition holding it gets Accepted or Rejected for it, or, for a join that
    /// names its <paramref name="JoinedGroup"/> (lifecycle events on), JoinAnswered whether or not the join had an id.
    /// </summary>
    /// <param name="App">What the join hook answered, for the ack (<c>data.app</c>).</param>
    public sealed record ReplyTarget(IActorRef Delivery, string ConnectionId, ReadOnlyMemory<byte> Id, ReadOnlyMemory<byte> App = default,
        string? JoinedGroup = null);

    /// <summary>
    /// From an entity, for a message it handed to no node: taken (a join; a user without connections), or
    /// refused with <paramref name="Refusal"/> (a group without members). <paramref name="StreamSeq"/> is the number its
    /// stream gave it, with history on.
    /// </summary>
    public sealed record Routed(long Seq, FrameError? Refusal, long StreamSeq = 0) : IRoutingMessage;

    /// <summary>
    /// From a recipient node's partition (the sender): it has the message <paramref name="Seq"/>, which the
    /// entity's <paramref name="Route"/> handed to <paramref name="Nodes"/> nodes. The relay is done with the message
    /// once every node of one route has said so: confirmed where it arrived, not where it left, so that an entity on a
    /// node that is being downed cannot confirm what the recipients never got. <paramref name="StreamSeq"/> as in <see cref="Routed"/>.
    /// </summary>
    public sealed record Delivered(long Seq, long Route, int Nodes, long StreamSeq = 0) : IRoutingMessage;
}

/// <summary>
/// Which relay sent a message and its number there. <paramref name="Resent"/> marks a copy sent again, which the
/// receiving node may already have delivered. An entity sets <paramref name="Route"/> (which handling of the
/// message), <paramref name="Nodes"/> (how many nodes it handed it to) and <paramref name="StreamSeq"/> (the message's
/// number in its stream, with history on) on the copies it sends on.
/// </summary>
public sealed record RelayStamp(IActorRef Relay, long Seq, bool Resent, long Route = 0, int Nodes = 0, long StreamSeq = 0)
{
    /// <summary>Tells the relay its message needs no delivery (or was refused): it stops resending it.</summary>
    public void Confirm(FrameError? refusal = null, long streamSeq = 0) => Relay.Tell(new RelayProtocol.Routed(Seq, refusal, streamSeq));

    /// <summary>This stamp as an entity sends it on to <paramref name="nodes"/> nodes.</summary>
    public RelayStamp RoutedTo(int nodes, long streamSeq = 0) =>
        this with { Route = Random.Shared.NextInt64(1, long.MaxValue), Nodes = nodes, StreamSeq = streamSeq };

    /// <summary>Tells the relay that <paramref name="node"/> (a node's partition) has the message.</summary>
    public void ConfirmDelivered(IActorRef node) => Relay.Tell(new RelayProtocol.Delivered(Seq, Route, Nodes, StreamSeq), node);
}
