using Microsoft.Extensions.Configuration;
using Switchboard.IntegrationTests.Support;
using Switchboard.Service.Remoting;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Tests;

/// <summary>
/// <c>Cluster:Tls</c> and the <c>CLUSTER_TLS_*</c> variables: the node's certificate in each form an operator has it in, and
/// every way the files can be wrong, each stopping start-up with a message that names the setting.
/// </summary>
public sealed class ClusterTlsSettingsTests(ClusterTlsSettingsTests.Files files) : IClassFixture<ClusterTlsSettingsTests.Files>
{
    private const string Password = "pkcs12-password-9f2c";
    private const string Plain = "akka.tcp://switchboard@127.0.0.1:4053";
    private const string Tls = "akka.ssl.tcp://switchboard@127.0.0.1:4053";

    /// <summary>Made once for the class by openssl: the cluster's CA and a node certificate, another CA's, and the variants.</summary>
    public sealed class Files : IDisposable
    {
        public TestCertificates Made { get; } = new();
        public string Ca { get; }
        public (string Certificate, string Key) Node { get; }
        public (string Certificate, string Key) Stranger { get; }
        public (string Certificate, string Key) ServerOnly { get; }
        public (string Certificate, string Key) Rsa { get; }

        public Files()
        {
            Ca = Made.Authority("cluster-ca");
            Node = Made.Node("node", Ca);
            Stranger = Made.Node("stranger", Made.Authority("other-ca"));
            ServerOnly = Made.Node("server-only", Ca, usages: "serverAuth");
            Rsa = Made.Node("rsa-node", Ca, rsa: true);
        }

        public void Dispose() => Made.Dispose();
    }

