using System.Net.Http.Headers;
using Switchboard.Actors.Events;
using Switchboard.Service.Hooks;

namespace Switchboard.Service.Events;

/// <summary>
/// Carries a batch of lifecycle events to <c>Events:Url</c>: a <c>POST</c> signed as hook calls are, with hook name
/// <c>events</c> (PROTOCOL.md "Application hooks"), through a named client without a resilience pipeline: the
/// <see cref="EventSender"/> does the retrying, one batch at a time, so that a connection's events keep their order.
/// </summary>
public sealed class HttpEventTransport(IHttpClientFactory clients, EventsSettings settings, TimeProvider time) : IEventTransport
{
    public const string ClientName = "switchboard-events";
    public const string HookName = "events";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task<string?> SendAsync(ReadOnlyMemory<byte> body)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, settings.Url) { Content = new ReadOnlyMemoryContent(body) };
        message.Content.Headers.ContentType = Json;
        message.Headers.Add(HookSignature.HookHeader, HookName);
        message.Headers.Add(HookSignature.SignatureHeader,
            HookSignature.Sign(HookName, body.Span, settings.Secrets, time.GetUtcNow().ToUnixTimeSeconds()));
        using var timeout = new CancellationTokenSource(settings.Timeout);
        try
        {
            // Only the status counts: the answer's body is not read.
            using var response = await clients.CreateClient(ClientName)
                .SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"it answered {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return $"no answer within {settings.Timeout.TotalSeconds} s";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }
}
