using Switchboard.Actors.Routing;
using static Switchboard.Actors.Routing.GroupProtocol;

namespace Switchboard.Actors.Serialization;

/// <summary>The group router's messages and answers (<see cref="Routing.GroupProtocol"/>) on the wire.</summary>
internal static class GroupCodecs
{
    public static readonly Codec[] All =
    [
        new Codec<AddMember>("GA",
            static (w, m) =>
            {
                w.Write(m.Group); w.Write(m.UserId); w.Write(m.ConnectionId); w.WriteRef(m.Node); w.WriteOptional(m.Stamp);
                w.Write(m.OpensStream); w.WriteOptional(m.Resume); w.WriteSized(m.Info);
            },
            static r => new AddMember(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadRef(), r.ReadOptionalStamp(),
                r.More && r.ReadBoolean(), r.More ? r.ReadOptionalPosition() : null, r.More ? r.ReadSizedOrNull() : null)),
        new Codec<RemoveMember>("GR",
            static (w, m) => { w.Write(m.Group); w.Write(m.ConnectionId); w.Write((byte)m.Reason); },
            static r => new RemoveMember(r.ReadString(), r.ReadString(), r.More ? (LeaveReason)r.ReadByte() : LeaveReason.Left)),
        new Codec<JoinRefused>("GJ",
            static (w, m) => { w.Write(m.Group); w.Write(m.ConnectionId); w.WriteError(m.Error); },
            static r => new JoinRefused(r.ReadString(), r.ReadString(), r.ReadError())),
        new Codec<Wake>("GW",
            static (w, m) => { w.Write(m.Group); w.WriteOptional(m.Stamp); },
            static r => new Wake(r.ReadString(), r.ReadOptionalStamp())),
        new Codec<ReloadNamespaces>("GL",
            static (w, m) => w.Write(m.Group),
            static r => new ReloadNamespaces(r.ReadString())),
        new Codec<GetPresence>("GQ",
            static (w, m) =>
            {
                w.Write(m.Group); w.Write(m.Stats); w.WriteOptional(m.Cursor); w.WriteOptional(m.ConnectionId); w.WriteSized(m.Id);
                w.WriteRef(m.ReplyTo);
            },
            static r => new GetPresence(r.ReadString(), r.ReadBoolean(), r.ReadOptionalString(), r.ReadOptionalString(), r.ReadSized(),
                r.ReadRef())),
        new Codec<PresenceAnswer>("GN",
            static (w, m) =>
            {
                w.Write(m.Group); w.Write(m.Stats); w.WriteOptional(m.ConnectionId); w.WriteSized(m.Id); w.WriteSized(m.Data);
                w.WriteOptional(m.Error);
            },
            static r => new PresenceAnswer(r.ReadString(), r.ReadBoolean(), r.ReadOptionalString(), r.ReadSized(),
                r.ReadSizedOrNull(), r.ReadOptionalError())),
        new Codec<SendToGroup>("GS",
            static (w, m) =>
            {
                w.Write(m.Group); w.WriteFrame(m.Frame); w.WriteOptional(m.Stamp); w.Write(m.Frame.AcceptedAt);
                w.WriteOptional(m.Sender); w.WriteSized(m.MessageId); w.WriteOptional(m.ConnectionId);
            },
            static r =>
            {
                var (group, frame, stamp) = (r.ReadString(), r.ReadFrame(), r.ReadOptionalStamp());
                r.ReadAcceptTime(frame);
                return new SendToGroup(group, frame, stamp, r.More ? r.ReadOptionalString() : null,
                    r.More ? r.ReadSized() : default(ReadOnlyMemory<byte>), r.More ? r.ReadOptionalString() : null);
            }),
        new Codec<GetMembers>("GG",
            static (w, m) => w.Write(m.Group),
            static r => new GetMembers(r.ReadString())),
        new Codec<Members>("GM", WriteMembers, ReadMembers),
        new Codec<GetGroupHistory>("GH",
            static (w, m) => { w.Write(m.Group); w.Write(m.Since); },
            static r => new GetGroupHistory(r.ReadString(), r.ReadInt64())),
        new Codec<GroupHistoryPage>("GP",
            static (w, m) => { w.Write(m.Group); w.WriteOptional(m.Stream); w.WriteFrames(m.Messages); },
            static r => new GroupHistoryPage(r.ReadString(), r.ReadOptionalPosition(), r.ReadFrames())),
        // The position is never absent; it travels in the optional form it always had.
        new Codec<GroupStreamOpened>("GO",
            static (w, m) =>
            {
                w.Write(m.Group); w.Write(m.ConnectionId); w.WriteOptional(m.Position); w.WriteFrames(m.Replay);
                w.WriteOptional(m.Recovered);
            },
            static r => new GroupStreamOpened(r.ReadString(), r.ReadString(), r.ReadOptionalPosition()!, r.ReadFrames(),
                r.ReadOptionalBool())),
    ];

    private static void WriteMembers(WireWriter w, Members m)
    {
        w.Write(m.Group);
        w.Write(m.Connections);
        w.Write(m.Users.Count);
        foreach (var member in m.Users)
        {
            w.Write(member.UserId);
            w.Write(member.Connections);
        }
        w.WriteOptional(m.Stream);
    }

    private static Members ReadMembers(WireReader r)
    {
        var group = r.ReadString();
        var connections = r.ReadInt32();
        var users = new Member[r.ReadInt32()];
        for (var i = 0; i < users.Length; i++)
            users[i] = new Member(r.ReadString(), r.ReadInt32());
        return new Members(group, users, connections, r.More ? r.ReadOptionalPosition() : null);
    }
}
