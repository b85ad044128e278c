using Switchboard.Actors.Routing;
using Switchboard.Streams.Outbound;
using static Switchboard.Actors.Delivery.DeliveryProtocol;

namespace Switchboard.Actors.Serialization;

/// <summary>
/// A node's deliveries and acks (<see cref="Delivery.DeliveryProtocol"/>) on the wire. Frames travel as their encoded bytes,
/// so the receiving node shares them with its recipients without encoding them again.
/// </summary>
internal static class DeliveryCodecs
{
    public static readonly Codec[] All =
    [
        new Codec<DeliverToConnections>("DC",
            static (w, m) =>
            {
                w.WriteStrings(m.ConnectionIds); w.WriteFrame(m.Frame); w.WriteOptional(m.Stamp);
                w.Write(m.Frame.AcceptedAt); w.Write(m.Frame.Seq);
                // A grant only when there is one: a delivery without it is written as the build before wrote it.
                if (m.LeaseFor is not null)
                    w.Write(m.LeaseFor);
            },
            static r =>
            {
                var (connectionIds, frame, stamp) = (r.ReadStrings(), r.ReadFrame(), r.ReadOptionalStamp());
                r.ReadAcceptTime(frame);
                var seq = ReadSeq(r, frame, stamp);
                return new DeliverToConnections(connectionIds, frame, seq, r.More ? r.ReadString() : null);
            }),
        new Codec<DeliverToGroup>("DG",
            static (w, m) =>
            {
                w.Write(m.Group); w.WriteFrame(m.Frame); w.WriteOptional(m.Stamp);
                w.Write(m.Frame.AcceptedAt); w.Write(m.Frame.Seq);
            },
            static r =>
            {
                var (group, frame, stamp) = (r.ReadString(), r.ReadFrame(), r.ReadOptionalStamp());
                r.ReadAcceptTime(frame);
                return new DeliverToGroup(group, frame, ReadSeq(r, frame, stamp));
            }),
        new Codec<Broadcast>("DB",
            static (w, m) => { w.WriteFrame(m.Frame); w.Write(m.Frame.AcceptedAt); },
            static r =>
            {
                var frame = r.ReadFrame();
                r.ReadAcceptTime(frame);
                return new Broadcast(frame);
            }),
        new Codec<Accepted>("DA",
            // The join hook's data only when there is some: an ack without it is written as the build before wrote it.
            static (w, m) =>
            {
                w.Write(m.ConnectionId); w.WriteSized(m.Id); w.Write(m.Seq);
                if (!m.App.IsEmpty)
                    w.WriteSized(m.App);
            },
            static r => new Accepted(r.ReadString(), r.ReadSized(), r.More ? r.ReadInt64() : 0, r.More ? r.ReadSized() : default)),
        new Codec<Rejected>("DR",
            static (w, m) => { w.Write(m.ConnectionId); w.WriteSized(m.Id); w.WriteError(m.Error); },
            static r => new Rejected(r.ReadString(), r.ReadSized(), r.ReadError())),
    ];

    // The stream's number travels with the frame, after its accept time; the stamp that confirms it takes the same number.
    private static RelayStamp? ReadSeq(WireReader r, OutboundFrame frame, RelayStamp? stamp)
    {
        if (!r.More)
            return stamp;
        frame.Seq = r.ReadInt64();
        return stamp is null ? null : stamp with { StreamSeq = frame.Seq };
    }
}
