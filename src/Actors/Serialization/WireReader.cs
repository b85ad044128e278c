using System.Text;
using Akka.Actor;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Serialization;

/// <summary>Reads what <see cref="WireWriter"/> wrote; actor references resolve in <paramref name="system"/>.</summary>
internal sealed class WireReader(Stream input, ExtendedActorSystem system) : BinaryReader(input, Encoding.UTF8)
{
    /// <summary>
    /// Whether the message goes on: fields added after a message's first form come last and are read only when present,
    /// so that nodes of the earlier build and this one read each other's messages during a rolling upgrade.
    /// </summary>
    public bool More => BaseStream.Position < BaseStream.Length;

    public string? ReadOptionalString() => ReadBoolean() ? ReadString() : null;

    public bool? ReadOptionalBool()
    {
        var present = ReadBoolean();
        var value = ReadBoolean();
        return present ? value : null;
    }

    public StreamPosition? ReadOptionalPosition() => ReadBoolean() ? new StreamPosition(ReadString(), ReadInt64()) : null;

    public RelayStamp? ReadOptionalStamp() =>
        ReadBoolean() ? new RelayStamp(ReadRef(), ReadInt64(), ReadBoolean(), ReadInt64(), ReadInt32()) : null;

    public FrameError? ReadOptionalError() => ReadBoolean() ? ReadError() : null;

    public FrameError ReadError() => new(ReadString(), ReadString());

    public string[] ReadStrings()
    {
        var strings = new string[ReadInt32()];
        for (var i = 0; i < strings.Length; i++)
            strings[i] = ReadString();
        return strings;
    }

    public byte[] ReadSized() => ReadBytes(ReadInt32());

    /// <summary>Sized bytes where none (written as empty) means null.</summary>
    public byte[]? ReadSizedOrNull() => ReadSized() is { Length: > 0 } bytes ? bytes : null;

    /// <summary>A frame that owns its bytes, shared by every recipient on this node without another copy.</summary>
    public OutboundFrame ReadFrame() => OutboundFrame.FromBytes(ReadSized());

    public OutboundFrame[] ReadFrames()
    {
        var frames = new OutboundFrame[ReadInt32()];
        for (var i = 0; i < frames.Length; i++)
            frames[i] = ReadFrame();
        return frames;
    }

    public IActorRef ReadRef() => system.Provider.ResolveActorRef(ReadString());

    /// <summary>
    /// A frame's accept time (for the delivery histogram) follows the fields of the message's first form; a message from a
    /// build before it has none and reads as unstamped.
    /// </summary>
    public void ReadAcceptTime(OutboundFrame frame)
    {
        if (BaseStream.Length - BaseStream.Position >= sizeof(long))
            frame.AcceptedAt = ReadInt64();
    }
}
