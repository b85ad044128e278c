namespace Switchboard.Service.Hosting;

/// <summary>Whether this node serves: starting until the actor system is up, draining once SIGTERM arrives.</summary>
public sealed class NodeState
{
    private volatile int _phase;

    public bool IsServing => _phase == 1;
    public bool IsDraining => _phase == 2;
    public string Status => _phase switch { 0 => "starting", 1 => "ok", _ => "draining" };

    public void Serving() => Interlocked.CompareExchange(ref _phase, 1, 0);

    public void Draining() => _phase = 2;
}
