namespace Switchboard.Actors.Namespaces;

/// <summary>The "Presence" settings (PROTOCOL.md "Presence"); whether a group keeps presence is its namespace's.</summary>
/// <param name="PageSize">Users in one <c>presence</c> answer; more come with a cursor.</param>
/// <param name="LeaveDelay">How long a user's last connection may be gone before its leave is announced.</param>
/// <param name="EventDeliveriesPerSecond">A group's events × members per second past which its members get coalesced stats instead.</param>
public sealed record PresenceOptions(int PageSize = PresenceOptions.DefaultPageSize, TimeSpan LeaveDelay = default,
    int EventDeliveriesPerSecond = PresenceOptions.DefaultEventDeliveriesPerSecond)
{
    public const int DefaultPageSize = 1000;
    public const int DefaultEventDeliveriesPerSecond = 20_000;

    public static readonly PresenceOptions Defaults = new();
}
