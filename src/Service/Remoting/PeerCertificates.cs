using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace Switchboard.Service.Remoting;

/// <summary>
/// Which certificates a node of this cluster may present: one that chains to a CA of <c>Cluster:Tls:Ca</c> (those only: the
/// machine's trust store is never consulted), is within its dates, and allows both TLS server and client authentication if it
/// names its uses at all, since every node both accepts connections and makes them. The host name is not compared: nodes are
/// reached at addresses that change (a pod's IP), and the CA, one that signs only this cluster's nodes, is the trust boundary.
/// Revocation is not checked: a private CA publishes no revocation list; short-lived certificates (cert-manager renews them)
/// take its place.
/// </summary>
public sealed class PeerCertificates(IReadOnlyList<X509Certificate2> authorities)
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    /// <summary>
    /// Akka.Remote's check of a peer's certificate, on connections both made and accepted. The TLS stack's own verdict
    /// (<see cref="System.Net.Security.SslPolicyErrors"/>) is ignored: it judges by the machine's store and the host name.
    /// </summary>
    public CertificateValidationCallback Validator => (certificate, presented, peer, _, log) =>
    {
        if (certificate is null)
        {
            log.Warning("Refused the TLS connection of {0}: it presented no certificate", peer);
            return false;
        }
        if (Refusal(certificate, presented?.ChainPolicy.ExtraStore) is not { } reason)
            return true;
        log.Warning("Refused the certificate of {0} ({1}, issued by {2}): {3}", peer, certificate.Subject, certificate.Issuer, reason);
        return false;
    };

    /// <summary>Why <paramref name="certificate"/> is refused, or null when it is accepted.</summary>
    /// <param name="intermediates">Certificates the peer sent along with its own, which may help to build the chain.</param>
    public string? Refusal(X509Certificate2 certificate, X509Certificate2Collection? intermediates = null)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(authorities.ToArray());
        policy.RevocationMode = X509RevocationMode.NoCheck;
        // A certificate may name where to download its issuers: a peer must not make the node fetch URLs it chooses.
        policy.DisableCertificateDownloads = true;
        policy.ApplicationPolicy.Add(ServerAuthentication);
        policy.ApplicationPolicy.Add(ClientAuthentication);
        if (intermediates is not null)
            policy.ExtraStore.AddRange(intermediates);
        try
        {
            if (chain.Build(certificate))
                return null;
            return string.Join("; ", chain.ChainStatus.Select(Describe).Distinct());
        }
        finally
        {
            foreach (var element in chain.ChainElements)
                element.Certificate.Dispose();
        }
    }

    private static string Describe(X509ChainStatus status) => status.Status switch
    {
        X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain =>
            "not signed by a CA of Cluster:Tls:Ca (which must hold the root CA, and any intermediate CA that signs the nodes' certificates)",
        X509ChainStatusFlags.NotTimeValid => "expired or not yet valid",
        X509ChainStatusFlags.NotValidForUsage =>
            "its extended key usage does not allow both TLS server and client authentication, as a node's certificate must",
        _ => $"{status.Status}: {status.StatusInformation.Trim()}",
    };
}
