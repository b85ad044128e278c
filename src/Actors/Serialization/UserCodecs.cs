using static Switchboard.Actors.Routing.UserProtocol;

namespace Switchboard.Actors.Serialization;

/// <summary>The user router's messages and answers (<see cref="Routing.UserProtocol"/>) on the wire.</summary>
internal static class UserCodecs
{
    public static readonly Codec[] All =
    [
        new Codec<AddConnection>("UA",
            static (w, m) =>
            {
                w.Write(m.UserId); w.Write(m.ConnectionId); w.WriteRef(m.Node);
                w.Write(m.OpensStream); w.WriteOptional(m.Resume);
            },
            static r => new AddConnection(r.ReadString(), r.ReadString(), r.ReadRef(),
                r.More && r.ReadBoolean(), r.More ? r.ReadOptionalPosition() : null)),
        new Codec<RemoveConnection>("UR",
            static (w, m) => { w.Write(m.UserId); w.Write(m.ConnectionId); },
            static r => new RemoveConnection(r.ReadString(), r.ReadString())),
        new Codec<SendToUser>("US",
            static (w, m) =>
            {
                w.Write(m.UserId); w.WriteFrame(m.Frame); w.WriteOptional(m.Stamp); w.Write(m.Frame.AcceptedAt);
                w.WriteOptional(m.Sender); w.WriteSized(m.MessageId); w.Write(m.WantsReceipt);
            },
            static r =>
            {
                var (userId, frame, stamp) = (r.ReadString(), r.ReadFrame(), r.ReadOptionalStamp());
                r.ReadAcceptTime(frame);
                return new SendToUser(userId, frame, stamp, r.More ? r.ReadOptionalString() : null,
                    r.More ? r.ReadSized() : default(ReadOnlyMemory<byte>), r.More && r.ReadBoolean());
            }),
        new Codec<RevokeLease>("UL",
            static (w, m) => w.Write(m.UserId),
            static r => new RevokeLease(r.ReadString())),
        new Codec<LeaseRevoked>("UE",
            static (w, m) => w.Write(m.UserId),
            static r => new LeaseRevoked(r.ReadString())),
        new Codec<GetConnections>("UG",
            static (w, m) => w.Write(m.UserId),
            static r => new GetConnections(r.ReadString())),
        new Codec<Connections>("UC",
            static (w, m) =>
            {
                w.Write(m.UserId); w.Write(m.Count); w.Write(m.Nodes);
                w.WriteOptional(m.Stream); w.Write(m.DeliveredSeq);
            },
            static r => new Connections(r.ReadString(), r.ReadInt32(), r.ReadInt32(),
                r.More ? r.ReadOptionalPosition() : null, r.More ? r.ReadInt64() : 0)),
        new Codec<Notify>("UN",
            static (w, m) => { w.Write(m.UserId); w.WriteFrame(m.Frame); },
            static r => new Notify(r.ReadString(), r.ReadFrame())),
        new Codec<Received>("UV",
            static (w, m) => { w.Write(m.UserId); w.Write(m.Seq); },
            static r => new Received(r.ReadString(), r.ReadInt64())),
        new Codec<GetHistory>("UH",
            static (w, m) => { w.Write(m.UserId); w.Write(m.Since); },
            static r => new GetHistory(r.ReadString(), r.ReadInt64())),
        new Codec<HistoryPage>("UP",
            static (w, m) => { w.Write(m.UserId); w.WriteOptional(m.Stream); w.WriteFrames(m.Messages); },
            static r => new HistoryPage(r.ReadString(), r.ReadOptionalPosition(), r.ReadFrames())),
        // The position is never absent; it travels in the optional form it always had.
        new Codec<UserStreamOpened>("UO",
            static (w, m) =>
            {
                w.Write(m.ConnectionId); w.WriteOptional(m.Position); w.WriteFrames(m.Replay); w.WriteOptional(m.Recovered);
            },
            static r => new UserStreamOpened(r.ReadString(), r.ReadOptionalPosition()!, r.ReadFrames(), r.ReadOptionalBool())),
        // Added with the cluster-wide bound per user: a node of an earlier build never asks.
        new Codec<ReserveConnection>("UK",
            static (w, m) => { w.Write(m.UserId); w.Write(m.ConnectionId); w.Write(m.Limit); },
            static r => new ReserveConnection(r.ReadString(), r.ReadString(), r.ReadInt32())),
        new Codec<Reservation>("UY",
            static (w, m) => { w.Write(m.ConnectionId); w.Write(m.Granted); },
            static r => new Reservation(r.ReadString(), r.ReadBoolean())),
    ];
}
