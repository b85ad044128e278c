namespace Switchboard.Service.Tests.Deploy.Support;

/// <summary>
/// Kubernetes' strategic merge patch, as far as deploy/'s patches use it: maps merge key by key, lists of maps that
/// each have a <c>name</c> (containers, env, volumes, volume mounts, sysctls) merge item by name, other lists are replaced.
/// </summary>
public static class StrategicMerge
{
    public static void Apply(Dictionary<object, object> target, Dictionary<object, object> patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is Dictionary<object, object> map && target.TryGetValue(key, out var existing) && existing is Dictionary<object, object> into)
                Apply(into, map);
            else if (value is List<object> list && target.TryGetValue(key, out var old) && old is List<object> items && ByName(list) && ByName(items))
                MergeByName(items, list);
            else
                target[key] = value;
        }
    }

    private static bool ByName(List<object> list) => list.All(i => i is Dictionary<object, object> m && m.ContainsKey("name"));

    private static void MergeByName(List<object> items, List<object> patch)
    {
        foreach (Dictionary<object, object> item in patch)
        {
            if (items.Cast<Dictionary<object, object>>().FirstOrDefault(i => Equals(i["name"], item["name"])) is { } same)
                Apply(same, item);
            else
                items.Add(item);
        }
    }
}
