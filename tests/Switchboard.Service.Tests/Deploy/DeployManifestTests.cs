using System.Xml.Linq;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Switchboard.Service.Hosting;
using Switchboard.Service.Settings;
using Switchboard.Service.Tests.Deploy.Support;

namespace Switchboard.Service.Tests.Deploy;

/// <summary>
/// deploy/ against the service it deploys, with no kubectl: every file loads strictly as Kubernetes objects, every
/// kustomization renders, and each rendering's ports, probes, variables and values agree with what the service reads.
/// </summary>
public sealed class DeployManifestTests
{
    /// <summary>The defaults of CLUSTER_DISCOVERY_SERVICE_NAME and CLUSTER_DISCOVERY_LABEL_SELECTOR.</summary>
    private static readonly string DiscoveryServiceName = new SwitchboardOptions().ClusterDiscoveryServiceName;
    private static readonly string DiscoveryLabelSelector = new SwitchboardOptions().ClusterDiscoveryLabelSelector;

    /// <summary>
    /// Kubernetes' safe sysctls, allowed on every node (kubernetes.io, "Using sysctls in a Kubernetes Cluster", as of
    /// Kubernetes 1.32); any other needs the kubelet's --allowed-unsafe-sysctls.
    /// </summary>
    private static readonly string[] SafeSysctls =
    [
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem",
    ];

    public static TheoryData<string> Applicable() => new(DeployFolder.Applicable);

