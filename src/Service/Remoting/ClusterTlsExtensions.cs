using System.Globalization;
using Akka.Event;
using Akka.Hosting;
using Akka.Remote.Transport.DotNetty;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Remoting;

/// <summary>Mutual TLS between the nodes: its settings, and Akka.Remote's DotNetty transport set up with them.</summary>
public static class ClusterTlsExtensions
{
    /// <summary>Registers <see cref="ClusterTlsSettings"/>, loaded from configuration (and checked against the hub's seeds) when first asked for.</summary>
    public static IServiceCollection AddClusterTls(this IServiceCollection services) =>
        services.AddSingleton(sp => ClusterTlsSettingsLoader.Load(sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<SwitchboardOptions>().ClusterSeeds));

    /// <summary>
    /// With a certificate, Akka.Remote speaks TLS only (the node's address becomes <c>akka.ssl.tcp://</c>): it presents the
    /// certificate both ways, requires one from every peer (none, and the connection is refused) and checks it with
    /// <see cref="PeerCertificates"/>, never suppressed. Without one, the transport is left as it is.
    /// </summary>
    public static AkkaConfigurationBuilder WithClusterTls(this AkkaConfigurationBuilder builder, ClusterTlsSettings tls)
    {
        if (tls.Certificate is not { } certificate)
            return builder;
        return builder
            .AddHocon("akka.remote.dot-netty.tcp.enable-ssl = on", HoconAddMode.Prepend)
            .AddSetup(new DotNettySslSetup(certificate, suppressValidation: false, requireMutualAuthentication: true,
                validateCertificateHostname: false, new PeerCertificates(tls.Authorities).Validator))
            .AddStartup((system, _) => LogCertificate(system.Log, tls));
    }

    // The certificate is read at start only, and once it expires the peers refuse this node (and a peer that dials it stops):
    // the log says until when it holds, and warns a week ahead.
    private static void LogCertificate(ILoggingAdapter log, ClusterTlsSettings tls)
    {
        var certificate = tls.Certificate!;
        var until = certificate.NotAfter.ToUniversalTime();
        var when = until.ToString("u", CultureInfo.InvariantCulture);
        var authorities = string.Join(", ", tls.Authorities.Select(a => a.Subject));
        if (until - DateTime.UtcNow < ExpiryWarning)
            log.Warning("Mutual TLS between the nodes: this node's certificate {0} expires at {1}; its peers will then refuse it. " +
                        "Restart the node with a renewed certificate before then (docs/security.md)", certificate.Subject, when);
        else
            log.Info("Mutual TLS between the nodes: this node presents {0} (valid until {1}) and accepts peers whose certificate a " +
                     "CA of Cluster:Tls:Ca signed ({2}); a renewed certificate is read at the next start", certificate.Subject, when, authorities);
    }

    private static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(7);
}
