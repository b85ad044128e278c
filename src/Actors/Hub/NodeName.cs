using Akka.Actor;
using Akka.Cluster;

namespace Switchboard.Actors.Hub;

/// <summary>How a node names itself in welcome frames and stats: its cluster address, host:port.</summary>
public static class NodeName
{
    public static string Of(ActorSystem system)
    {
        var self = Cluster.Get(system).SelfAddress;
        return $"{self.Host}:{self.Port}";
    }
}
