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
        services.AddHttpClient(HttpEventTransport.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
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
            ? RedisStore(settings.Redis!, settings.Prefix)
            : _ => new MemoryEventStore();
        return builder.AddEventSender(settings.Options, store, sp.GetRequiredService<HttpEventTransport>(),
            sp.GetRequiredService<EventCounters>(), sp.GetRequiredService<TimeProvider>());
    }

    // Connected once, when the sender starts: until Redis answers, writes fail and the sender keeps the events meanwhile.
    private static Func<NodeRun, IEventStore> RedisStore(string configuration, string prefix) =>
        run => new RedisEventStore(RedisConnections.Connect(configuration), prefix, run);
}
