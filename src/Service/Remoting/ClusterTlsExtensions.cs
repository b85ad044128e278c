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
                validateCertificateHostname: false, new PeerCertificates(tls.Authorities).Validator));
    }
}
