using System.Diagnostics;
using k8s.Models;

namespace Switchboard.Service.Tests.Deploy.Support;

/// <summary>The repository's deploy/ folder: its files, its kustomizations, and the environment a pod of it gets.</summary>
public static class DeployFolder
{
    /// <summary>The folder holding Akka.sln.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Root => Path.Combine(RepositoryRoot, "deploy");

    public static string Base => Path.Combine(Root, "base");

    /// <summary>The workload of every kustomization and the names it goes by.</summary>
    public const string Workload = "switchboard";

    public const string ContainerName = "switchboard";

    /// <summary>A pod's address, where the downward API gives one (<c>status.podIP</c>).</summary>
    public const string PodIp = "10.244.1.17";

    /// <summary>Every YAML file but the kustomizations: each one Kubernetes objects.</summary>
    public static IEnumerable<string> ManifestFiles =>
        Directory.EnumerateFiles(Root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Where(f => Path.GetFileName(f) != Kustomization.FileName)
            .Order(StringComparer.Ordinal);

    /// <summary>Every folder with a kustomization.yaml: the base, the components and the overlays.</summary>
    public static IEnumerable<string> Kustomizations =>
        Directory.EnumerateFiles(Root, Kustomization.FileName, SearchOption.AllDirectories).Select(Path.GetDirectoryName).Order(StringComparer.Ordinal)!;

    /// <summary>What a user applies (<c>kubectl apply -k</c>): the base and each overlay, relative to deploy/.</summary>
    public static IEnumerable<string> Applicable =>
        Kustomizations.Where(k => Kustomization.Load(k).Kind == "Kustomization").Select(k => Path.GetRelativePath(Root, k));

    public static Kustomization.Rendered Render(string applicable) => Kustomization.Load(Path.Combine(Root, applicable)).Render();

    public static V1Deployment Deployment(this Kustomization.Rendered rendered) => rendered.Single<V1Deployment>(Workload);

    public static V1Container Container(this V1Deployment deployment) => deployment.Spec.Template.Spec.Containers.Single(c => c.Name == ContainerName);

    /// <summary>The secret's variables as deploy/make-secrets.sh writes them, made once for the checks that need some.</summary>
    public static IReadOnlyDictionary<string, string> Secrets => LazySecrets.Value;

    private static readonly Lazy<IReadOnlyDictionary<string, string>> LazySecrets = new(MadeSecrets);

    /// <summary>The secret's variables as deploy/make-secrets.sh writes them, made afresh in a temporary file.</summary>
    public static IReadOnlyDictionary<string, string> MadeSecrets()
    {
        var file = Path.Combine(Path.GetTempPath(), $"switchboard-secrets-{Guid.NewGuid():N}.env");
        try
        {
            var (status, errors) = MakeSecrets(file);
            return status == 0 ? EnvFile(file) : throw new InvalidOperationException($"make-secrets.sh exited {status}: {errors}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs deploy/make-secrets.sh to write <paramref name="file"/>: its exit status and what it wrote to stderr.</summary>
    public static (int Status, string Errors) MakeSecrets(string file)
    {
        using var script = Process.Start(new ProcessStartInfo("sh", [Path.Combine(Root, "make-secrets.sh"), file])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var errors = script.StandardError.ReadToEnd();
        script.WaitForExit();
        return (script.ExitCode, errors);
    }

    /// <summary>A kustomize env file: NAME=value lines; blank lines and # comments skipped.</summary>
    public static IReadOnlyDictionary<string, string> EnvFile(string path) =>
        File.ReadLines(path)
            .Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    /// <summary>
    /// The variables the container runs with: its env (the downward API's pod address as <see cref="PodIp"/>) over its
    /// envFrom, whose one Secret is the generated one, holding <paramref name="secrets"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment(this Kustomization.Rendered rendered, IReadOnlyDictionary<string, string> secrets)
    {
        var container = rendered.Deployment().Container();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.SecretRef?.Name is not { } name || rendered.Secrets.All(s => s.Name != name))
                throw new InvalidOperationException($"envFrom names something other than a generated Secret: {source.SecretRef?.Name ?? source.ConfigMapRef?.Name}");
            foreach (var (key, value) in secrets)
                environment[key] = value;
        }
        foreach (var variable in container.Env ?? [])
        {
            environment[variable.Name] = variable.ValueFrom switch
            {
                null => variable.Value ?? "",
                { FieldRef.FieldPath: "status.podIP" } => PodIp,
                _ => throw new InvalidOperationException($"{variable.Name} comes from a source these checks do not know"),
            };
        }
        return environment;
    }

    /// <summary>
    /// <paramref name="environment"/> as the pod sees it once the kubelet has mounted the Secrets that no generator makes:
    /// each a kubernetes.io/tls Secret with ca.crt, as cert-manager makes it (here openssl: a CA of its own and a
    /// certificate it signed), under <paramref name="root"/>, and the variables that name a file there pointed at it.
    /// </summary>
    public static IReadOnlyDictionary<string, string> WithMountedSecrets(this Kustomization.Rendered rendered,
        IReadOnlyDictionary<string, string> environment, string root)
    {
        var pod = rendered.Deployment().Spec.Template.Spec;
        var mounted = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        foreach (var mount in rendered.Deployment().Container().VolumeMounts ?? [])
        {
            var secret = pod.Volumes.Single(v => v.Name == mount.Name).Secret;
            if (secret is null || rendered.Secrets.Any(g => g.Name == secret.SecretName))
                continue;
            var folder = Path.Combine(root, mount.MountPath.TrimStart('/'));
            MakeTlsSecret(folder);
            foreach (var (name, value) in environment.Where(v => v.Value.StartsWith(mount.MountPath + "/", StringComparison.Ordinal)))
                mounted[name] = Path.Combine(folder, value[(mount.MountPath.Length + 1)..]);
        }
        return mounted;
    }

    private static void MakeTlsSecret(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var arguments in new[]
                 {
                     "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 1 -subj /CN=switchboard-cluster-ca",
                     "req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls.key -out tls.csr -subj /CN=switchboard-peers",
                     "x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out tls.crt -days 1",
                 })
        {
            using var openssl = Process.Start(new ProcessStartInfo("openssl", arguments)
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var errors = openssl.StandardError.ReadToEnd();
            openssl.WaitForExit();
            if (openssl.ExitCode != 0)
                throw new InvalidOperationException($"openssl {arguments}: {errors}");
        }
    }

    /// <summary>A container port by its name.</summary>
    public static int Port(this V1Container container, string name) =>
        container.Ports.SingleOrDefault(p => p.Name == name)?.ContainerPort ?? throw new InvalidOperationException($"no container port named {name}");

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(folder.FullName, "Akka.sln")))
            folder = folder.Parent ?? throw new InvalidOperationException("Akka.sln not found above the test output");
        return folder.FullName;
    }
}
