namespace Switchboard.Service.Hosting;

/// <summary>
/// Whether this node serves: starting until it is an Up cluster member and its routing can
/// receive broadcasts, draining once shutdown begins.
/// </summary>
public sealed class NodeState
{
    private volatile bool _memberUp;
    private volatile bool _routingReady;
    private volatile bool _draining;

    public bool IsServing => _memberUp && _routingReady && !_draining;
    public bool IsDraining => _draining;
    public string Status => _draining ? "draining" : IsServing ? "ok" : "starting";

    public void MemberUp() => _memberUp = true;

    public void RoutingReady() => _routingReady = true;

    public void Draining() => _draining = true;
}
