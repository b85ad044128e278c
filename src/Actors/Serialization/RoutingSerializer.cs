using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Hosting;
using Akka.Serialization;

namespace Switchboard.Actors.Serialization;

/// <summary>
/// A compact binary form for the routing messages that cross nodes, one <see cref="Codec"/> per message
/// (<see cref="RoutingCodecs"/>). Bound to <see cref="IRoutingMessage"/> by
/// <see cref="RoutingSerializerHostingExtensions.AddRoutingSerializer"/>.
/// </summary>
public sealed class RoutingSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public override int Identifier => 4711;

    public override string Manifest(object o) => CodecOf(o).Manifest;

    public override byte[] ToBinary(object o)
    {
        var codec = CodecOf(o);
        using var stream = new MemoryStream();
        using var w = new WireWriter(stream);
        codec.Write(w, o);
        w.Flush();
        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!RoutingCodecs.ByManifest.TryGetValue(manifest, out var codec))
            throw new SerializationException($"unknown routing manifest \"{manifest}\"");
        using var r = new WireReader(new MemoryStream(bytes), system);
        return codec.Read(r);
    }

    private static Codec CodecOf(object o) =>
        RoutingCodecs.ByType.TryGetValue(o.GetType(), out var codec)
            ? codec
            : throw new ArgumentException($"{o.GetType()} is not a routing message", nameof(o));
}

public static class RoutingSerializerHostingExtensions
{
    /// <summary>Binds <see cref="RoutingSerializer"/> to every <see cref="IRoutingMessage"/>.</summary>
    public static AkkaConfigurationBuilder AddRoutingSerializer(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer("switchboard-routing", [typeof(IRoutingMessage)], system => new RoutingSerializer(system));
}
