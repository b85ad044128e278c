using System.Buffers;
using System.Text.Json;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Actors.History;
using Switchboard.Actors.Hub;
using Switchboard.Actors.Routing;
using Switchboard.Service.Auth;
using Switchboard.Streams.Json;

namespace Switchboard.Service.Http;

/// <summary>
/// <c>POST /message</c>, <c>POST /broadcast</c>, <c>GET /groups/{name}</c> and <c>GET /users/{id}</c>: the HTTP side of
/// routing. Bodies are the JSON of a client frame; messages carry <c>"from":"server"</c>, or the body's <c>from</c>
/// when the caller's key has the <c>impersonate</c> scope.
/// </summary>
public static class MessagingEndpoints
{
    private static readonly object Accepted = new { accepted = true };

    private static IResult StoreUnavailable => new ApiError("unavailable", StoredStreams.Unavailable.Message).ToResult(503);

    public static async Task<IResult> SendMessageAsync(HttpRequest request, ConnectionHub hub)
    {
        var (frame, failure) = await ReadFrameAsync(request);
        if (failure is not null)
            return failure;
        if (Sender(frame!, request.HttpContext, out var sender) is { } refused)
            return refused;
        if (MessageTarget.Check(frame!.To, frame.Group) is { } unroutable)
            return ApiError.Of(unroutable).ToResult(400);

        // History:OnStoreFailure=refuse: while the history store does not answer, a message it would number is refused.
        if (request.HttpContext.RequestServices.GetService<IStreamStore>() is { RefusesOnFailure: true, IsFailing: true })
            return StoreUnavailable;
        var encoded = hub.Counters.DeliveryClock.Accepted(ServerFrames.Routed(new RoutedFields(frame.Type!, frame.Data, sender, Now(), frame.To, frame.Group)));
        hub.Routing.Relay.Send(frame.To is { } to
            ? new UserProtocol.SendToUser(to, encoded)
            : new GroupProtocol.SendToGroup(frame.Group!, encoded));
        Admin.AdminAudit.Log(request.HttpContext, "message", frame.To is { } user ? $"user {user}" : $"group {frame.Group}", "accepted");
        return Results.Json(Accepted, HttpJson.Options, statusCode: 202);
    }

    public static async Task<IResult> BroadcastAsync(HttpRequest request, ConnectionHub hub)
    {
        var (frame, failure) = await ReadFrameAsync(request);
        if (failure is not null)
            return failure;
        if (Sender(frame!, request.HttpContext, out var sender) is { } refused)
            return refused;
        hub.Broadcast(frame!.Type!, frame.Data, sender);
        Admin.AdminAudit.Log(request.HttpContext, "broadcast", "every connection", "accepted");
        return Results.Json(Accepted, HttpJson.Options, statusCode: 202);
    }

    public static async Task<IResult> GroupAsync(string name, ConnectionHub hub)
    {
        if (Names.Check(name, NameKind.Group) is { } invalid)
            return ApiError.Of(invalid).ToResult(400);
        var members = await hub.Routing.Groups.Ask<GroupProtocol.Members>(new GroupProtocol.GetMembers(name), TimeSpan.FromSeconds(10));
        var users = members.Users.Select(m => new { user_id = m.UserId, connections = m.Connections });
        // With history on, a group with a kept stream exists for the members to come.
        if (members.Stream is { } stream)
        {
            return Results.Json(new
            {
                group = members.Group, connections = members.Connections, members = users, epoch = stream.Epoch, seq = stream.Seq,
            }, HttpJson.Options);
        }
        if (members.Connections == 0)
            return new ApiError("unknown_group", $"the group \"{name}\" has no members").ToResult(404);
        return Results.Json(new { group = members.Group, connections = members.Connections, members = users }, HttpJson.Options);
    }

    /// <summary>
    /// <c>GET /groups/{name}/presence?cursor=...</c> and <c>/presence_stats</c>: the <c>data</c> of the socket's answers, the same
    /// bytes; 404 <c>presence_off</c> in a namespace without presence.
    /// </summary>
    public static async Task<IResult> PresenceAsync(string name, HttpRequest request, ConnectionHub hub, bool stats)
    {
        if (Names.Check(name, NameKind.Group) is { } invalid)
            return ApiError.Of(invalid).ToResult(400);
        var cursor = request.Query["cursor"].ToString() is { Length: > 0 } given ? given : null;
        if (cursor is not null && Names.Check(cursor, NameKind.UserId) is not null)
            return new ApiError("invalid_field", "cursor is the user id a page ended with").ToResult(400);
        Func<IActorRef, object> ask = replyTo => new GroupProtocol.GetPresence(name, stats, stats ? null : cursor, null, default, replyTo);
        var answer = await hub.Routing.Groups.Ask<GroupProtocol.PresenceAnswer>(ask, TimeSpan.FromSeconds(10), CancellationToken.None);
        return answer.Data is { } data
            ? Results.Bytes(data, "application/json")
            : ApiError.Of(answer.Error!).ToResult(404);
    }

    /// <summary><c>GET /groups/{name}/history?since=N</c>: the group's kept messages after N, as its members got them.</summary>
    public static Task<IResult> GroupHistoryAsync(string name, HttpRequest request, ConnectionHub hub) =>
        Names.Check(name, NameKind.Group) is { } invalid
            ? Task.FromResult(ApiError.Of(invalid).ToResult(400))
            : HistoryAsync<GroupProtocol.GroupHistoryPage>(request, hub, hub.Routing.Groups, since => new GroupProtocol.GetGroupHistory(name, since),
                page => (page.Group, page.Stream, page.Messages), "group",
                new ApiError("unknown_group", $"the group \"{name}\" has no stream"));

