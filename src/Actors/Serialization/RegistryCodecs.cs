using static Switchboard.Actors.Routing.RegistryProtocol;

namespace Switchboard.Actors.Serialization;

/// <summary>
/// The questions a starting router entity asks every node, and their answers (<see cref="Routing.RegistryProtocol"/>), on the wire.
/// </summary>
internal static class RegistryCodecs
{
    public static readonly Codec[] All =
    [
        new Codec<FindUsers>("RU",
            static (w, m) => { w.Write(m.Bucket); w.WriteRef(m.ReplyTo); },
            static r => new FindUsers(r.ReadInt32(), r.ReadRef())),
        new Codec<UsersFound>("RF",
            static (w, m) => { w.Write(m.Bucket); w.WriteStrings(m.Members); w.WriteRef(m.Node); },
            static r => new UsersFound(r.ReadInt32(), r.ReadStrings(), r.ReadRef())),
        new Codec<FindGroup>("RG",
            static (w, m) => { w.Write(m.Group); w.WriteRef(m.ReplyTo); },
            static r => new FindGroup(r.ReadString(), r.ReadRef())),
        new Codec<GroupFound>("RH",
            static (w, m) =>
            {
                w.Write(m.Group); w.WriteStrings(m.Members); w.WriteRef(m.Node); w.Write(m.Answers);
                w.Write(m.Infos?.Length ?? 0);
                foreach (var info in m.Infos ?? [])
                    w.WriteSized(info);
            },
            static r => new GroupFound(r.ReadString(), r.ReadStrings(), r.ReadRef(), r.More ? r.ReadInt32() : 1,
                r.More ? ReadInfos(r) : null)),
    ];

    private static byte[][]? ReadInfos(WireReader r)
    {
        var count = r.ReadInt32();
        if (count == 0)
            return null;
        var infos = new byte[count][];
        for (var i = 0; i < count; i++)
            infos[i] = r.ReadSized();
        return infos;
    }
}
