namespace Switchboard.Service.Http;

/// <summary>
/// A cancellation token that fires between <c>timeout</c> and <c>timeout</c> + 1 s after it is
/// taken. Connections that start within the same second share one, so waiting for a request
/// costs no timer of its own.
/// </summary>
public sealed class SharedDeadline(TimeSpan timeout)
{
    private const long SliceMs = 1000;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _current;
    private long _sliceEnds;

    public CancellationToken Token
    {
        get
        {
            var now = Environment.TickCount64;
            lock (_gate)
            {
                if (_current is null || now >= _sliceEnds)
                {
                    // Not disposed: it cancels itself, and connections may still hold its token.
                    _current = new CancellationTokenSource(timeout + TimeSpan.FromMilliseconds(SliceMs));
                    _sliceEnds = now + SliceMs;
                }
                return _current.Token;
            }
        }
    }
}
