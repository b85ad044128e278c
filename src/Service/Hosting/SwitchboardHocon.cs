using Akka.Configuration;

namespace Switchboard.Service.Hosting;

/// <summary>The Akka settings in hocon/switchboard.hocon, embedded so an app that embeds the hub needs no file.</summary>
public static class SwitchboardHocon
{
    public static Config Load()
    {
        using var stream = typeof(SwitchboardHocon).Assembly.GetManifestResourceStream("switchboard.hocon")
                           ?? throw new InvalidOperationException("switchboard.hocon is not embedded");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