    private static ClusterTlsSettings Load(Dictionary<string, string?> values, params string[] seeds) =>
        ClusterTlsSettingsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), seeds);

    private static string[] Refused(Dictionary<string, string?> values, params string[] seeds) =>
        Assert.Throws<SwitchboardSettingsException>(() => Load(values, seeds)).Problems.ToArray();

    private Dictionary<string, string?> Pem((string Certificate, string Key) node) => new()
    {
        ["CLUSTER_TLS_CERTIFICATE"] = node.Certificate,
        ["CLUSTER_TLS_KEY"] = node.Key,
        ["CLUSTER_TLS_CA"] = files.Ca,
    };

    [Fact]
    public void Without_a_certificate_the_nodes_speak_plaintext()
    {
        var settings = Load([], Plain);
        Assert.False(settings.Enabled);
        Assert.Equal("akka.tcp", settings.Protocol);
    }

    [Fact]
    public void A_PEM_certificate_with_its_key_and_the_CA_turn_TLS_on()
    {
        var settings = Load(new()
        {
            ["Cluster:Tls:Certificate"] = files.Node.Certificate,
            ["Cluster:Tls:Key"] = files.Node.Key,
            ["Cluster:Tls:Ca"] = files.Ca,
        }, Tls);
        Assert.True(settings.Enabled);
        Assert.True(settings.Certificate!.HasPrivateKey);
        Assert.Equal("CN=node", settings.Certificate.Subject);
        Assert.Equal("CN=cluster-ca", Assert.Single(settings.Authorities).Subject);
        Assert.Equal("akka.ssl.tcp", settings.Protocol);
    }

    [Theory]
    [InlineData("pkcs12")]
    [InlineData("key in the certificate's file")]
    [InlineData("encrypted key")]
    [InlineData("rsa")]
    public void The_certificate_is_read_in_each_form(string form)
    {
        var made = files.Made;
        var values = form switch
        {
            "pkcs12" => new Dictionary<string, string?>
            {
                ["CLUSTER_TLS_CERTIFICATE"] = made.Pkcs12("node-p12", files.Node.Certificate, files.Node.Key, Password),
                ["CLUSTER_TLS_PASSWORD"] = Password,
            },
            "key in the certificate's file" => new() { ["CLUSTER_TLS_CERTIFICATE"] = made.Concatenate("combined.pem", files.Node.Key, files.Node.Certificate) },
            "encrypted key" => new()
            {
                ["CLUSTER_TLS_CERTIFICATE"] = files.Node.Certificate,
                ["CLUSTER_TLS_KEY"] = made.EncryptedKey("node-encrypted", files.Node.Key, Password),
                ["CLUSTER_TLS_PASSWORD"] = Password,
            },
            _ => Pem(files.Rsa),
        };
        values["CLUSTER_TLS_CA"] = files.Ca;
        Assert.True(Load(values).Certificate!.HasPrivateKey);
    }

    [Fact]
    public void A_variable_wins_over_the_section()
    {
        var values = Pem(files.Node);
        values["Cluster:Tls:Certificate"] = "/nowhere/node.crt";
        Assert.Equal("CN=node", Load(values).Certificate!.Subject);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_naming_its_setting()
    {
        var problems = Refused(new()
        {
            ["Cluster:Tls:Certificate"] = "/nowhere/node.crt",
            ["Cluster:Tls:Ca"] = "/nowhere/ca.crt",
            ["Cluster:Tls:Cert"] = "node.crt",
        });
        Assert.Equal(
        [
            "Cluster:Tls:Cert: not a setting of Cluster:Tls; those are Certificate, Key, Password, Ca",
            "Cluster:Tls:Certificate=\"/nowhere/node.crt\": no such file",
            "Cluster:Tls:Ca=\"/nowhere/ca.crt\": no such file",
        ], problems);
    }

    [Fact]
    public void A_setting_without_the_certificate_is_refused_rather_than_running_in_plaintext()
    {
        var problems = Refused(new()
        {
            ["CLUSTER_TLS_KEY"] = files.Node.Key,
            ["CLUSTER_TLS_PASSWORD"] = Password,
            ["Cluster:Tls:Ca"] = files.Ca,
        });
        Assert.Equal(
        [
            "CLUSTER_TLS_KEY is set but Cluster:Tls:Certificate (CLUSTER_TLS_CERTIFICATE) is not: TLS between the nodes is on only with this node's certificate",
            "CLUSTER_TLS_PASSWORD is set but Cluster:Tls:Certificate (CLUSTER_TLS_CERTIFICATE) is not: TLS between the nodes is on only with this node's certificate",
            "Cluster:Tls:Ca is set but Cluster:Tls:Certificate (CLUSTER_TLS_CERTIFICATE) is not: TLS between the nodes is on only with this node's certificate",
        ], problems);
    }

    [Fact]
    public void A_certificate_without_a_CA_is_refused()
    {
        var values = Pem(files.Node);
        values.Remove("CLUSTER_TLS_CA");
        Assert.Equal("Cluster:Tls:Ca (CLUSTER_TLS_CA) is required with Cluster:Tls:Certificate (CLUSTER_TLS_CERTIFICATE): the PEM file of " +
                     "the CA certificate(s) that sign the nodes' certificates; a peer's certificate must chain to one of them",
            Assert.Single(Refused(values)));
    }

    [Fact]
    public void A_PEM_certificate_without_its_key_is_refused()
    {
        var values = Pem(files.Node);
        values.Remove("CLUSTER_TLS_KEY");
        Assert.Equal($"CLUSTER_TLS_CERTIFICATE=\"{files.Node.Certificate}\": holds no private key; set Cluster:Tls:Key (CLUSTER_TLS_KEY) " +
                     "to the PEM file of its key", Assert.Single(Refused(values)));
    }

    [Fact]
    public void A_key_that_is_not_the_certificates_is_refused()
    {
        var values = Pem(files.Node);
        values["CLUSTER_TLS_KEY"] = files.ServerOnly.Key;
        Assert.Equal($"CLUSTER_TLS_KEY=\"{files.ServerOnly.Key}\": not the private key of the certificate in CLUSTER_TLS_CERTIFICATE=\"{files.Node.Certificate}\"",
            Assert.Single(Refused(values)));
        values["CLUSTER_TLS_KEY"] = files.Rsa.Key;
        Assert.Equal($"CLUSTER_TLS_KEY=\"{files.Rsa.Key}\": not a readable EC private key (the certificate's key is EC)",
            Assert.Single(Refused(values)));
        values["CLUSTER_TLS_KEY"] = files.Ca;
        Assert.Equal($"CLUSTER_TLS_KEY=\"{files.Ca}\": holds no PEM private key (-----BEGIN PRIVATE KEY-----)", Assert.Single(Refused(values)));
    }

    [Fact]
    public void An_encrypted_key_needs_its_password()
    {
        var values = Pem(files.Node);
        var encrypted = values["CLUSTER_TLS_KEY"] = files.Made.EncryptedKey("node-locked", files.Node.Key, Password);
        Assert.Equal($"CLUSTER_TLS_KEY=\"{encrypted}\": the key is encrypted; set Cluster:Tls:Password (CLUSTER_TLS_PASSWORD)",
            Assert.Single(Refused(values)));
        values["CLUSTER_TLS_PASSWORD"] = "not-the-password";
        Assert.Equal($"CLUSTER_TLS_KEY=\"{encrypted}\": cannot be decrypted with Cluster:Tls:Password (CLUSTER_TLS_PASSWORD) (a wrong password), " +
                     "or is not an EC key as the certificate's is", Assert.Single(Refused(values)));
    }

    [Fact]
    public void A_PKCS12_file_that_cannot_be_opened_or_holds_no_key_is_refused()
    {
        var made = files.Made;
        var pkcs12 = made.Pkcs12("node-locked", files.Node.Certificate, files.Node.Key, Password);
        var values = new Dictionary<string, string?> { ["CLUSTER_TLS_CERTIFICATE"] = pkcs12, ["CLUSTER_TLS_CA"] = files.Ca };
        Assert.Equal($"CLUSTER_TLS_CERTIFICATE=\"{pkcs12}\": cannot be opened without a password; set Cluster:Tls:Password (CLUSTER_TLS_PASSWORD)",
            Assert.Single(Refused(values)));
        values["CLUSTER_TLS_PASSWORD"] = "not-the-password";
        Assert.Equal($"CLUSTER_TLS_CERTIFICATE=\"{pkcs12}\": cannot be opened with Cluster:Tls:Password (CLUSTER_TLS_PASSWORD): a wrong " +
                     "password, or a damaged file", Assert.Single(Refused(values)));

        values["CLUSTER_TLS_CERTIFICATE"] = made.Pkcs12("node-keyless", files.Node.Certificate, null, Password);
        values["CLUSTER_TLS_PASSWORD"] = Password;
        Assert.Equal($"CLUSTER_TLS_CERTIFICATE=\"{values["CLUSTER_TLS_CERTIFICATE"]}\": holds no private key for its certificate (CN=node)",
            Assert.Single(Refused(values)));

        values["CLUSTER_TLS_CERTIFICATE"] = pkcs12;
        values["CLUSTER_TLS_KEY"] = files.Node.Key;
        Assert.Equal($"CLUSTER_TLS_KEY is for a PEM certificate, but CLUSTER_TLS_CERTIFICATE=\"{pkcs12}\" is not PEM (a PKCS#12 file holds " +
                     "its own key): remove it", Assert.Single(Refused(values)));
    }

    [Fact]
    public void Files_of_the_wrong_kind_are_refused()
    {
        var values = Pem(files.Node);
        var text = values["CLUSTER_TLS_CERTIFICATE"] = files.Made.File("openssl.cnf");
        values["CLUSTER_TLS_CA"] = files.Node.Key;
        Assert.Equal(
        [
            $"CLUSTER_TLS_CERTIFICATE=\"{text}\": neither PEM nor PKCS#12 (.pfx, .p12)",
            $"CLUSTER_TLS_CA=\"{files.Node.Key}\": holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
        ], Refused(values));
    }

    [Fact]
    public void A_certificate_the_other_nodes_would_refuse_stops_this_one_at_start()
    {
        Assert.Equal($"CLUSTER_TLS_CERTIFICATE=\"{files.Stranger.Certificate}\": the other nodes would refuse this node's certificate: not signed " +
                     "by a CA of Cluster:Tls:Ca (which must hold the root CA, and any intermediate CA that signs the nodes' certificates)",
            Assert.Single(Refused(Pem(files.Stranger))));
        Assert.Equal($"CLUSTER_TLS_CERTIFICATE=\"{files.ServerOnly.Certificate}\": the other nodes would refuse this node's certificate: its " +
                     "extended key usage does not allow both TLS server and client authentication, as a node's certificate must",
            Assert.Single(Refused(Pem(files.ServerOnly))));
    }

    [Fact]
    public void Seeds_must_be_in_the_protocol_TLS_on_or_off_gives_the_nodes()
    {
        Assert.Equal($"Cluster:Seeds (CLUSTER_SEEDS): \"{Plain}\" is a plaintext address, but this node speaks TLS " +
                     "(Cluster:Tls:Certificate (CLUSTER_TLS_CERTIFICATE) is set): write it akka.ssl.tcp://switchboard@host:port",
            Assert.Single(Refused(Pem(files.Node), Tls, Plain)));
        Assert.Equal($"Cluster:Seeds (CLUSTER_SEEDS): \"{Tls}\" is a TLS address, but this node speaks plaintext: set Cluster:Tls:Certificate " +
                     "(CLUSTER_TLS_CERTIFICATE) and Cluster:Tls:Ca (CLUSTER_TLS_CA), or write it akka.tcp://switchboard@host:port",
            Assert.Single(Refused([], Tls)));
        Assert.Equal([Tls], SettingsLoaderTests.Load(new() { ["CLUSTER_SEEDS"] = Tls, ["CLUSTER_PORT"] = "4054" }).ClusterSeeds);
    }

    [Fact]
    public void No_problem_ever_quotes_the_password()
    {
        var values = Pem(files.Node);
        values["CLUSTER_TLS_KEY"] = files.Made.EncryptedKey("node-quiet", files.Node.Key, Password);
        values["CLUSTER_TLS_PASSWORD"] = "a-wrong-password-7c1e";
        values["CLUSTER_TLS_CERTIFICATE"] = null;
        Assert.DoesNotContain(Refused(values), p => p.Contains("7c1e"));
        values["CLUSTER_TLS_CERTIFICATE"] = files.Node.Certificate;
        Assert.DoesNotContain(Refused(values), p => p.Contains("7c1e"));
    }
}
