using Microsoft.Extensions.Configuration.Memory;
using Switchboard.Service.Hosting;
using Switchboard.Service.Http;
using Switchboard.Service.Logging;
using Switchboard.Service.RateLimiting;
using Switchboard.Service.Settings;

SocketCompletions.RunInlineUnlessConfigured();
var builder = WebApplication.CreateBuilder(args);
// ASP.NET Core logs four lines per request at Information: a tenth of a node's CPU per connect
// (docs/performance.md). The lowest-precedence source, so Logging__LogLevel__Microsoft.AspNetCore brings them back.
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" },
});
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
    builder.WebHost.UseUrls("http://localhost:8080");

// Checked before the host starts so that an operator sees one message, with every section's problems, not a host failure trace.
var problems = ServiceSettings.Problems(builder.Configuration);
if (problems.Count > 0)
{
    Console.Error.WriteLine(SecretRedactor.Redact(new SwitchboardSettingsException(problems).Message)); // a JwksUrl may carry a token in its query
    return 2;
}

builder.WebHost.UseSwitchboardTransportUpgrades();
// Socket sends and receives go to the thread pool one by one instead of through Kestrel's two I/O queues,
// which serialized a broadcast's writes: about a tenth more deliveries/s (docs/performance.md).
builder.WebHost.UseSockets(sockets => sockets.IOQueueCount = 0);
builder.Services.AddSwitchboard();
builder.Services.AddSwitchboardRateLimiter();
var app = builder.Build();
app.UseSwitchboardRateLimiter();
app.MapSwitchboard();
var node = app.Services.GetRequiredService<NodeState>();
await app.RunAsync();
// 0 after a planned shutdown; NodeState's codes when the cluster removed the node or it never joined (docs/cluster.md).
// Returned rather than left in Environment.ExitCode, which Akka.Hosting sets to -1 for any downing.
return node.ExitCode;

// Internal, so that an application that embeds the hub from its package keeps the global name Program for its own
// (ASP.NET Core makes a top-level Program public unless it is declared otherwise).
internal partial class Program;
