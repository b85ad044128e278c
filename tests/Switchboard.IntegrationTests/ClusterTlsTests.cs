using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Switchboard.Contracts;
using Switchboard.IntegrationTests.Support;

namespace Switchboard.IntegrationTests;

/// <summary>
/// Mutual TLS between the nodes (<c>Cluster:Tls</c>), with certificates openssl makes for the test: three nodes whose
/// certificates the cluster's CA signed form a cluster and route; a connection without a certificate, a plaintext one, and a
/// node whose certificate another CA signed are refused, and the three go on as before; a node that refuses its seed's
/// certificate stops itself with status 79.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTlsTests(ClusterTlsTests.TlsCluster cluster) : IClassFixture<ClusterTlsTests.TlsCluster>
{
    /// <summary>
    /// Started once for the class: three nodes, each with its own certificate from the cluster's CA, finding each other
    /// through bootstrap as the Kubernetes overlay's do; the strangers below dial node 1 as a seed.
    /// </summary>
    public sealed class TlsCluster : IAsyncLifetime
    {
        public TestCertificates Certificates { get; } = new();
        public string Ca { get; private set; } = "";
        public List<ServiceProcess> Nodes { get; } = [];

        public async Task InitializeAsync()
        {
            Ca = Certificates.Authority("cluster-ca");
            var certificates = Enumerable.Range(1, 3).Select(n => Certificates.Node($"node{n}", Ca)).ToArray();
            Nodes.AddRange(await ConfigBootstrap.StartAsync(3, settings: i => Tls(certificates[i], Ca)));
        }

        public static Dictionary<string, string> Tls((string Certificate, string Key) node, string ca) => new()
        {
            ["CLUSTER_TLS_CERTIFICATE"] = node.Certificate,
            ["CLUSTER_TLS_KEY"] = node.Key,
            ["CLUSTER_TLS_CA"] = ca,
        };

        public async Task DisposeAsync()
        {
            foreach (var node in Nodes)
                await node.DisposeAsync();
            Certificates.Dispose();
        }
    }

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private async Task<ClusterView> ViewAsync(int node)
    {
        using var http = new HttpClient { BaseAddress = cluster.Nodes[node].BaseUri };
        return (await http.GetFromJsonAsync<ClusterView>("/ws" + AdminRoutes.Cluster, AdminJson.Options))!;
    }

    /// <summary>Node 1's remoting port, from the address it gives itself.</summary>
    private async Task<(string Seed, int Port)> SeedAsync()
    {
        var self = (await ViewAsync(0)).Self;
        return (self, new Uri(self).Port);
    }

    /// <summary>Every node still counts the three and no other, all over TLS, and a user on node 1 reaches one on node 3.</summary>
    private async Task ThreeMembersRouteAsync()
    {
        await ClusterTests.ThreeNodes.AllSeeAsync(cluster.Nodes, 3);
        for (var node = 0; node < 3; node++)
        {
            var members = (await ViewAsync(node)).Members;
            Assert.Equal(3, members.Count);
            Assert.All(members, m => Assert.Equal(("akka.ssl.tcp", "Up"), (new Uri(m.Address).Scheme, m.Status)));
        }
        var (aliceId, bobId) = (Unique("alice"), Unique("bob"));
        await using var alice = await Client.ConnectAsync(new Uri($"ws://{cluster.Nodes[0].BaseUri.Authority}/ws?user_id={aliceId}"));
        await using var bob = await Client.ConnectAsync(new Uri($"ws://{cluster.Nodes[2].BaseUri.Authority}/ws?user_id={bobId}"));
        using var http = new HttpClient { BaseAddress = cluster.Nodes[0].BaseUri };
        await Eventually.TrueAsync(async () => (await http.GetAsync($"/ws/users/{bobId}")).IsSuccessStatusCode, "bob is registered");
        await alice.SendAsync($$"""{"type":"chat","to":"{{bobId}}","data":"over tls","id":1}""");
        Assert.Equal("ack", (await alice.ReceiveAsync()).GetProperty("type").GetString());
        var atBob = await bob.ReceiveAsync();
        Assert.Equal(("over tls", aliceId), (atBob.GetProperty("data").GetString(), atBob.GetProperty("from").GetString()));
    }

    [Fact]
    public async Task Three_nodes_with_the_CAs_certificates_form_a_cluster_over_TLS_and_route()
    {
        await ThreeMembersRouteAsync();
    }

    [Fact]
    public async Task A_connection_without_a_certificate_or_in_plaintext_is_refused()
    {
        var (_, port) = await SeedAsync();

        // A TLS client that checks the node's certificate (it is the cluster's) but presents none of its own.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", port);
            await using var tls = new SslStream(tcp.GetStream());
            string? presented = null;
            await ClosedByTheNodeAsync(tls, () => tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    presented = certificate?.Subject;
                    return presented is not null;
                },
            }));
            Assert.Equal("CN=node1", presented);
        }

        // Plaintext, as a node without Cluster:Tls speaks: a frame's length, then its bytes.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", port);
            var stream = tcp.GetStream();
            byte[] frame = [0, 0, 0, 12, .. "akka.tcp://x"u8];
            await ClosedByTheNodeAsync(stream, () => stream.WriteAsync(frame).AsTask());
        }

        await ThreeMembersRouteAsync();
    }

    /// <summary>
    /// Runs <paramref name="opening"/>, then reads: the node must end the connection (the opening or the read fails, or the read
    /// ends) without sending a byte of its own protocol. The wait is a hang guard, not a measure.
    /// </summary>
    private static async Task ClosedByTheNodeAsync(Stream stream, Func<Task> opening)
    {
        using var guard = new CancellationTokenSource(Eventually.Deadline);
        try
        {
            await opening();
            Assert.Equal(0, await stream.ReadAsync(new byte[256], guard.Token));
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
        }
    }

    [Fact]
    public async Task Nodes_whose_certificate_another_CA_signed_never_join()
    {
        var (seed, _) = await SeedAsync();
        var made = cluster.Certificates;
        var stranger = made.Node("stranger", made.Authority("other-ca"));
        var lost = made.Node("lost", made.Authority("lost-ca"));
        // The stranger trusts the cluster's CA as well as its own, so that the refusal can only be the cluster's. The lost node
        // trusts only its own CA, so it refuses node 1's certificate when it dials it: Akka.Remote stops a node whose outbound
        // handshake fails, and the node exits with Akka's status for that, 79, so that its supervisor notices.
        var trusted = made.Concatenate("stranger-trust.crt", cluster.Ca, made.File("other-ca.crt"));
        await using var intruder = StartJoining(TlsCluster.Tls(stranger, trusted));
        await using var refuser = StartJoining(TlsCluster.Tls(lost, made.File("lost-ca.crt")));

        await Eventually.TrueAsync(() => cluster.Nodes[0].Output.Contains("Refused the certificate of") &&
                                         cluster.Nodes[0].Output.Contains("(CN=stranger, issued by CN=other-ca)"),
            "node 1 refuses the stranger's certificate");
        Assert.Equal(79, await refuser.WaitForExitAsync());
        Assert.Contains("Akka stopped this node (TlsHandshakeFailureReason", refuser.Output);
        await ThreeMembersRouteAsync();

        ServiceProcess StartJoining(Dictionary<string, string> tls) => ServiceProcess.Start(new Dictionary<string, string>(tls)
        {
            ["CLUSTER_SEEDS"] = seed,
            ["CLUSTER_PORT"] = ServiceProcess.FreePort().ToString(),
        });
    }
}
