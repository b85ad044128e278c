using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Switchboard.Service.Tests.Deploy.Support;

/// <summary>
/// A configuration over another that notes the path of every value read through it: what the settings loaders ask
/// for, whether or not it is set. Listing a section's children is not reading them, so a loader that enumerates a
/// section only to refuse names it does not know (UnknownKeys) reads nothing it refuses.
/// </summary>
public sealed class ReadRecorder(IConfiguration inner) : IConfiguration
{
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The configuration paths read so far (<c>WebSocket:MaxConnections</c>, <c>WEBSOCKET_MAX_CONNECTIONS</c>).</summary>
    public IReadOnlySet<string> Read => _read;

    public string? this[string key]
    {
        get => Note(key, inner[key]);
        set => inner[key] = value;
    }

    public IConfigurationSection GetSection(string key) => new Section(inner.GetSection(key), this);

    public IEnumerable<IConfigurationSection> GetChildren() => inner.GetChildren().Select(c => new Section(c, this));

    public IChangeToken GetReloadToken() => inner.GetReloadToken();

    private string? Note(string path, string? value)
    {
        _read.Add(path);
        return value;
    }

    private sealed class Section(IConfigurationSection inner, ReadRecorder recorder) : IConfigurationSection
    {
        public string Key => inner.Key;
        public string Path => inner.Path;

        public string? Value
        {
            get => recorder.Note(Path, inner.Value);
            set => inner.Value = value;
        }

        public string? this[string key]
        {
            get => recorder.Note(ConfigurationPath.Combine(Path, key), inner[key]);
            set => inner[key] = value;
        }

        public IConfigurationSection GetSection(string key) => new Section(inner.GetSection(key), recorder);

        public IEnumerable<IConfigurationSection> GetChildren() => inner.GetChildren().Select(c => new Section(c, recorder));

        public IChangeToken GetReloadToken() => inner.GetReloadToken();
    }
}
