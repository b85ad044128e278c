using k8s;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Switchboard.Service.Tests.Deploy.Support;

/// <summary>
/// A kustomization.yaml (a Kustomization or a Component), read strictly: a field this model lacks is an error, so
/// deploy/ uses only what <see cref="Render"/> carries out the way kustomize does (resources, components, strategic
/// merge patches, the namespace, images and a secret generator). No kubectl: what kustomize would do, done here.
/// </summary>
public sealed class Kustomization
{
    public const string FileName = "kustomization.yaml";

    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public string? Namespace { get; set; }
    public List<string> Resources { get; set; } = [];
    public List<string> Components { get; set; } = [];
    public List<Patch> Patches { get; set; } = [];
    public List<Generator> SecretGenerator { get; set; } = [];
    public List<Image> Images { get; set; } = [];

    public sealed class Patch
    {
        public string Path { get; set; } = "";
    }

    public sealed class Generator
    {
        public string Name { get; set; } = "";
        public List<string> Envs { get; set; } = [];
    }

    public sealed class Image
    {
        public string Name { get; set; } = "";
        public string? NewName { get; set; }
        public string? NewTag { get; set; }
    }

    /// <summary>The folder it is in.</summary>
    [YamlIgnore]
    public string Folder { get; private set; } = "";

    private static readonly IDeserializer Strict = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();

    public static Kustomization Load(string folder)
    {
        var kustomization = Strict.Deserialize<Kustomization>(File.ReadAllText(Path.Combine(folder, FileName)));
        kustomization.Folder = folder;
        return kustomization;
    }

    /// <summary>Every file and folder it names, relative to its folder, each with what it is for.</summary>
    public IEnumerable<(string Path, string Role)> Named() =>
        Resources.Select(r => (r, "resource"))
            .Concat(Components.Select(c => (c, "component")))
            .Concat(Patches.Select(p => (p.Path, "patch")))
            .Concat(SecretGenerator.SelectMany(g => g.Envs.Select(e => (e, $"env file of the secret {g.Name}"))));

    /// <summary>
    /// The objects kustomize would output, as the plain trees YAML makes (maps, lists, strings), and the secret
    /// generators met on the way. Throws when a patch names an object that is not there.
    /// </summary>
    public Rendered Render()
    {
        var objects = new List<Dictionary<object, object>>();
        var secrets = new List<Generator>(SecretGenerator);
        foreach (var resource in Resources)
        {
            var path = Path.Combine(Folder, resource);
            if (Directory.Exists(path))
            {
                var inner = Load(path).Render();
                objects.AddRange(inner.Objects);
                secrets.AddRange(inner.Secrets);
            }
            else
            {
                objects.AddRange(Manifests.Documents(path));
            }
        }
        foreach (var component in Components.Select(c => Load(Path.Combine(Folder, c))))
        {
            objects.AddRange(component.Resources.SelectMany(r => Manifests.Documents(Path.Combine(component.Folder, r))));
            component.ApplyPatches(objects);
        }
        ApplyPatches(objects);
        foreach (var o in objects)
        {
            if (Namespace is not null)
                Manifests.Map(o, "metadata")["namespace"] = Namespace;
            foreach (var container in Manifests.Containers(o))
            {
                if (Images.FirstOrDefault(i => i.Name == (string)container["image"]) is { } image)
                    container["image"] = $"{image.NewName ?? image.Name}{(image.NewTag is null ? "" : ":" + image.NewTag)}";
            }
        }
        return new Rendered(objects, secrets);
    }

    private void ApplyPatches(List<Dictionary<object, object>> objects)
    {
        foreach (var patch in Patches)
        {
            foreach (var document in Manifests.Documents(Path.Combine(Folder, patch.Path)))
            {
                var target = objects.SingleOrDefault(o => Manifests.Names(o) == Manifests.Names(document))
                             ?? throw new InvalidOperationException($"{Path.Combine(Folder, patch.Path)} patches {Manifests.Names(document)}, which is not there");
                StrategicMerge.Apply(target, document);
            }
        }
    }

    /// <param name="Objects">In the order kustomize would give them.</param>
    public sealed record Rendered(IReadOnlyList<Dictionary<object, object>> Objects, IReadOnlyList<Generator> Secrets)
    {
        /// <summary>Each object as its Kubernetes model, read strictly.</summary>
        public IReadOnlyList<object> Models() =>
            KubernetesYaml.LoadAllFromString(string.Join("---\n", Objects.Select(Manifests.Yaml)), strict: true);

        public T Single<T>(string name) where T : class =>
            Models().OfType<T>().SingleOrDefault(m => ((k8s.Models.IMetadata<k8s.Models.V1ObjectMeta>)m).Metadata.Name == name)
            ?? throw new InvalidOperationException($"no {typeof(T).Name} named {name}");
    }
}
