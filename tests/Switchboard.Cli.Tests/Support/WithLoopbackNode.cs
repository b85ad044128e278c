namespace Switchboard.Cli.Tests.Support;

/// <summary>A test class whose every test has a <see cref="LoopbackNode"/> of its own, started before it and stopped after.</summary>
public abstract class WithLoopbackNode : IAsyncLifetime
{
    protected LoopbackNode Node { get; private set; } = null!;

    /// <summary><paramref name="args"/> pointed at this test's node.</summary>
    protected string[] Against(params string[] args) => ["--node", Node.Url.ToString(), .. args];

    /// <summary>sbctl, in this process, with <paramref name="args"/> pointed at this test's node.</summary>
    protected Task<SbctlRun> SbctlAsync(params string[] args) => InProcessSbctl.RunAsync(Against(args));

    public async Task InitializeAsync() => Node = await LoopbackNode.StartAsync();

    public async Task DisposeAsync() => await Node.DisposeAsync();
}
