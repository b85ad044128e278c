using System.Text;
using Akka.Actor;
using Switchboard.Actors.History;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Json;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Serialization;

/// <summary>
/// Writes the fields of routing messages: numbers, booleans and strings as <see cref="BinaryWriter"/> does (little-endian;
/// a string as its 7-bit encoded length and UTF-8), and the forms below, each the counterpart of one <see cref="WireReader"/>
/// method. None of them is named <c>Write</c>, so that no call picks one of them, or a base overload that writes a byte
/// array without its length, by the type of its argument alone.
/// </summary>
internal sealed class WireWriter(Stream output) : BinaryWriter(output, Encoding.UTF8)
{
    /// <summary>A presence flag, then the text when present.</summary>
    public void WriteOptional(string? text)
    {
        Write(text is not null);
        if (text is not null)
            Write(text);
    }

    /// <summary>Whether there is a value, then the value (false when there is none): always two bytes.</summary>
    public void WriteOptional(bool? value)
    {
        Write(value.HasValue);
        Write(value ?? false);
    }

    public void WriteOptional(StreamPosition? position)
    {
        Write(position is not null);
        if (position is null)
            return;
        Write(position.Epoch);
        Write(position.Seq);
    }

    /// <summary>
    /// The stamp without its stream seq: a delivery carries that as its frame's seq, and a message to a router has none yet.
    /// </summary>
    public void WriteOptional(RelayStamp? stamp)
    {
        Write(stamp is not null);
        if (stamp is null)
            return;
        WriteRef(stamp.Relay);
        Write(stamp.Seq);
        Write(stamp.Resent);
        Write(stamp.Route);
        Write(stamp.Nodes);
    }

    public void WriteOptional(FrameError? error)
    {
        Write(error is not null);
        if (error is not null)
            WriteError(error);
    }

    public void WriteError(FrameError error)
    {
        Write(error.Code);
        Write(error.Message);
    }

    /// <summary>The count, then each string.</summary>
    public void WriteStrings(string[] strings)
    {
        Write(strings.Length);
        foreach (var text in strings)
            Write(text);
    }

    /// <summary>The length as an int, then the bytes, straight from the caller's memory.</summary>
    public void WriteSized(ReadOnlyMemory<byte> bytes)
    {
        Write(bytes.Length);
        Write(bytes.Span);
    }

    /// <summary>The frame's encoded bytes, as its recipients get them; nothing else of the frame.</summary>
    public void WriteFrame(OutboundFrame frame) => WriteSized(frame.Bytes);

    public void WriteFrames(OutboundFrame[] frames)
    {
        Write(frames.Length);
        foreach (var frame in frames)
            WriteFrame(frame);
    }

    /// <summary>The actor's path with its address, which the receiving node resolves to a reference.</summary>
    public void WriteRef(IActorRef actor) => Write(Akka.Serialization.Serialization.SerializedActorPath(actor));
}
