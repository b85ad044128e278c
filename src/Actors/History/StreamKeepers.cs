using Akka.Actor;
using Akka.Event;

namespace Switchboard.Actors.History;

/// <summary>Chooses how an entity keeps its streams, once, when it starts, from the options it is given.</summary>
public static class StreamKeepers
{
    /// <param name="storeKeyPrefix">What the entity's streams are called in a store before their name: <c>u:</c> or <c>g:</c>.</param>
    /// <param name="self">The entity, which gets the store's answers as messages.</param>
    public static IStreamKeeper Choose(HistoryOptions history, HistoryBudget budget, IStreamStore? store, string storeKeyPrefix,
        IActorRef self, ILoggingAdapter log) =>
        !history.IsOn ? NoHistory.Instance
        : store is null ? new MemoryHistory(history, budget)
        : new StoredHistory(new StoredStreams(store, self, log), storeKeyPrefix);
}
