using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Switchboard.Service.Tests.Deploy.Support;

/// <summary>YAML files as plain trees (maps, lists, strings), and the parts of a Kubernetes object the checks look at.</summary>
public static class Manifests
{
    private static readonly IDeserializer Plain = new DeserializerBuilder().Build();
    private static readonly ISerializer Writer = new SerializerBuilder().Build();

    /// <summary>Every document of a YAML file; merge keys (<c>&lt;&lt;: *anchor</c>) are merged, as compose does.</summary>
    public static IReadOnlyList<Dictionary<object, object>> Documents(string path)
    {
        using var reader = new StringReader(File.ReadAllText(path));
        var parser = new MergingParser(new Parser(reader));
        parser.Consume<YamlDotNet.Core.Events.StreamStart>();
        var documents = new List<Dictionary<object, object>>();
        while (parser.Accept<YamlDotNet.Core.Events.DocumentStart>(out _))
        {
            if (Plain.Deserialize<Dictionary<object, object>?>(parser) is { } document)
                documents.Add(document);
        }
        return documents;
    }

    public static string Yaml(Dictionary<object, object> document) => Writer.Serialize(document);

    /// <summary>The object's kind and name, as a patch finds its target: <c>Deployment/switchboard</c>.</summary>
    public static string Names(Dictionary<object, object> o) => $"{o["kind"]}/{Map(o, "metadata")["name"]}";

    public static Dictionary<object, object> Map(Dictionary<object, object> o, string key) =>
        o.TryGetValue(key, out var value) && value is Dictionary<object, object> map ? map : (Dictionary<object, object>)(o[key] = new Dictionary<object, object>());

    /// <summary>The containers of a workload's pod template; none for other kinds.</summary>
    public static IEnumerable<Dictionary<object, object>> Containers(Dictionary<object, object> o) =>
        (string)o["kind"] is "Deployment" or "StatefulSet" && Map(Map(Map(o, "spec"), "template"), "spec").TryGetValue("containers", out var list)
            ? ((List<object>)list).Cast<Dictionary<object, object>>()
            : [];
}
