using static Switchboard.Actors.Routing.RelayProtocol;

namespace Switchboard.Actors.Serialization;

/// <summary>The confirmations a relay waits for (<see cref="Routing.RelayProtocol"/>) on the wire.</summary>
internal static class RelayCodecs
{
    public static readonly Codec[] All =
    [
        new Codec<Routed>("RR",
            static (w, m) => { w.Write(m.Seq); w.WriteOptional(m.Refusal); w.Write(m.StreamSeq); },
            static r => new Routed(r.ReadInt64(), r.ReadOptionalError(), r.More ? r.ReadInt64() : 0)),
        new Codec<Delivered>("RD",
            static (w, m) => { w.Write(m.Seq); w.Write(m.Route); w.Write(m.Nodes); w.Write(m.StreamSeq); },
            static r => new Delivered(r.ReadInt64(), r.ReadInt64(), r.ReadInt32(), r.More ? r.ReadInt64() : 0)),
    ];
}