    public static async Task<IResult> UserAsync(string id, ConnectionHub hub)
    {
        if (Names.Check(id, NameKind.UserId) is { } invalid)
            return ApiError.Of(invalid).ToResult(400);
        var user = await hub.Routing.Users.Ask<UserProtocol.Connections>(new UserProtocol.GetConnections(id), TimeSpan.FromSeconds(10));
        // With history on, a user away from every device still has a stream: that is what a backend asks about.
        if (user.Stream is { } stream)
        {
            return Results.Json(new
            {
                user_id = user.UserId, connections = user.Count, nodes = user.Nodes, epoch = stream.Epoch, seq = stream.Seq,
                delivered_seq = user.DeliveredSeq,
            }, HttpJson.Options);
        }
        if (user.Count == 0)
            return new ApiError("unknown_user", $"the user \"{id}\" has no connection").ToResult(404);
        return Results.Json(new { user_id = user.UserId, connections = user.Count, nodes = user.Nodes }, HttpJson.Options);
    }

    /// <summary><c>GET /users/{id}/history?since=N</c>: the user's kept messages after N, as the user's devices got them.</summary>
    public static Task<IResult> UserHistoryAsync(string id, HttpRequest request, ConnectionHub hub) =>
        Names.Check(id, NameKind.UserId) is { } invalid
            ? Task.FromResult(ApiError.Of(invalid).ToResult(400))
            : HistoryAsync<UserProtocol.HistoryPage>(request, hub, hub.Routing.Users, since => new UserProtocol.GetHistory(id, since),
                page => (page.UserId, page.Stream, page.Messages), "user_id",
                new ApiError("unknown_user", $"the user \"{id}\" has no stream"));

    // Both history endpoints: the refusals, the router's page, and the page's frames written as they are.
    private static async Task<IResult> HistoryAsync<TPage>(HttpRequest request, ConnectionHub hub, IActorRef routers,
        Func<long, object> question, Func<TPage, (string Id, Actors.History.StreamPosition? Stream, Streams.Outbound.OutboundFrame[] Messages)> read,
        string idField, ApiError unknown)
    {
        if (HistoryRefusal(request, hub, out var since) is { } refused)
            return refused;
        TPage page;
        try
        {
            page = await routers.Ask<TPage>(question(since), TimeSpan.FromSeconds(10));
        }
        catch (StreamStoreUnavailableException)
        {
            return StoreUnavailable;
        }
        var (id, stream, messages) = read(page);
        return stream is null ? unknown.ToResult(404) : Results.Bytes(HistoryJson(idField, id, stream, messages), "application/json");
    }

    private static IResult? HistoryRefusal(HttpRequest request, ConnectionHub hub, out long since)
    {
        since = 0;
        if (!hub.Routing.HistoryOn)
        {
            return new ApiError("history_off", "this server keeps no history (WEBSOCKET_HISTORY_SIZE=0)")
                .ToResult(StatusCodes.Status409Conflict);
        }
        if (request.Query["since"].ToString() is { Length: > 0 } text
            && !long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out since))
            return new ApiError("invalid_field", "since is a seq: a whole number of 0 or more").ToResult(400);
        return null;
    }

    // The kept frames are already JSON: written as they are, not parsed and re-encoded.
    private static byte[] HistoryJson(string idField, string id, Actors.History.StreamPosition stream,
        IEnumerable<Streams.Outbound.OutboundFrame> messages)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString(idField, id);
            w.WriteString("epoch", stream.Epoch);
            w.WriteNumber("seq", stream.Seq);
            w.WriteStartArray("messages");
            foreach (var message in messages)
                w.WriteRawValue(message.Payload, skipInputValidation: true);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // A caller that may not impersonate is refused rather than quietly sent as "server": its message would
    // otherwise reach people under a name it did not ask for.
    private static IResult? Sender(ClientFrame frame, HttpContext context, out string sender)
    {
        sender = Names.ServerUser;
        if (frame.From.IsEmpty || frame.From.Span.SequenceEqual("null"u8))
            return null;
        if (context.Features.Get<ApiCaller>()?.Has(ApiScopes.Impersonate) != true)
        {
            return new ApiError("forbidden", "setting \"from\" needs an API key with the \"impersonate\" scope")
                .ToResult(StatusCodes.Status403Forbidden);
        }
        var reader = new Utf8JsonReader(frame.From.Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
            return new ApiError("invalid_field", "\"from\" must be a string").ToResult(400);
        var from = reader.GetString();
        if (Names.Check(from, NameKind.UserId) is { } invalid)
            return ApiError.Of(invalid).ToResult(400);
        sender = from!;
        return null;
    }

    // The body as a message to route: readable (RequestBody), a frame, of a type that is not the service's own.
    private static async Task<(ClientFrame? Frame, IResult? Failure)> ReadFrameAsync(HttpRequest request)
    {
        var (body, refused) = await RequestBody.ReadAsync(request);
        if (body is null)
            return (null, refused);
        var frame = ClientFrameDecoder.Decode(body);
        if (frame.Error is { } error)
            return (null, ApiError.Of(error).ToResult(400));
        return ReservedTypes.Contains(frame.Type!)
            ? (null, ApiError.Of(ReservedTypes.Refusal).ToResult(400))
            : (frame, null);
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
