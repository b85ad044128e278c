namespace Switchboard.Actors.Hooks;

/// <summary>
/// The application's hooks this node calls, each off (null) until configured: by <c>Hooks:&lt;Hook&gt;:Url</c> (the HTTP
/// transport fills it in) or by an application that embeds the service and handles the hook in code. Both are called
/// the same way and held to the same rules (<see cref="HookCalls"/>).
/// </summary>
public sealed class AppHooks
{
    public Func<ConnectRequest, CancellationToken, Task<ConnectAnswer>>? Connect { get; set; }
    public Func<RefreshRequest, CancellationToken, Task<RefreshAnswer>>? Refresh { get; set; }
    public Func<JoinRequest, CancellationToken, Task<JoinAnswer>>? Join { get; set; }
    public Func<PublishRequest, CancellationToken, Task<PublishAnswer>>? Publish { get; set; }
    public Func<RpcRequest, CancellationToken, Task<RpcAnswer>>? Rpc { get; set; }

    public bool Has(HookKind kind) => kind switch
    {
        HookKind.Connect => Connect is not null,
        HookKind.Refresh => Refresh is not null,
        HookKind.Join => Join is not null,
        HookKind.Publish => Publish is not null,
        _ => Rpc is not null,
    };
}
