using Switchboard.TestBackend;

// Usage: Switchboard.TestBackend --urls http://127.0.0.1:<port> --secret <the service's Hooks:Secrets>
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var secret = builder.Configuration["secret"] ?? throw new InvalidOperationException("--secret is required");
builder.Services.AddSingleton(new BackendState(secret));
var app = builder.Build();
app.MapPost("/hooks/{hook}", HookEndpoint.HandleAsync);
app.MapPost("/events", EventsEndpoint.HandleAsync);
Control.Map(app);
app.Run();
