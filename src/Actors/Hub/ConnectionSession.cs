using Akka.Actor;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.History;
using Switchboard.Actors.Hooks;
using Switchboard.Actors.Namespaces;
using Switchboard.Actors.RateLimiting;
using Switchboard.Actors.Routing;
using Switchboard.Streams;
using Switchboard.Streams.Json;

namespace Switchboard.Actors.Hub;

/// <summary>
/// Interprets one connection's frames (PROTOCOL.md "Client → server types"). Runs on the
/// connection's stream: it never blocks, replies through the connection's outbox and hands
/// routed messages, encoded once, to the routers. When the connection ends it hands it back to the hub.
/// With hooks configured, a frame that waits for one holds back the frames after it (ConnectionSession.Hooks.cs).
/// </summary>
public sealed partial class ConnectionSession(LocalConnection local, ConnectionHub hub, Rate? messageRate = null,
    ConnectionGrant? grant = null, ITokenRenewal? renewal = null)
    : IInboundHandler
{
    private static readonly FrameError TokensOff = new("invalid_token", "this server does not use tokens");
    private static readonly FrameError RefreshNeedsToken = new("invalid_token", "a refresh frame needs data.token");

    private readonly ConnectionGrant _grant = grant ?? ConnectionGrant.None;

    /// <summary>Refused frames in a row after which the connection is closed with 1008.</summary>
    public const int RateLimitStrikes = 10;

    private static readonly FrameError BroadcastForbidden =
        new("forbidden", "clients may not broadcast on this server");

    private static readonly FrameError RateLimited = new("rate_limited", "too many messages; slow down");

    private static readonly FrameError HistoryOff =
        new("history_off", "receipts need history, which this server does not keep (WEBSOCKET_HISTORY_SIZE=0)");

    private static readonly FrameError PresenceNeedsId = new("missing_field", "a presence request needs an \"id\" for its answer to name");
    private static readonly FrameError RpcNeedsId = new("missing_field", "an \"rpc\" frame needs an \"id\" for its answer to name");
    private static readonly FrameError RpcNotAvailable = new("not_available", "this server has no rpc hook configured");
    private static readonly FrameError RpcNeedsMethod = new("missing_field", "an \"rpc\" frame needs data.method, a string of 1 to 128 characters");

    private static readonly FrameError ReceivedNeedsSeq = new("missing_field", "a \"received\" frame needs data.seq, a number of 0 or more");

    private readonly TokenBucket? _bucket = messageRate is null ? null : new TokenBucket(messageRate, Environment.TickCount64);
    private int _strikes;

    // With hooks: the frames held behind one waiting for its hook (null without hooks: nothing ever waits).
    private readonly Queue<ClientFrame>? _held = hub.Hooks is null ? null : new();

    private LocalConnection Local => local;
    private WebSocketConnection Connection => local.Connection;
    private string UserId => local.UserId;
    private HubRouting Routing => hub.Routing;
    private ConnectionCounters Counters => hub.Counters;

    /// <summary>The hub lets go of the connection: its registrations, its slot and its places in the quotas.</summary>
    public void OnEnded() => hub.Ended(local);

    public bool OnFrame(ClientFrame frame)
    {
        if (_bucket is not null && !WithinRate(frame))
            return true;
        if (_held is not null && !IsOutOfOrder(frame))
            return InOrder(frame);
        Handle(frame);
        return true;
    }

    /// <summary>Handles one frame; false when it waits for a hook, whose answer then handles it and the frames held behind it.</summary>
    private bool Handle(ClientFrame frame)
    {
        if (frame.Error is { } error)
        {
            Reply(frame, error);
            return true;
        }
        switch (frame.Type)
        {
            case "ping":
                Connection.Send(ServerFrames.Pong);
                Acknowledge(frame);
                break;
            case "join":
                if (RequireGroup(frame) && MayUseGroup(frame) && InKnownNamespace(frame) && Read<StreamPosition>(frame, FrameData.TryResume, out var resume))
                    return Join(frame, resume);
                break;
            case "refresh":
                Refresh(frame);
                break;
            case "leave":
                if (RequireGroup(frame))
                    local.Partition.Tell(new DeliveryProtocol.Leave(Connection.Id, frame.Group!, frame.Id));
                break;
            case "broadcast":
                Broadcast(frame);
                break;
            case "received":
                Received(frame);
                break;
            case "presence" or "presence_stats":
                AskPresence(frame);
                break;
            case "rpc":
                return Rpc(frame);
            default:
                return Route(frame);
        }
        return true;
    }

    private bool Join(ClientFrame frame, StreamPosition? resume)
    {
        if (hub.Hooks is { } hooks && RulesOf(frame.Group!).JoinHook)
            return AskJoin(frame, resume, hooks);
        local.Partition.Tell(new DeliveryProtocol.Join(Connection.Id, frame.Group!, frame.Id, resume));
        return true;
    }

    private bool Rpc(ClientFrame frame)
    {
        if (frame.Id.IsEmpty)
            Reply(frame, RpcNeedsId);
        else if (hub.Hooks is not { } hooks || !hooks.Has(HookKind.Rpc))
            Reply(frame, RpcNotAvailable);
        else if (FrameData.Rpc(frame.Data) is not { } call)
            Reply(frame, RpcNeedsMethod);
        else
            return AskRpc(frame, call, hooks);
        return true;
    }

    private bool WithinRate(ClientFrame frame)
    {
        // Closed for its rate: what it still sends while the close runs is neither handled nor counted again.
        if (_strikes >= RateLimitStrikes)
            return false;
        if (_bucket!.Take(messageRate!, Environment.TickCount64).Allowed)
        {
            _strikes = 0;
            return true;
        }
        if (++_strikes == RateLimitStrikes)
        {
            Counters.RecordError("close_1008");
            Connection.Close(Streams.Framing.CloseCode.PolicyViolation, "rate limit");
        }
        else
            Reply(frame, RateLimited);
        return false;
    }

    private void Broadcast(ClientFrame frame)
    {
        if (!Routing.AllowClientBroadcast && !_grant.MayBroadcast)
        {
            Reply(frame, BroadcastForbidden);
            return;
        }
        hub.Broadcast(frame.Type!, frame.Data, UserId);
        Acknowledge(frame);
    }

    private bool Route(ClientFrame frame)
    {
        if (ReservedTypes.Contains(frame.Type!))
        {
            Reply(frame, ReservedTypes.Refusal);
            return true;
        }
        if (MessageTarget.Check(frame.To, frame.Group) is { } unroutable)
        {
            Reply(frame, unroutable);
            return true;
        }
        if (frame.Receipt && !MayAskReceipt(frame))
            return true;
        if (frame.To is not null)
            return hub.Hooks is { Options.PublishDirect: true } hooks ? AskPublish(frame, hooks) : Send(frame, frame.Data);
        if (!MayUseGroup(frame) || !InKnownNamespace(frame))
            return true;
        var rules = RulesOf(frame.Group!);
        if (hub.Hooks is not { } groupHooks || !rules.PublishHook)
            return Send(frame, frame.Data);
        // The namespace's rules before its hook (PROTOCOL.md "Namespaces"): a group no client may publish to asks nobody.
        // Whether a sender is a member only the group's entity knows; it checks that after the hook.
        if (rules.ClientPublish == ClientPublish.None)
        {
            Reply(frame, ClientPublishRefusals.None);
            return true;
        }
        return AskPublish(frame, groupHooks);
    }

    /// <summary>Encodes the routed message once, with <paramref name="data"/> (the client's, or what the publish hook put in its place), and relays it.</summary>
    private bool Send(ClientFrame frame, ReadOnlyMemory<byte> data)
    {
        if (frame.To is { } to)
        {
            var encoded = Counters.DeliveryClock.Accepted(ServerFrames.Routed(new RoutedFields(frame.Type!, data, UserId, Now(), To: to)));
            if (Routing.Relay.SendToUser(new UserProtocol.SendToUser(to, encoded, Sender: UserId, MessageId: frame.Id, WantsReceipt: frame.Receipt),
                    ReplyTo(frame)))
                Acknowledge(frame);
        }
        else
        {
            var encoded = Counters.DeliveryClock.Accepted(ServerFrames.Routed(new RoutedFields(frame.Type!, data, UserId, Now(), Group: frame.Group)));
            Relay(new GroupProtocol.SendToGroup(frame.Group!, encoded, Sender: UserId, MessageId: frame.Id, ConnectionId: Connection.Id), frame);
        }
        return true;
    }

    private NamespaceRules RulesOf(string group) => Routing.Namespaces?.Current.For(group) ?? NamespaceRules.Defaults;

    // The ack (or the error for a group with no members) comes once the router has taken the message.
    private void Relay(RelayProtocol.IRelayed message, ClientFrame frame) => Routing.Relay.Send(message, ReplyTo(frame));

    private RelayProtocol.ReplyTarget ReplyTo(ClientFrame frame) => new(local.Partition, Connection.Id, frame.Id);

    private bool MayAskReceipt(ClientFrame frame)
    {
        if (!Routing.HistoryOn)
            Reply(frame, HistoryOff);
        else if (frame.Id.IsEmpty)
            Reply(frame, new FrameError("missing_field", "\"receipt\":true needs an \"id\" for the receipt to name"));
        else if (frame.To is null)
            Reply(frame, new FrameError("invalid_field", "receipts are for direct messages (\"to\"), not group messages"));
        else
            return true;
        return false;
    }

    // Cumulative and idempotent, so it goes straight to the user's router: a lost one is covered by the next.
    private void Received(ClientFrame frame)
    {
        if (!Routing.HistoryOn)
        {
            Reply(frame, HistoryOff);
            return;
        }
        if (FrameData.Seq(frame.Data) is not { } seq)
        {
            Reply(frame, ReceivedNeedsSeq);
            return;
        }
        Routing.Users.Tell(new UserProtocol.Received(UserId, seq));
        Acknowledge(frame);
    }

    // RestrictGroups: joins and sends alike, so a token that cannot join a group cannot speak in it either.
    private bool MayUseGroup(ClientFrame frame)
    {
        if (_grant.AllowedGroups is not { } allowed || allowed.Allows(frame.Group!))
            return true;
        Reply(frame, new FrameError("forbidden", $"the connection's token does not allow the group \"{frame.Group}\""));
        return false;
    }

    // Namespaces:Strict, after RestrictGroups: a group in a namespace nobody configured is most likely a typo.
    private bool InKnownNamespace(ClientFrame frame)
    {
        if (Routing.Namespaces?.Current.IsUnknown(frame.Group!) is not true)
            return true;
        Reply(frame, new FrameError("unknown_namespace",
            $"the namespace \"{Namespaces.NamespaceTable.NamespaceOf(frame.Group!)}\" is not configured on this server"));
        return false;
    }

    // The group's entity answers (presence_off, forbidden for a non-member, or the data) to this connection's partition.
    private void AskPresence(ClientFrame frame)
    {
        if (!RequireGroup(frame))
            return;
        if (frame.Id.IsEmpty)
        {
            Reply(frame, PresenceNeedsId);
            return;
        }
        if (!Read<string>(frame, FrameData.TryCursor, out var cursor))
            return;
        Routing.Groups.Tell(new GroupProtocol.GetPresence(frame.Group!, frame.Type == "presence_stats", cursor, Connection.Id, frame.Id,
            local.Partition));
    }

    private void Refresh(ClientFrame frame)
    {
        if (renewal is null)
            Reply(frame, TokensOff);
        else if (FrameData.Token(frame.Data) is not { } token)
            Reply(frame, RefreshNeedsToken);
        else
            _ = RefreshAsync(frame, token, renewal);
    }

    // Off the stream's thread once the check is asynchronous (a key fetch); the partition's mailbox and the outbox take any thread.
    private async Task RefreshAsync(ClientFrame frame, string token, ITokenRenewal renewal)
    {
        ConnectionGrant? renewed;
        FrameError? error;
        try
        {
            (renewed, error) = await renewal.RenewAsync(UserId, token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nobody awaits this task: an answer, not an unobserved exception.
            (renewed, error) = (null, new FrameError("invalid_token", "the token could not be checked; try again"));
        }
        if (renewed?.Expires is { } expires)
        {
            local.Partition.Tell(new DeliveryProtocol.TokenRenewed(Connection.Id, expires));
            Acknowledge(frame);
        }
        else
            Reply(frame, error ?? RefreshNeedsToken);
    }

    // A field of data that is absent is no value; one of the wrong shape gets the reader's error.
    private bool Read<T>(ClientFrame frame, FrameData.Reader<T> reader, out T? value) where T : class
    {
        if (reader(frame.Data, out value) is not { } invalid)
            return true;
        Reply(frame, invalid);
        return false;
    }

    private bool RequireGroup(ClientFrame frame)
    {
        if (frame.Group is null)
            Reply(frame, new FrameError("missing_field", $"a \"{frame.Type}\" frame needs \"group\""));
        else if (Names.Check(frame.Group, NameKind.Group) is { } invalid)
            Reply(frame, invalid);
        else
            return true;
        return false;
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private void Acknowledge(ClientFrame frame)
    {
        if (!frame.Id.IsEmpty)
            Connection.Send(ServerFrames.Ack(frame.Id));
    }

    private void Reply(ClientFrame frame, FrameError error)
    {
        Counters.RecordError(error.Code);
        Connection.Send(ServerFrames.Error(frame.Id, error));
    }
}
