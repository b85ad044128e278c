using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Service.Hosting;
using Switchboard.Service.Logging;

namespace Switchboard.Service.Tests;

public sealed class SecretRedactorTests
{
    [Theory]
    [InlineData("GET http://h/ws?access_token=eyJ.a-b_c.d&user_id=bob - - -", "GET http://h/ws?access_token=[redacted]&user_id=bob - - -")]
    [InlineData("/ws?user_id=bob&access_token=abc123", "/ws?user_id=bob&access_token=[redacted]")]
    [InlineData("/ws?ACCESS_TOKEN=abc123#frag", "/ws?ACCESS_TOKEN=[redacted]#frag")]
    [InlineData("/ws?access%5Ftoken=abc123&x=1", "/ws?access%5Ftoken=[redacted]&x=1")]
    [InlineData("/ws?access_token=one&access_token=two", "/ws?access_token=[redacted]&access_token=[redacted]")]
    [InlineData("""{"access_token":"abc123","user":"bob"}""", """{"access_token":"[redacted]","user":"bob"}""")]
    [InlineData("""{\"access_token\":\"abc123\"}""", """{\"access_token\":\"[redacted]\"}""")]
    [InlineData("Request Headers:\nAuthorization: Bearer abc123\nHost: h", "Request Headers:\nAuthorization: [redacted]\nHost: h")]
    [InlineData("authorization:Basic dXNlcjpwYXNz", "authorization:[redacted]")]
    [InlineData("X-API-Key: sk-abc123   \r\nAccept: */*", "X-API-Key: [redacted]   \r\nAccept: */*")]
    [InlineData("x-api-key=sk-abc123 next", "x-api-key=[redacted] next")]
    [InlineData("Authorization=Bearer abc123 next", "Authorization=[redacted] next")]
    [InlineData("headers: 'X-Api-Key': 'sk-abc123', 'Host': 'h'", "headers: 'X-Api-Key': '[redacted]', 'Host': 'h'")]
    [InlineData("Invalid request line: 'GET /ws?access_token=abc x HTTP/1.1\\x0D'", "Invalid request line: 'GET /ws?access_token=[redacted] x HTTP/1.1\\x0D'")]
    public void Secret_values_are_replaced(string text, string expected) =>
        Assert.Equal(expected, SecretRedactor.Redact(text));

    [Theory]
    [InlineData("Authorization failed. These requirements were not met")]
    [InlineData("the access_token parameter is read when Auth:Jwt is set")]
    [InlineData("/ws?access_token=&user_id=bob")]
    [InlineData("/ws?access_token=[redacted]&user_id=bob")]
    [InlineData("GET /ws?user_id=bob HTTP/1.1")]
    public void Lines_without_a_secret_are_returned_as_they_are(string text)
    {
        Assert.Same(text, SecretRedactor.Redact(text));
    }

    [Fact]
    public void The_quick_check_finds_only_the_names()
    {
        Assert.False(SecretRedactor.MayHoldSecret("Request starting HTTP/1.1 GET http://h/ws?user_id=bob - - -"));
        Assert.True(SecretRedactor.MayHoldSecret("…?Access_Token=x"));
        Assert.True(SecretRedactor.MayHoldSecret("AUTHORIZATION"));
        Assert.True(SecretRedactor.MayHoldSecret("x-api-key"));
    }

    [Fact]
    public void Removed_values_are_reported()
    {
        var removed = new List<string>();
        SecretRedactor.Redact("?access_token=abc123&x=1 Authorization: Bearer xyz", removed);
        Assert.Equal(["abc123", "Bearer xyz"], removed);
    }
}

public sealed class LogRedactionTests
{
    private const string Token = "tok3nVALUEs3cretJWT";

