using Switchboard.Service.Tests.Deploy.Support;

namespace Switchboard.Service.Tests.Deploy;

/// <summary>What counts as read: what the settings loaders ask for, each of its kinds, and nothing misspelt.</summary>
public sealed class ServiceVariablesTests
{
    [Fact]
    public void Variables_and_sections_the_loaders_ask_for_are_read_and_misspelt_ones_are_not()
    {
        var environment = new Dictionary<string, string>
        {
            ["WEBSOCKET_MAX_CONNECTIONS"] = "10",           // a variable of its own
            ["WebSocket__MaxConnections"] = "10",           // its section path
            ["HISTORY_STORE"] = "memory",
            ["RateLimiter__Store"] = "memory",              // bound by the configuration binder
            ["RateLimiter__SkipPaths__0"] = "/metrics",     // a list's item
            ["Auth__ApiKeys__0__Key"] = "0123456789abcdef", // an item of a list the loader walks
            ["Auth__ApiKeys__0__Scopes"] = "read",
            ["Metrics__Enabled"] = "true",
            ["Events__BatchSize"] = "10",
            ["ASPNETCORE_URLS"] = "http://+:8080",          // the host's
            ["Logging__Console__FormatterName"] = "json",   // the host's section
            ["WEBSOCKET_MAX_CONECTIONS"] = "10",
            ["RateLimiter__Stor"] = "memory",
            ["Auth__ApiKey__0__Key"] = "0123456789abcdef",
            ["CLUSTER_SEED"] = "akka.tcp://switchboard@a:1",
        };
        Assert.Equal(["Auth__ApiKey__0__Key", "CLUSTER_SEED", "RateLimiter__Stor", "WEBSOCKET_MAX_CONECTIONS"],
            ServiceVariables.Unread(environment));
    }

    [Fact]
    public void Problems_are_those_of_every_loader_at_once()
    {
        var (_, problems) = ServiceVariables.Load(new Dictionary<string, string>
        {
            ["WEBSOCKET_MAX_CONNECTIONS"] = "many",
            ["Events__BatchSize"] = "0",
            ["RateLimiter__Rate"] = "fast",
        });
        Assert.Equal(3, problems.Count);
    }
}
