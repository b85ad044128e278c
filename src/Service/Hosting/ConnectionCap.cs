namespace Switchboard.Service.Hosting;

/// <summary>The MaxConnections this node enforces: the setting, lowered to what the open-file limit allows.</summary>
/// <param name="Configured">MaxConnections as configured.</param>
/// <param name="Budget">This process's open-file budget; null where it cannot be read.</param>
public sealed record ConnectionCap(int Configured, OpenFileBudget? Budget)
{
    public int MaxConnections => Budget?.CapConnections(Configured) ?? Configured;

    public bool IsLowered => MaxConnections < Configured;

    /// <summary>
    /// How many sockets Kestrel may hold at once, HTTP and WebSocket together; null (unbounded) without a budget.
    /// At least one, so that a node whose limit is used up still answers its health check.
    /// </summary>
    public int? AcceptSlots => Budget is null ? null : (int)Math.Clamp(Budget.ForClients, 1, int.MaxValue);

    public static ConnectionCap OfThisProcess(int configured) => new(configured, OpenFileBudget.OfThisProcess());
}
