namespace Switchboard.Streams.Json;

/// <summary>The fields of a routed message; <see cref="Data"/> is raw JSON, empty when absent.</summary>
public readonly record struct RoutedFields(
    string Type,
    ReadOnlyMemory<byte> Data,
    string From,
    long Timestamp,
    string? To = null,
    string? Group = null);