    private static (ILoggerFactory Factory, CapturingProvider Captured, ServiceProvider Services) Build(
        Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        register(services);
        var captured = new CapturingProvider();
        // Added after the redaction, as an app adding its own provider after AddSwitchboard does.
        services.AddLogging(logging => logging.AddProvider(captured).SetMinimumLevel(LogLevel.Trace));
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<ILoggerFactory>(), captured, provider);
    }

    private static (ILogger Logger, CapturingProvider Captured, ServiceProvider Services) Logger()
    {
        var (factory, captured, services) = Build(s => s.AddLogRedaction());
        return (factory.CreateLogger("Test"), captured, services);
    }

    [Fact]
    public void Message_and_structured_values_lose_the_token()
    {
        var (logger, captured, services) = Logger();
        using var _ = services;
        logger.LogInformation("Request starting {Method} {Url}", "GET", $"http://h/ws?access_token={Token}&user_id=bob");

        var entry = Assert.Single(captured.Entries);
        Assert.Equal("Request starting GET http://h/ws?access_token=[redacted]&user_id=bob", entry.Message);
        Assert.Equal("http://h/ws?access_token=[redacted]&user_id=bob", entry.Values["Url"]);
        Assert.Equal("GET", entry.Values["Method"]);
        Assert.Equal("Request starting {Method} {Url}", entry.Values["{OriginalFormat}"]);
        Assert.DoesNotContain(Token, entry.ToString());
    }

    [Fact]
    public void A_value_under_a_header_name_is_taken_out_of_the_message_too()
    {
        var (logger, captured, services) = Logger();
        using var _ = services;
        logger.LogInformation("header {Authorization} and key {X-API-Key} for {User}", $"Bearer {Token}", "sk-0123456789abcdef", "bob");

        var entry = Assert.Single(captured.Entries);
        Assert.Equal("header [redacted] and key [redacted] for bob", entry.Message);
        Assert.Equal(SecretRedactor.Redacted, entry.Values["Authorization"]);
        Assert.Equal(SecretRedactor.Redacted, entry.Values["X-API-Key"]);
        Assert.Equal("bob", entry.Values["User"]);
    }

    [Fact]
    public void Values_that_are_not_strings_are_judged_by_their_text()
    {
        var (logger, captured, services) = Logger();
        using var _ = services;
        logger.LogInformation("to {Uri} with {Headers}", new Uri($"http://h/ws?access_token={Token}"),
            new[] { "Host: h", $"Authorization: Bearer {Token}" });

        var entry = Assert.Single(captured.Entries);
        Assert.DoesNotContain(Token, entry.ToString());
        Assert.Equal("http://h/ws?access_token=[redacted]", entry.Values["Uri"]);
        Assert.Equal("Host: h, Authorization: [redacted]", entry.Values["Headers"]);
    }

    [Fact]
    public void An_interpolated_message_is_its_own_template_and_loses_the_token()
    {
        var (logger, captured, services) = Logger();
        using var _ = services;
#pragma warning disable CA2254 // the point: a message built before it is logged
        logger.LogWarning($"fetching http://h/jwks?access_token={Token}");
#pragma warning restore CA2254

        var entry = Assert.Single(captured.Entries);
        Assert.Equal("fetching http://h/jwks?access_token=[redacted]", entry.Message);
        Assert.DoesNotContain(Token, entry.ToString());
    }

    [Fact]
    public void An_exception_whose_message_names_a_token_is_shown_without_it()
    {
        var (logger, captured, services) = Logger();
        using var _ = services;
        var thrown = Throw(new InvalidOperationException("outer", new FormatException($"bad line 'GET /ws?access_token={Token} x'")));
        logger.LogDebug(thrown, "bad request data");

        var entry = Assert.Single(captured.Entries);
        var shown = Assert.IsType<RedactedException>(entry.Exception);
        Assert.Contains("access_token=[redacted] x", shown.ToString());
        Assert.Contains(nameof(Throw), shown.ToString()); // the stack trace stays
        Assert.Equal(thrown.StackTrace, shown.StackTrace);
        Assert.DoesNotContain(Token, shown.ToString());
        Assert.Equal(typeof(InvalidOperationException).FullName, shown.OriginalType);
    }

    [Fact]
    public void Clean_entries_and_exceptions_reach_the_providers_as_they_were()
    {
        var (logger, captured, services) = Logger();
        using var _ = services;
        var state = new CustomState("nothing secret here");
        var thrown = new InvalidOperationException("plain");
        logger.Log(LogLevel.Information, default, state, thrown, (s, _) => s.Text);

        var entry = Assert.Single(captured.Entries);
        Assert.Same(state, entry.State);
        Assert.Same(thrown, entry.Exception);
    }

    [Fact]
    public void A_custom_state_that_is_not_a_list_is_judged_by_its_message()
    {
        var (logger, captured, services) = Logger();
        using var _ = services;
        logger.Log(LogLevel.Information, default, new CustomState($"GET /ws?access_token={Token}"), null, (s, _) => s.Text);

        var entry = Assert.Single(captured.Entries);
        Assert.Equal("GET /ws?access_token=[redacted]", entry.Message);
        Assert.Equal("GET /ws?access_token=[redacted]", entry.State.ToString());
    }

    [Fact]
    public void Scopes_lose_the_token()
    {
        var (logger, captured, services) = Logger();
        using var _ = services;
        using (logger.BeginScope(new Dictionary<string, object?> { ["RequestUrl"] = $"/ws?access_token={Token}", ["Id"] = 7 }))
        using (logger.BeginScope("calling /ws?access_token={0}", Token))
            logger.LogInformation("inside");

        var entry = Assert.Single(captured.Entries);
        Assert.Equal(2, entry.Scopes.Count);
        Assert.All(entry.Scopes, scope => Assert.DoesNotContain(Token, scope));
        Assert.Contains("access_token=[redacted]", entry.Scopes[1]);
    }

    [Fact]
    public void AddSwitchboard_puts_the_redaction_in_the_factory_of_the_container()
    {
        var (factory, captured, services) = Build(s => s.AddSwitchboard());
        using var _ = services;
        Assert.IsType<RedactingLoggerFactory>(factory);
        factory.CreateLogger("Akka.Actor.ActorSystem").LogInformation("[INFO] GET /ws?access_token={Token}", Token);
        services.GetRequiredService<ILogger<LogRedactionTests>>().LogInformation("Authorization: Bearer {Token}", Token);

        Assert.Equal(2, captured.Entries.Count);
        Assert.All(captured.Entries, entry => Assert.DoesNotContain(Token, entry.ToString()));
    }

    [Fact]
    public void Adding_the_redaction_twice_wraps_once()
    {
        var (factory, captured, services) = Build(s => s.AddLogRedaction().AddLogRedaction());
        using var _ = services;
        factory.CreateLogger("Test").LogInformation("?access_token={Token}", Token);

        Assert.Equal("?access_token=[redacted]", Assert.Single(captured.Entries).Message);
        var registrations = new ServiceCollection().AddLogRedaction().AddLogRedaction();
        Assert.Equal(2, registrations.Count(d => d.ServiceType == typeof(ILoggerFactory))); // ours and the original, keyed
    }

    private static Exception Throw(Exception e)
    {
        try
        {
            throw e;
        }
        catch (Exception caught)
        {
            return caught;
        }
    }

    private sealed record CustomState(string Text)
    {
        public override string ToString() => Text;
    }

    public sealed record Entry(string Message, object State, Exception? Exception, IReadOnlyList<string> Scopes)
    {
        public IReadOnlyDictionary<string, object?> Values =>
            (State as IEnumerable<KeyValuePair<string, object?>> ?? []).ToDictionary(kv => kv.Key, kv => kv.Value);

        public override string ToString() =>
            string.Join("\n", [Message, State.ToString(), .. Values.Select(kv => $"{kv.Key}={kv.Value}"), Exception?.ToString(), .. Scopes]);
    }

    /// <summary>Keeps what a provider is handed: the formatted message, the state, the exception and the scopes' text.</summary>
    public sealed class CapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
        public ConcurrentQueue<Entry> Queue { get; } = new();
        public IReadOnlyList<Entry> Entries => [.. Queue];

        public ILogger CreateLogger(string categoryName) => new Capturing(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Capturing(CapturingProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<string>();
                provider._scopes.ForEachScope((scope, list) => list.Add(string.Join(" | ",
                    [scope?.ToString(), .. (scope as IEnumerable<KeyValuePair<string, object?>> ?? []).Select(kv => $"{kv.Key}={kv.Value}")])),
                    scopes);
                provider.Queue.Enqueue(new Entry(formatter(state, exception), state!, exception, scopes));
            }
        }
    }
}
