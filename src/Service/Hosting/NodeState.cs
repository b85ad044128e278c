namespace Switchboard.Service.Hosting;

/// <summary>
/// Whether this node serves: starting until it is an Up cluster member and its routing can receive
/// broadcasts, draining once a planned shutdown begins, down once the cluster has removed it (or it never
/// managed to join). A node that is down exits with <see cref="ExitCode"/>, so that its supervisor starts a
/// fresh one.
/// </summary>
public sealed class NodeState
{
    /// <summary>The process's exit status when the cluster downed this node.</summary>
    public const int DownedExitCode = 3;

    /// <summary>The process's exit status when it never joined its seed nodes within the join timeout.</summary>
    public const int JoinFailedExitCode = 4;

    private volatile bool _memberUp;
    private volatile bool _routingReady;
    private volatile bool _draining;
    private volatile bool _down;

    public bool IsServing => _memberUp && _routingReady && !_draining && !_down;

    /// <summary>True once the node takes no new connections: a planned shutdown, or it is no longer a member.</summary>
    public bool IsDraining => _draining || _down;

    public bool IsDown => _down;

    public string Status => _down ? "down" : _draining ? "draining" : IsServing ? "ok" : "starting";

    /// <summary>0 unless the node stopped because the cluster downed it or it could not join.</summary>
    public int ExitCode { get; private set; }

    public void MemberUp() => _memberUp = true;

    public void RoutingReady() => _routingReady = true;

    public void Draining() => _draining = true;

    public void Down(int exitCode)
    {
        ExitCode = exitCode;
        _down = true;
    }
}
