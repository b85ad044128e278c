using Microsoft.Extensions.Configuration;
using Switchboard.Service.Auth;
using Switchboard.Service.Hooks;
using Switchboard.Service.Settings;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// The settings the service's loaders read: each loader is run over a configuration that records every key looked up,
/// whether or not it has a value. A loader reads every setting it knows (a list's entries only where the configuration
/// has some, hence <see cref="Read"/>'s values), so what is recorded is the loaders' own table.
/// </summary>
public static class RecordedSettings
{
    /// <summary>
    /// The keys (configuration paths, and the <c>WEBSOCKET_*</c>-style variables read as keys) that the loaders checked at
    /// start-up (<see cref="ServiceSettings"/>) look up, over <paramref name="values"/>.
    /// </summary>
    public static IReadOnlySet<string> Read(IReadOnlyDictionary<string, string> values)
    {
        var source = new RecordingSource(values);
        var configuration = new ConfigurationBuilder().Add(source).Build();
        // Every loader the service checks at start; bad values are expected and their problems ignored.
        _ = ServiceSettings.Problems(configuration);
        // The made-up values fail the Auth section, after which the start-up check leaves the hooks unread.
        try
        {
            HooksSettingsLoader.Load(configuration, new AuthOptions());
        }
        catch (SwitchboardSettingsException)
        {
        }
        return source.Keys;
    }

    private sealed class RecordingSource(IReadOnlyDictionary<string, string> values) : IConfigurationSource
    {
        public HashSet<string> Keys { get; } = new(StringComparer.OrdinalIgnoreCase);

        public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(this, values);

        private sealed class Provider : ConfigurationProvider
        {
            private readonly RecordingSource _source;

            public Provider(RecordingSource source, IReadOnlyDictionary<string, string> values)
            {
                _source = source;
                foreach (var (key, value) in values)
                    Data[key] = value;
            }

            public override bool TryGet(string key, out string? value)
            {
                lock (_source.Keys)
                    _source.Keys.Add(key);
                return base.TryGet(key, out value);
            }
        }
    }
}
