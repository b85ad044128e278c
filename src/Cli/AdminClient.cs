using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchboard.Contracts;

namespace Switchboard.Cli;

/// <summary>
/// The HTTP side of every command: one node, its prefix and key. A refusal becomes a <see cref="NodeRefusedException"/>
/// carrying the node's own message, so that every command reports it the same way.
/// </summary>
/// <param name="warn">told, once, when the node answers that it has no keys although a key was given.</param>
public sealed class AdminClient(NodeTarget target, Action<string>? warn = null) : IDisposable
{
    // Streams (cluster tail, top) stay open until the operator stops them; single requests get the deadline below.
    private static readonly TimeSpan RequestDeadline = TimeSpan.FromSeconds(30);
    // {}: what a change without a body sends, since the node takes a POST or PUT only as JSON (docs/security.md,
    // Cross-site requests).
    private static readonly object NoBody = new();
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private bool _warnedOfNoKeys;

    public Task<T> GetAsync<T>(string route, CancellationToken cancel, params (string Name, string? Value)[] query) =>
        SendAsync<T>(HttpMethod.Get, route, null, cancel, query);

    public Task<T> PostAsync<T>(string route, object? body, CancellationToken cancel) =>
        SendAsync<T>(HttpMethod.Post, route, body, cancel);

    public Task<T> PutAsync<T>(string route, object? body, CancellationToken cancel) =>
        SendAsync<T>(HttpMethod.Put, route, body, cancel);

    public async Task<T> SendAsync<T>(HttpMethod method, string route, object? body, CancellationToken cancel,
        params (string Name, string? Value)[] query)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(RequestDeadline);
        using var request = Request(method, route, query);
        var json = method == HttpMethod.Get ? body : body ?? NoBody;
        if (json is not null)
            request.Content = JsonContent.Create(json, json.GetType(), options: AdminJson.Options);
        using var response = await SendOrRefuseAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token, cancel);
        try
        {
            return (await response.Content.ReadFromJsonAsync<T>(AdminJson.Options, deadline.Token))!;
        }
        catch (JsonException e)
        {
            throw new NodeRefusedException($"the node's answer to {method} {request.RequestUri} is not the expected JSON: {e.Message}", e);
        }
    }

    /// <summary>Each server-sent event's data, as <typeparamref name="T"/>, until the node ends the stream or <paramref name="cancel"/>.</summary>
    public async IAsyncEnumerable<T> StreamAsync<T>(string route, [EnumeratorCancellation] CancellationToken cancel)
    {
        using var request = Request(HttpMethod.Get, route, []);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await SendOrRefuseAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel, cancel);
        await using var body = await response.Content.ReadAsStreamAsync(cancel);
        await using var events = SseParser.Create(body).EnumerateAsync(cancel).GetAsyncEnumerator(cancel);
        while (await NextAsync(events, route, cancel))
        {
            if (string.IsNullOrWhiteSpace(events.Current.Data))
                continue;
            yield return Decode<T>(events.Current.Data, route);
        }
    }

    // A stream cut mid-way (the node stopped, the network failed) is the node's failure, not a crash of the CLI.
    private async Task<bool> NextAsync(IAsyncEnumerator<SseItem<string>> events, string route, CancellationToken cancel)
    {
        try
        {
            return await events.MoveNextAsync();
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancel.IsCancellationRequested)
        {
            throw new NodeRefusedException($"the stream {route} from {target.Node} broke off: {e.Message}", e);
        }
    }

    private static T Decode<T>(string data, string route)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(data, AdminJson.Options)!;
        }
        catch (JsonException e)
        {
            throw new NodeRefusedException($"an event of {route} is not the expected JSON: {e.Message}", e);
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string route, (string Name, string? Value)[] query)
    {
        var request = new HttpRequestMessage(method, target.Resolve(route, query.Select(q => KeyValuePair.Create(q.Name, q.Value))));
        if (target.Key is { Length: > 0 } key)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    private async Task<HttpResponseMessage> SendOrRefuseAsync(HttpRequestMessage request, HttpCompletionOption completion,
        CancellationToken deadline, CancellationToken cancel)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, deadline);
        }
        catch (HttpRequestException e)
        {
            throw new NodeRefusedException($"cannot reach {target.Node}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new NodeRefusedException($"{target.Node} did not answer {request.Method} {request.RequestUri!.AbsolutePath} within {RequestDeadline.TotalSeconds:0}s", e);
        }
        WarnIfNodeHasNoKeys(response);
        if (response.IsSuccessStatusCode)
            return response;
        using (response)
            throw new NodeRefusedException(await RefusalAsync(request, response, cancel));
    }

    // A node without keys serves loopback callers whatever key they send: a made-up key "works", and its user would
    // believe the node checks keys.
    private void WarnIfNodeHasNoKeys(HttpResponseMessage response)
    {
        if (_warnedOfNoKeys || target.Key is not { Length: > 0 }
            || !response.Headers.TryGetValues(ApiKeys.NoKeysHeader, out var values) || !values.Contains(ApiKeys.NoKeysValue))
            return;
        _warnedOfNoKeys = true;
        warn?.Invoke($"warning: {target.Node} has no API keys configured, so the key given was not checked: the node serves " +
                     "every loopback caller, with or without a key, and refuses all others (protected mode). To check keys, " +
                     "configure Auth:ApiKeys on every node (sbctl keys new --scopes admin)");
    }

    // The node's own words when it sent an error body; otherwise the status, so that a proxy's HTML page is not dumped.
    private static async Task<string> RefusalAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancel)
    {
        var status = $"HTTP {(int)response.StatusCode}";
        try
        {
            var error = await response.Content.ReadFromJsonAsync<ErrorBody>(AdminJson.Options, cancel);
            if (error is { Message.Length: > 0 })
                return $"{error.Message} ({error.Error}, {status})";
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            // not an error body: fall through to the status alone
        }
        return $"{request.Method} {request.RequestUri!.AbsolutePath}: {status} {response.ReasonPhrase}";
    }

    public void Dispose() => _http.Dispose();
}
