namespace Switchboard.Actors.Hooks;

/// <summary>The application's hooks (PROTOCOL.md "Application hooks"), in the order a connection meets them.</summary>
public enum HookKind
{
    Connect,
    Refresh,
    Join,
    Publish,
    Rpc,
}

public static class HookKinds
{
    public static readonly HookKind[] All = Enum.GetValues<HookKind>();

    private static readonly string[] Names = ["connect", "refresh", "join", "publish", "rpc"];

    /// <summary>The hook's name on the wire (<c>X-Switchboard-Hook</c>), in metrics and in the signature.</summary>
    public static string Name(this HookKind kind) => Names[(int)kind];

    /// <summary>The hook's section under <c>Hooks</c>: <c>Connect</c>, <c>Refresh</c>, ...</summary>
    public static string Section(this HookKind kind) => kind.ToString();
}
