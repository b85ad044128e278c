using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Switchboard.Bench.SignalRBaseline;

// The baseline the benchmarks compare Switchboard with: a plain ASP.NET Core SignalR hub doing
// the same jobs (users, groups, direct, group and API broadcast messages), default settings.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR();
builder.Services.AddSingleton<IUserIdProvider, QueryUserIdProvider>();
var app = builder.Build();
app.MapHub<BenchHub>("/hub");
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
app.MapPost("/broadcast", async (IHubContext<BenchHub> hub, JsonElement body) =>
{
    await hub.Clients.All.SendAsync("message", body);
    return Results.Accepted();
});
app.Run();
