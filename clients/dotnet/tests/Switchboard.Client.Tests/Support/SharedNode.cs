namespace Switchboard.Client.Tests.Support;

/// <summary>
/// The node most test classes share (their collection, <see cref="Collection"/>): history on (WEBSOCKET_HISTORY_SIZE:
/// seq, positions, receipts and idempotent resends) and client broadcasts allowed (WEBSOCKET_ALLOW_CLIENT_BROADCAST: a
/// broadcast may carry any type). No rpc hook: an rpc to it is refused with not_available. Nothing stops or freezes it.
/// </summary>
public sealed class SharedNode : Node
{
    public const string Collection = "Shared node";

    protected override IDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["WEBSOCKET_HISTORY_SIZE"] = "1000",
        ["WEBSOCKET_ALLOW_CLIENT_BROADCAST"] = "true",
    };
}

[CollectionDefinition(SharedNode.Collection)]
public sealed class SharedNodeCollection : ICollectionFixture<SharedNode>;
