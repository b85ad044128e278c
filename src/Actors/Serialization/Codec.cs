namespace Switchboard.Actors.Serialization;

/// <summary>
/// One routing message on the wire: its type, the manifest that names the type to the receiving node, and how its fields
/// are written and read back. Manifests and field orders are shared with every node of the cluster, including those of
/// the previous build during a rolling restart: a field added later goes last and is read only when present
/// (<see cref="WireReader.More"/>).
/// </summary>
internal abstract class Codec(Type type, string manifest)
{
    public Type Type { get; } = type;

    public string Manifest { get; } = manifest;

    public abstract void Write(WireWriter w, object message);

    public abstract object Read(WireReader r);
}

/// <inheritdoc />
internal sealed class Codec<T>(string manifest, Action<WireWriter, T> write, Func<WireReader, T> read)
    : Codec(typeof(T), manifest) where T : class, IRoutingMessage
{
    public override void Write(WireWriter w, object message) => write(w, (T)message);

    public override object Read(WireReader r) => read(r);
}
