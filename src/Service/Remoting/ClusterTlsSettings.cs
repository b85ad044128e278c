using System.Security.Cryptography.X509Certificates;

namespace Switchboard.Service.Remoting;

/// <summary>
/// The <c>Cluster:Tls</c> section (or the <c>CLUSTER_TLS_*</c> variables): mutual TLS between the nodes (docs/security.md).
/// Built and checked by <see cref="ClusterTlsSettingsLoader"/>; <see cref="Off"/> when no certificate is set.
/// </summary>
/// <param name="Certificate">This node's certificate, with its private key: what it presents to every peer, both ways.</param>
/// <param name="Authorities">The CA certificates of <c>Cluster:Tls:Ca</c>: a peer's certificate must chain to one of them.</param>
public sealed record ClusterTlsSettings(X509Certificate2? Certificate, IReadOnlyList<X509Certificate2> Authorities)
{
    public const string SectionName = "Cluster:Tls";

    /// <summary>Akka's protocol in a node's address over TLS; <see cref="PlainProtocol"/> without.</summary>
    public const string TlsProtocol = "akka.ssl.tcp";

    public const string PlainProtocol = "akka.tcp";

    public static ClusterTlsSettings Off { get; } = new(null, []);

    public bool Enabled => Certificate is not null;

    /// <summary>The protocol of this node's address, and so of the seeds it can join.</summary>
    public string Protocol => Enabled ? TlsProtocol : PlainProtocol;
}
