using Akka.Actor;

namespace Switchboard.Actors.Tests;

/// <summary>
/// An actor ref for the state tests, which run without an actor system: it stands for a node's partition (or a relay)
/// by its path, and takes nothing.
/// </summary>
internal sealed class TestNode(string name) : MinimalActorRef
{
    public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "state-tests")) / name;

    public override IActorRefProvider Provider => throw new NotSupportedException("a state test runs without an actor system");
}
