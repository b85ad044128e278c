using System.Collections.Frozen;

namespace Switchboard.Actors.Serialization;

/// <summary>
/// Every routing message's <see cref="Codec"/>, one table split by protocol, looked up by type to write and by manifest
/// to read. A type or manifest listed twice fails the first use of the serializer rather than choosing one silently.
/// </summary>
internal static class RoutingCodecs
{
    public static readonly Codec[] All =
    [
        .. UserCodecs.All, .. GroupCodecs.All, .. DeliveryCodecs.All, .. RelayCodecs.All, .. RegistryCodecs.All,
        .. StatsCodecs.All, .. AdminCodecs.All,
    ];

    public static readonly FrozenDictionary<Type, Codec> ByType = All.ToDictionary(c => c.Type).ToFrozenDictionary();

    public static readonly FrozenDictionary<string, Codec> ByManifest = All.ToDictionary(c => c.Manifest).ToFrozenDictionary();
}
