using System.Collections;
using System.Reflection;
using Akka.Actor;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Tests;

/// <summary>
/// Equality by value through every public property, collection and frame: a record's own equality compares its arrays,
/// lists and frames by reference, which a copy from another node never shares.
/// </summary>
internal static class FieldByField
{
    public static void AssertEqual(object? expected, object? actual, string path)
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {actual}");
                return;
            case OutboundFrame frame:
                var other = Assert.IsType<OutboundFrame>(actual);
                Assert.True(frame.Bytes.AsSpan().SequenceEqual(other.Bytes), $"{path}: the frame's bytes differ");
                Assert.True(frame.Opcode == other.Opcode, $"{path}.Opcode: {frame.Opcode} != {other.Opcode}");
                Assert.True(frame.AcceptedAt == other.AcceptedAt, $"{path}.AcceptedAt: {frame.AcceptedAt} != {other.AcceptedAt}");
                Assert.True(frame.Seq == other.Seq, $"{path}.Seq: {frame.Seq} != {other.Seq}");
                return;
            case ReadOnlyMemory<byte> bytes:
                var otherBytes = Assert.IsType<ReadOnlyMemory<byte>>(actual);
                Assert.True(bytes.Span.SequenceEqual(otherBytes.Span), $"{path}: the bytes differ");
                return;
            // An enum or a TimeSpan has no properties that tell two values apart.
            case string or IActorRef or bool or int or long or Enum or TimeSpan:
                Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
                return;
            case IEnumerable items:
                var expectedItems = items.Cast<object?>().ToList();
                var actualItems = Assert.IsAssignableFrom<IEnumerable>(actual).Cast<object?>().ToList();
                Assert.True(expectedItems.Count == actualItems.Count, $"{path}: {expectedItems.Count} items != {actualItems.Count}");
                for (var i = 0; i < expectedItems.Count; i++)
                    AssertEqual(expectedItems[i], actualItems[i], $"{path}[{i}]");
                return;
            default:
                Assert.True(expected.GetType() == actual?.GetType(), $"{path}: expected a {expected.GetType()}, got {actual?.GetType()}");
                foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
                    AssertEqual(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
                return;
        }
    }
}
