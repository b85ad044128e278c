namespace Switchboard.Client;

/// <summary>
/// The positions of the streams a client follows, kept from welcomes, join acks, messages, <c>resumed</c> and
/// <c>stream_reset</c>, so that a reconnect resumes each where the application left it. Guarded by the client's lock.
/// </summary>
internal sealed class PositionBook
{
    private StreamPosition? _user;
    private readonly Dictionary<string, StreamPosition> _groups = new(StringComparer.Ordinal);

    public StreamPosition? User => _user;

    public StreamPosition? Group(string group) => _groups.GetValueOrDefault(group);

    public StreamPositions Snapshot() => new(_user, new Dictionary<string, StreamPosition>(_groups, StringComparer.Ordinal));

    /// <summary>
    /// Takes the welcome's positions, except for the streams this connect resumed: for those the welcome names the
    /// stream's end, and the replay that follows still has to move the held position there.
    /// </summary>
    public void Welcomed(WelcomeStreams? streams, ConnectTarget target)
    {
        if (streams is null) return;
        if (streams.User is { } user && !target.ResumesUser) _user = user;
        foreach (var (group, position) in streams.Groups ?? [])
            if (!target.ResumedGroups.Contains(group)) _groups[group] = position;
    }

    public void Joined(string group, StreamPosition? position)
    {
        if (position is not null) _groups[group] = position;
    }

    public void Left(string group) => _groups.Remove(group);

    /// <summary>Moves a message's stream to its seq; false when the position already covers it (a copy already seen).</summary>
    public bool Advance(string? group, long? seq)
    {
        if (seq is not { } next) return true;
        var position = group is null ? _user : _groups.GetValueOrDefault(group);
        if (position is null) return true;
        if (next <= position.Seq) return false;
        if (group is null) _user = position with { Seq = next };
        else _groups[group] = position with { Seq = next };
        return true;
    }

    /// <summary>The end of a replay, or a stream that changed epoch: the stream is now at the frame's position.</summary>
    public void Moved(Resumed resumed)
    {
        if (resumed.Epoch is not { } epoch || resumed.Seq is not { } seq) return;
        if (resumed.Stream == "user") _user = new StreamPosition(epoch, seq);
        else if (resumed.Group is { } group) _groups[group] = new StreamPosition(epoch, seq);
    }
}
