using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Switchboard.Actors.Hooks;

namespace Switchboard.Service.Hooks;

/// <summary>
/// The HTTP transport of the application's hooks (PROTOCOL.md "Application hooks"): a signed <c>POST</c> of the request to
/// <c>Hooks:&lt;Hook&gt;:Url</c>, through a named <see cref="HttpClient"/> per hook whose resilience pipeline has the hook's
/// timeout and a circuit breaker and no retry (a retried publish would be delivered twice). Only a 200 with a JSON body of
/// the answer's shape, of at most <see cref="MaxAnswerBytes"/>, is an answer; <see cref="HookCalls"/> checks the rest.
/// </summary>
public sealed class HttpHooks(IHttpClientFactory clients, HooksSettings settings, TimeProvider time)
{
    /// <summary>The most bytes of an answer read: a hostile or broken backend cannot make a node buffer more.</summary>
    public const int MaxAnswerBytes = 256 * 1024;

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>How hook bodies are written and read: the contract's names, JSON null for a value a request does not have.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.General)
    {
        Converters = { new UndefinedAsNull() },
        MaxDepth = 64,
    };

    public static string ClientName(HookKind kind) => $"switchboard-hook-{kind.Name()}";

    /// <summary>The named clients, one per hook, so that one failing backend breaks only its own hook's circuit.</summary>
    public static void AddClients(IServiceCollection services)
    {
        foreach (var kind in HookKinds.All)
        {
            // The factory's own logging would write a line with a stack trace for every failed call; HookCalls logs failures.
            services.AddHttpClient(ClientName(kind), client => client.Timeout = Timeout.InfiniteTimeSpan)
                .RemoveAllLoggers()
                .AddResilienceHandler("hook", (pipeline, context) =>
                {
                    var policy = context.ServiceProvider.GetRequiredService<HooksSettings>().Options.Policy(kind);
                    pipeline.AddTimeout(policy.Timeout);
                    // Half the calls of a 10 s window failing (at least 20 of them) opens the circuit for 5 s: a backend that
                    // is down is not asked again by every frame while it is, and each of those calls fails at once instead.
                    pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = 0.5,
                        MinimumThroughput = 20,
                        SamplingDuration = TimeSpan.FromSeconds(10),
                        BreakDuration = TimeSpan.FromSeconds(5),
                    });
                });
        }
    }

    /// <summary>Sets each hook that has a URL to call it; a hook a handler in code already took is left to it.</summary>
    public void Fill(AppHooks hooks)
    {
        foreach (var (kind, url) in settings.Urls)
        {
            switch (kind)
            {
                case HookKind.Connect: hooks.Connect ??= (r, ct) => CallAsync<ConnectRequest, ConnectAnswer>(kind, url, r, ct); break;
                case HookKind.Refresh: hooks.Refresh ??= (r, ct) => CallAsync<RefreshRequest, RefreshAnswer>(kind, url, r, ct); break;
                case HookKind.Join: hooks.Join ??= (r, ct) => CallAsync<JoinRequest, JoinAnswer>(kind, url, r, ct); break;
                case HookKind.Publish: hooks.Publish ??= (r, ct) => CallAsync<PublishRequest, PublishAnswer>(kind, url, r, ct); break;
                case HookKind.Rpc: hooks.Rpc ??= (r, ct) => CallAsync<RpcRequest, RpcAnswer>(kind, url, r, ct); break;
            }
        }
    }

    private async Task<TAnswer> CallAsync<TRequest, TAnswer>(HookKind kind, Uri url, TRequest request, CancellationToken cancel)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, JsonOptions);
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = Json;
        message.Headers.Add(HookSignature.HookHeader, kind.Name());
        message.Headers.Add(HookSignature.SignatureHeader,
            HookSignature.Sign(kind.Name(), body, settings.Secrets, time.GetUtcNow().ToUnixTimeSeconds()));
        using var response = await clients.CreateClient(ClientName(kind))
            .SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
        if (response.StatusCode != System.Net.HttpStatusCode.OK)
            throw new HookCallException($"the backend answered {(int)response.StatusCode}, not 200");
        var answer = await ReadBoundedAsync(response.Content, cancel).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<TAnswer>(answer, JsonOptions)
                   ?? throw new HookCallException("the answer is null, not a JSON object");
        }
        catch (JsonException e)
        {
            throw new HookCallException($"the answer is not of the {kind.Name()} hook's shape: {e.Message}");
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancel)
    {
        if (content.Headers.ContentLength > MaxAnswerBytes)
            throw new HookCallException($"an answer of {content.Headers.ContentLength} bytes; at most {MaxAnswerBytes}");
        await using var stream = await content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancel).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxAnswerBytes)
                throw new HookCallException($"an answer of more than {MaxAnswerBytes} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    // A request's JsonElement without a value (nothing given) is written as null; an answer's missing value stays Undefined.
    private sealed class UndefinedAsNull : JsonConverter<JsonElement>
    {
        public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonElement.ParseValue(ref reader);

        public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options)
        {
            if (value.ValueKind == JsonValueKind.Undefined)
                writer.WriteNullValue();
            else
                value.WriteTo(writer);
        }
    }
}
