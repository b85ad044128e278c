using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Actors.Hub;
using Switchboard.Actors.RateLimiting;
using Switchboard.Service.Hosting;
using Switchboard.Service.Http;
using Switchboard.Service.RateLimiting;
using Switchboard.Service.Settings;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// A real Kestrel on a free loopback port hosting the hub, embedded as an application would, with upgrades
/// taken on the transport as the service's Program.cs takes them, unless <c>transportUpgrades</c> is false.
/// </summary>
public sealed class SwitchboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SwitchboardServer(WebApplication app, Uri baseUri, string prefix)
    {
        _app = app;
        BaseUri = baseUri;
        Prefix = prefix;
        Http = new HttpClient { BaseAddress = baseUri };
    }

    public Uri BaseUri { get; }
    public string Prefix { get; }
    public HttpClient Http { get; }
    public ConnectionHub Hub => _app.Services.GetRequiredService<ConnectionHub>();
    public ActorSystem ActorSystem => _app.Services.GetRequiredService<ActorSystem>();
    public IServiceProvider Services => _app.Services;

    public Uri WebSocketUri(string query = "") =>
        new($"ws://{BaseUri.Authority}{Prefix}{(query.Length > 0 ? "?" + query : "")}");

    /// <summary><paramref name="pathAndQuery"/> on this server as spelt: a Uri would resolve dot segments and unescape characters.</summary>
    public Uri AsSpelt(string pathAndQuery) => new(BaseUri.GetLeftPart(UriPartial.Authority) + pathAndQuery,
        new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    public static async Task<SwitchboardServer> StartAsync(Func<SwitchboardOptions, SwitchboardOptions>? configure = null,
        IDictionary<string, string?>? configuration = null, string prefix = "/ws",
        Func<RateLimiterOptions, RateLimiterOptions>? rateLimiter = null, string? settingsFile = null,
        Action<IServiceCollection>? services = null, Func<IServiceProvider, IRateLimitStore>? rateLimitStore = null,
        bool transportUpgrades = true, Action<WebApplication>? pipeline = null, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        if (settingsFile is not null)
            builder.Configuration.AddJsonFile(settingsFile, optional: false, reloadOnChange: true);
        services?.Invoke(builder.Services);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        if (transportUpgrades)
            builder.WebHost.UseSwitchboardTransportUpgrades(prefix);
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSwitchboard(configure);
        logging?.Invoke(builder.Logging); // after AddSwitchboard, as an app may add its providers
        if (rateLimiter is not null)
            builder.Services.AddSwitchboardRateLimiter(rateLimiter, rateLimitStore);

        var app = builder.Build();
        if (rateLimiter is not null)
            app.UseSwitchboardRateLimiter();
        pipeline?.Invoke(app);
        app.MapSwitchboard(prefix);
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var server = new SwitchboardServer(app, new Uri(address), prefix);
        await Eventually.TrueAsync(async () => (await server.Http.GetAsync($"{prefix}/health")).IsSuccessStatusCode,
            "the node reports healthy");
        return server;
    }

    public async Task<JsonElement> StatsAsync() =>
        await Http.GetFromJsonAsync<JsonElement>($"{Prefix}/stats", HttpJson.Options);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
