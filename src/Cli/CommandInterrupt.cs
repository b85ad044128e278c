namespace Switchboard.Cli;

/// <summary>Ctrl+C as a cancellation of the command that runs now, one token per command.</summary>
public sealed class CommandInterrupt : IDisposable
{
    private CancellationTokenSource _current = new();

    public CommandInterrupt() => Console.CancelKeyPress += OnCancel;

    /// <summary>A fresh token for the next command.</summary>
    public CancellationToken Next()
    {
        var previous = Interlocked.Exchange(ref _current, new CancellationTokenSource());
        previous.Dispose();
        return _current.Token;
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        _current.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _current.Dispose();
    }
}
