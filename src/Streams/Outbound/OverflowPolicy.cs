namespace Switchboard.Streams.Outbound;

/// <summary>What a full outbound buffer does with one more message.</summary>
public enum OverflowPolicy
{
    /// <summary>Drop it at once and count it (DropOnFull=1, CloseOnBackpressure=0).</summary>
    Drop,

    /// <summary>Close the connection with 1013 at once (DropOnFull=1, CloseOnBackpressure=1).</summary>
    Close,

    /// <summary>Hold it up to the send timeout, then drop it (both 0).</summary>
    WaitThenDrop,

    /// <summary>Hold it up to the send timeout, then close with 1013 (DropOnFull=0, CloseOnBackpressure=1).</summary>
    WaitThenClose,
}

public static class OverflowPolicies
{
    public static OverflowPolicy From(bool dropOnFull, bool closeOnBackpressure) => (dropOnFull, closeOnBackpressure) switch
    {
        (true, false) => OverflowPolicy.Drop,
        (true, true) => OverflowPolicy.Close,
        (false, false) => OverflowPolicy.WaitThenDrop,
        (false, true) => OverflowPolicy.WaitThenClose,
    };

    public static bool Waits(this OverflowPolicy policy) => policy is OverflowPolicy.WaitThenDrop or OverflowPolicy.WaitThenClose;

    public static bool Closes(this OverflowPolicy policy) => policy is OverflowPolicy.Close or OverflowPolicy.WaitThenClose;
}
