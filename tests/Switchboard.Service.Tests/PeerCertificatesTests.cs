using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.Remoting;

namespace Switchboard.Service.Tests;

/// <summary>
/// The check of a peer's certificate on every remoting connection: against the cluster's CA only, never the machine's store,
/// and never the host name. Each attack is a certificate an intruder could present.
/// </summary>
public sealed class PeerCertificatesTests(PeerCertificatesTests.Files files) : IClassFixture<PeerCertificatesTests.Files>
{
    private const string NotOurs =
        "not signed by a CA of Cluster:Tls:Ca (which must hold the root CA, and any intermediate CA that signs the nodes' certificates)";

    /// <summary>Made once for the class by openssl.</summary>
    public sealed class Files : IDisposable
    {
        public TestCertificates Made { get; } = new();
        public string Ca { get; }
        public PeerCertificates Peers { get; }

        public Files()
        {
            Ca = Made.Authority("cluster-ca");
            Peers = new PeerCertificates([X509CertificateLoader.LoadCertificateFromFile(Ca)]);
        }

        public X509Certificate2 Certificate(string file) => X509CertificateLoader.LoadCertificateFromFile(file);

        public void Dispose() => Made.Dispose();
    }

    private X509Certificate2 Node(string name, string? usages = TestCertificates.NodeUsages) =>
        files.Certificate(files.Made.Node(name, files.Ca, usages).Certificate);

    [Fact]
    public void A_certificate_the_CA_signed_for_both_uses_is_accepted()
    {
        Assert.Null(files.Peers.Refusal(Node("peer")));
        Assert.Null(files.Peers.Refusal(Node("peer-without-usages", usages: null)));
    }

    [Fact]
    public void A_certificate_of_another_CA_is_refused_even_one_whose_CA_has_the_same_name()
    {
        var made = files.Made;
        Assert.Equal(NotOurs, files.Peers.Refusal(files.Certificate(made.Node("stranger", made.Authority("other-ca")).Certificate)));
        // A CA named like the cluster's, with its own key: the name proves nothing, the signature does.
        Assert.Equal(NotOurs, files.Peers.Refusal(files.Certificate(made.Node("twin-node", ForgedTwin(made)).Certificate)));
    }

    // A second CA whose subject is exactly the cluster CA's, CN=cluster-ca, in a folder of its own.
    private static string ForgedTwin(TestCertificates made)
    {
        var folder = Directory.CreateDirectory(made.File("forged")).FullName;
        TestCertificates.OpenSsl("req", "-config", made.File("openssl.cnf"), "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "30", "-subj", "/CN=cluster-ca", "-keyout", Path.Combine(folder, "cluster-ca.key"),
            "-out", Path.Combine(folder, "cluster-ca.crt"));
        return Path.Combine(folder, "cluster-ca.crt");
    }

    [Fact]
    public void A_certificate_for_one_TLS_use_only_is_refused()
    {
        const string usage = "its extended key usage does not allow both TLS server and client authentication, as a node's certificate must";
        Assert.Equal(usage, files.Peers.Refusal(Node("server-only", "serverAuth")));
        Assert.Equal(usage, files.Peers.Refusal(Node("client-only", "clientAuth")));
    }

    [Fact]
    public void An_expired_certificate_of_the_CA_is_refused()
    {
        // openssl 3.0 cannot date a certificate in the past: this CA and its node's certificate are made by .NET.
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=old-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-60), now.AddDays(60));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=retired-node", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var expired = request.Create(ca, now.AddDays(-30), now.AddDays(-1), [1, 2, 3, 4]);
        Assert.Equal("expired or not yet valid", new PeerCertificates([ca]).Refusal(expired));
    }

    [Fact]
    public void The_callback_refuses_a_peer_without_a_certificate_and_ignores_the_machines_verdict()
    {
        var validator = files.Peers.Validator;
        Assert.False(validator(null, null, "127.0.0.1:40000", SslPolicyErrors.RemoteCertificateNotAvailable, NoLogger.Instance));
        // The TLS stack judges by the machine's store and the host name: neither is the cluster's trust.
        var errors = SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch;
        Assert.True(validator(Node("trusted"), null, "127.0.0.1:40001", errors, NoLogger.Instance));
        Assert.False(validator(Node("usage", "serverAuth"), null, "127.0.0.1:40002", SslPolicyErrors.None, NoLogger.Instance));
    }
}
