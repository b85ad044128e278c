using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Actors.Events;
using Switchboard.Service.Hosting;

namespace Switchboard.Service.Events;

public static class SwitchboardEventsExtensions
{
    /// <summary>The <c>Events</c> settings, the node's event counters and, with <c>Events:Url</c>, the signed HTTP transport.</summary>
    internal static void AddEvents(this IServiceCollection services)
    {
        services.AddSingleton(sp => EventsSettingsLoader.Load(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<EventCounters>();
        // Without the factory's request logging: a backend that is down would log every attempt with its stack; the sender
        // says so once, and once more when the backend takes events again.
        services.AddHttpClient(HttpEventTransport.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
        services.AddSingleton<HttpEventTransport>();
        services.AddHostedService<Metrics.EventInstruments>();
    }

    /// <summary>
    /// With <c>Events:Url</c> set, starts the node's <see cref="EventSender"/> over the configured store; else nothing, and
    /// the partitions make no event.
    /// </summary>
    internal static AkkaConfigurationBuilder AddEvents(this AkkaConfigurationBuilder builder, IServiceProvider sp)
    {
        var settings = sp.GetRequiredService<EventsSettings>();
        if (settings.Url is null)
            return builder;
        Func<NodeRun, IEventStore> store = settings.Store == "redis"
            ? RedisStore(RedisConnections.Connect(settings.Redis!), settings.Prefix)
            : _ => new MemoryEventStore();
        return builder.AddEventSender(settings.Options, store, sp.GetRequiredService<HttpEventTransport>(),
            sp.GetRequiredService<EventCounters>(), sp.GetRequiredService<TimeProvider>());
    }

    // Connected as the actor system starts, not in the sender: until Redis answers, writes fail and the sender keeps the
    // events meanwhile. The sender's run (its cluster incarnation) is known only once it runs.
    private static Func<NodeRun, IEventStore> RedisStore(StackExchange.Redis.IConnectionMultiplexer redis, string prefix) =>
        run => new RedisEventStore(redis, prefix, run);
}