    [Fact]
    public void Every_manifest_file_loads_strictly_as_kubernetes_objects()
    {
        var files = DeployFolder.ManifestFiles.ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(file), strict: true);
            Assert.True(objects.Count > 0, $"{file} holds no object");
        }
    }

    [Fact]
    public void Every_kustomization_is_read_strictly_and_names_files_that_exist()
    {
        foreach (var folder in DeployFolder.Kustomizations)
        {
            var kustomization = Kustomization.Load(folder);
            Assert.Equal(kustomization.Kind == "Component" ? "kustomize.config.k8s.io/v1alpha1" : "kustomize.config.k8s.io/v1beta1",
                kustomization.ApiVersion);
            Assert.Contains(kustomization.Kind, new[] { "Kustomization", "Component" });
            foreach (var (path, role) in kustomization.Named())
            {
                var full = Path.GetFullPath(Path.Combine(folder, path));
                if (role.StartsWith("env file", StringComparison.Ordinal))
                    continue; // made by the user: the next test
                Assert.True(role is "resource" or "component" ? File.Exists(full) || Directory.Exists(full) : File.Exists(full),
                    $"{folder}/{Kustomization.FileName} names the {role} {path}, which is not there");
            }
        }
    }

    [Fact]
    public void The_secret_comes_from_the_file_make_secrets_writes_afresh_and_never_over_one_which_git_ignores()
    {
        var generator = Assert.Single(Kustomization.Load(DeployFolder.Base).SecretGenerator);
        var file = Assert.Single(generator.Envs);
        Assert.Contains("/base/secrets.env\"}", File.ReadAllText(Path.Combine(DeployFolder.Root, "make-secrets.sh")));
        Assert.Equal("secrets.env", file);
        Assert.Contains($"base/{file}", File.ReadAllLines(Path.Combine(DeployFolder.Root, ".gitignore")));
        var again = DeployFolder.MadeSecrets();
        Assert.All(DeployFolder.Secrets.Where(s => s.Key.EndsWith("Key", StringComparison.Ordinal) || s.Key.EndsWith("Secret", StringComparison.Ordinal)),
            s => Assert.NotEqual(again[s.Key], s.Value));

        var kept = Path.GetTempFileName();
        try
        {
            File.WriteAllText(kept, "Auth__Jwt__Secret=the-one-in-use");
            var (status, errors) = DeployFolder.MakeSecrets(kept);
            Assert.Equal(1, status);
            Assert.Contains("exists", errors);
            Assert.Equal("Auth__Jwt__Secret=the-one-in-use", File.ReadAllText(kept));
        }
        finally
        {
            File.Delete(kept);
        }
    }

    [Theory]
    [MemberData(nameof(Applicable))]
    public void Renders_with_every_patch_on_an_object_that_is_there_into_strict_models(string applicable)
    {
        var rendered = DeployFolder.Render(applicable);
        var models = rendered.Models();
        Assert.Equal(rendered.Objects.Count, models.Count);
        Assert.Single(models.OfType<V1Deployment>(), d => d.Metadata.Name == DeployFolder.Workload);
        Assert.All(models.Cast<IMetadata<V1ObjectMeta>>(), m => Assert.Equal("switchboard", m.Metadata.NamespaceProperty));
    }

    [Theory]
    [MemberData(nameof(Applicable))]
    public void Container_ports_are_those_the_environment_gives_the_service(string applicable)
    {
        var rendered = DeployFolder.Render(applicable);
        var container = rendered.Deployment().Container();
        var environment = rendered.Environment(DeployFolder.Secrets);

        var url = new Uri(environment["ASPNETCORE_URLS"].Replace("+", "localhost", StringComparison.Ordinal));
        Assert.Equal(container.Port("http"), url.Port);
        var options = SwitchboardOptionsLoader.Load(ServiceVariables.Configuration(environment));
        Assert.Equal(container.Port("remoting"), options.ClusterPort);
        Assert.Equal(container.Port("management"), int.Parse(environment["CLUSTER_MANAGEMENT_PORT"]));
        Assert.Equal(DeployFolder.PodIp, options.ClusterHostname);
        Assert.Equal(["http", "management", "remoting"], container.Ports.Select(p => p.Name).Order());

        foreach (var probe in new[] { container.StartupProbe, container.LivenessProbe, container.ReadinessProbe })
            Assert.Equal("http", probe.HttpGet.Port.Value);
        Assert.Equal("/ws/health", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/ws/health/live", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/ws/health/live", container.StartupProbe.HttpGet.Path);
        // The preStop hook calls the node on its own HTTP port.
        Assert.Contains($"http://127.0.0.1:{url.Port}/ws/admin/nodes/drain", PreStop(container));
    }

    [Theory]
    [MemberData(nameof(Applicable))]
    public void Only_the_nodes_reach_remoting_and_management_and_clients_reach_http_alone(string applicable)
    {
        var rendered = DeployFolder.Render(applicable);
        var labels = rendered.Deployment().Spec.Template.Metadata.Labels;

        var clients = rendered.Single<V1Service>("switchboard");
        Assert.True(Selects(clients.Spec.Selector, labels));
        Assert.Equal("http", Assert.Single(clients.Spec.Ports).TargetPort.Value);

        var peers = rendered.Single<V1Service>("switchboard-peers");
        Assert.Equal("None", peers.Spec.ClusterIP);
        Assert.True(peers.Spec.PublishNotReadyAddresses);
        Assert.True(Selects(peers.Spec.Selector, labels));
        Assert.Equal(["management", "remoting"], peers.Spec.Ports.Select(p => p.TargetPort.Value).Order());

        var policy = rendered.Single<V1NetworkPolicy>("switchboard");
        Assert.True(Selects(policy.Spec.PodSelector.MatchLabels, labels));
        Assert.Equal(["Ingress"], policy.Spec.PolicyTypes);
        var open = Assert.Single(policy.Spec.Ingress, rule => rule.FromProperty is null);
        Assert.Equal(["http"], open.Ports.Select(p => p.Port.Value));
        var peersOnly = Assert.Single(policy.Spec.Ingress, rule => rule.FromProperty is not null);
        var from = Assert.Single(peersOnly.FromProperty);
        Assert.Null(from.NamespaceSelector);
        Assert.Null(from.IpBlock);
        Assert.True(Selects(from.PodSelector.MatchLabels, labels));
        Assert.Equal(["management", "remoting"], peersOnly.Ports.Select(p => p.Port.Value).Order());
        var container = rendered.Deployment().Container();
        Assert.All(policy.Spec.Ingress.SelectMany(r => r.Ports), p => container.Port(p.Port.Value));
    }

    [Theory]
    [MemberData(nameof(Applicable))]
    public void Bootstrap_finds_the_pods_by_their_labels_with_a_role_that_lists_pods(string applicable)
    {
        var rendered = DeployFolder.Render(applicable);
        var deployment = rendered.Deployment();
        var environment = rendered.Environment(DeployFolder.Secrets);
        var labels = deployment.Spec.Template.Metadata.Labels;

        var service = environment.GetValueOrDefault("CLUSTER_DISCOVERY_SERVICE_NAME", DiscoveryServiceName);
        var selector = string.Format(environment.GetValueOrDefault("CLUSTER_DISCOVERY_LABEL_SELECTOR", DiscoveryLabelSelector), service);
        Assert.True(Selects(selector.Split(',').Select(s => s.Split('=')).ToDictionary(p => p[0], p => p[1]), labels), selector);
        Assert.Equal("kubernetes", environment["CLUSTER_DISCOVERY"]);
        Assert.InRange(int.Parse(environment["CLUSTER_REQUIRED_CONTACTS"]), 1, deployment.Spec.Replicas!.Value);
        Assert.True(Selects(deployment.Spec.Selector.MatchLabels, labels));

        var account = deployment.Spec.Template.Spec.ServiceAccountName;
        Assert.NotNull(rendered.Single<V1ServiceAccount>(account));
        var binding = Assert.Single(rendered.Models().OfType<V1RoleBinding>());
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", account, deployment.Metadata.NamespaceProperty), (subject.Kind, subject.Name, subject.NamespaceProperty));
        var role = rendered.Single<V1Role>(binding.RoleRef.Name);
        var rule = Assert.Single(role.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Equal(["get", "list", "watch"], rule.Verbs.Order());

        var budget = rendered.Single<V1PodDisruptionBudget>("switchboard");
        Assert.True(Selects(budget.Spec.Selector.MatchLabels, labels));
        Assert.Equal(1, budget.Spec.MaxUnavailable.Value is string s ? int.Parse(s) : int.Parse(budget.Spec.MaxUnavailable.Value));
        Assert.Equal(("1", "0"), (deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value, deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value));
    }

    [Theory]
    [MemberData(nameof(Applicable))]
    public void Every_variable_is_one_the_service_reads(string applicable)
    {
        var environment = DeployFolder.Render(applicable).Environment(DeployFolder.Secrets);
        Assert.Empty(ServiceVariables.Unread(environment));
    }

    [Theory]
    [MemberData(nameof(Applicable))]
    public void The_values_pass_the_services_own_checks(string applicable)
    {
        var rendered = DeployFolder.Render(applicable);
        var pod = Directory.CreateTempSubdirectory("switchboard-pod-");
        try
        {
            var environment = rendered.WithMountedSecrets(rendered.Environment(DeployFolder.Secrets), pod.FullName);
            Assert.All(environment.Values.Where(v => v.StartsWith(pod.FullName, StringComparison.Ordinal)), path => Assert.True(File.Exists(path), path));
            var (_, problems) = ServiceVariables.Load(environment);
            Assert.Empty(problems);
        }
        finally
        {
            pod.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Applicable))]
    public void The_termination_grace_outlasts_the_drain_and_the_preStop_drains_with_an_admin_key(string applicable)
    {
        var rendered = DeployFolder.Render(applicable);
        var secrets = DeployFolder.Secrets;
        var environment = rendered.Environment(secrets);
        using var services = new ServiceCollection()
            .AddSingleton(ServiceVariables.Configuration(environment))
            .AddLogging()
            .AddSwitchboard()
            .BuildServiceProvider();
        var drain = services.GetRequiredService<SwitchboardOptions>().ShutdownTimeout;
        var host = services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
        // The drain closes connections for up to ShutdownTimeout, then stops the host, which the service bounds itself;
        // the preStop hook notices within its polling (1 s, each ask at most 2 s).
        var worst = drain + host + TimeSpan.FromSeconds(5);
        var grace = TimeSpan.FromSeconds(rendered.Deployment().Spec.Template.Spec.TerminationGracePeriodSeconds!.Value);
        Assert.True(grace > worst, $"terminationGracePeriodSeconds {grace.TotalSeconds} s, the drain's worst {worst.TotalSeconds} s");

        var preStop = PreStop(rendered.Deployment().Container());
        Assert.Contains("${Auth__ApiKeys__0__Key}", preStop);
        Assert.Equal("admin", secrets["Auth__ApiKeys__0__Scopes"]);
    }

    [Theory]
    [MemberData(nameof(Applicable))]
    public void Memory_holds_the_connections_by_the_measured_figures(string applicable)
    {
        var rendered = DeployFolder.Render(applicable);
        var container = rendered.Deployment().Container();
        var connections = SwitchboardOptionsLoader.Load(ServiceVariables.Configuration(rendered.Environment(DeployFolder.Secrets))).MaxConnections;
        // docs/performance.md, "100,000 connections on 7 nodes": a node warmed up holds 159–170 MB, and each
        // connection adds 9.6 KB (11.0 KB counted from a fresh node). docs/deploy.md, "Sizing", rounds to these.
        var needed = 200L * 1000 * 1000 + connections * 11L * 1000;
        var limit = container.Resources.Limits["memory"].ToInt64();
        Assert.True(limit >= needed, $"a memory limit of {limit} bytes for {connections} connections, which need about {needed}");
        Assert.Equal(container.Resources.Requests["memory"], container.Resources.Limits["memory"]);
        Assert.False(container.Resources.Limits.ContainsKey("cpu"));
    }

    [Fact]
    public void The_kernel_overlay_names_each_unsafe_sysctl_it_sets_for_the_kubelet_to_allow()
    {
        var rendered = DeployFolder.Render("overlays/kernel");
        var sysctls = rendered.Deployment().Spec.Template.Spec.SecurityContext.Sysctls.Select(s => s.Name).ToList();
        Assert.Equal(["net.core.somaxconn", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_max_syn_backlog"], sysctls.Order());
        var unsafeOnes = sysctls.Except(SafeSysctls).Order().ToList();
        var allowed = $"--allowed-unsafe-sysctls='{string.Join(",", unsafeOnes)}'";
        Assert.Contains(allowed, File.ReadAllText(Path.Combine(DeployFolder.Root, "components", "kernel", Kustomization.FileName)));
        Assert.Contains(allowed, File.ReadAllText(Path.Combine(DeployFolder.RepositoryRoot, "docs", "deploy.md")));
        Assert.Empty(DeployFolder.Render("base").Deployment().Spec.Template.Spec.SecurityContext.Sysctls ?? []);
    }

    [Fact]
    public void The_image_is_this_builds_version()
    {
        var version = XDocument.Load(Path.Combine(DeployFolder.RepositoryRoot, "Directory.Build.props")).Descendants("Version").Single().Value;
        Assert.Equal($"switchboard:{version}", DeployFolder.Render("base").Deployment().Container().Image);
    }

    [Fact]
    public void The_redis_overlay_keeps_history_and_rate_limits_in_its_redis()
    {
        var rendered = DeployFolder.Render("overlays/redis");
        var environment = rendered.Environment(DeployFolder.Secrets);
        var options = SwitchboardOptionsLoader.Load(ServiceVariables.Configuration(environment));
        Assert.Equal("redis", options.HistoryStore);
        Assert.True(options.HistorySize > 0);
        Assert.Equal("redis", environment["RateLimiter__Store"]);
        var redis = rendered.Single<V1Service>("switchboard-redis");
        var address = $"{redis.Metadata.Name}:{Assert.Single(redis.Spec.Ports).Port}";
        Assert.Equal((address, address), (options.HistoryRedis, environment["RateLimiter__Redis"]));
        var server = rendered.Single<V1Deployment>("switchboard-redis");
        Assert.True(Selects(redis.Spec.Selector, server.Spec.Template.Metadata.Labels));
        var policy = rendered.Single<V1NetworkPolicy>("switchboard-redis");
        Assert.True(Selects(Assert.Single(Assert.Single(policy.Spec.Ingress).FromProperty).PodSelector.MatchLabels,
            rendered.Deployment().Spec.Template.Metadata.Labels));
    }

    [Fact]
    public void The_cluster_tls_overlay_reads_the_certificate_from_the_mounted_secret()
    {
        var rendered = DeployFolder.Render("overlays/cluster-tls");
        var pod = rendered.Deployment().Spec.Template.Spec;
        var volume = Assert.Single(pod.Volumes);
        Assert.Equal("switchboard-cluster-tls", volume.Secret.SecretName);
        var mount = Assert.Single(rendered.Deployment().Container().VolumeMounts, m => m.Name == volume.Name);
        Assert.True(mount.ReadOnlyProperty);
        var environment = rendered.Environment(DeployFolder.Secrets);
        // A kubernetes.io/tls Secret as cert-manager makes it: tls.crt, tls.key and ca.crt.
        Assert.Equal(
            [$"{mount.MountPath}/ca.crt", $"{mount.MountPath}/tls.crt", $"{mount.MountPath}/tls.key"],
            new[] { environment["CLUSTER_TLS_CERTIFICATE"], environment["CLUSTER_TLS_KEY"], environment["CLUSTER_TLS_CA"] }.Order());
        // What the checks of every overlay's values see: the files there, as the kubelet mounts them.
        var root = Directory.CreateTempSubdirectory("switchboard-pod-");
        try
        {
            var mounted = rendered.WithMountedSecrets(environment, root.FullName);
            Assert.All(["CLUSTER_TLS_CERTIFICATE", "CLUSTER_TLS_KEY", "CLUSTER_TLS_CA"], v => Assert.True(File.Exists(mounted[v]), mounted[v]));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static string PreStop(V1Container container) => string.Join(" ", container.Lifecycle.PreStop.Exec.Command);

    private static bool Selects(IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);
}
