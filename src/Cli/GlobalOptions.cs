using System.CommandLine;

namespace Switchboard.Cli;

/// <summary>The options every command takes (recursive on the root), with their environment fallbacks.</summary>
/// <param name="environment">reads an environment variable by name: the process's in sbctl, a test's own values in its tests.</param>
public sealed class GlobalOptions(Func<string, string?> environment)
{
    public const string NodeVariable = "SBCTL_NODE";
    public const string KeyVariable = "SBCTL_KEY";

    public Option<string> Node { get; } = new("--node")
    {
        Description = $"the node's base address [env {NodeVariable}]",
        HelpName = "URL",
        Recursive = true,
        DefaultValueFactory = _ => environment(NodeVariable) is { Length: > 0 } node ? node : NodeTarget.DefaultNode,
    };

    public Option<string> Prefix { get; } = new("--prefix")
    {
        Description = "the hub's path prefix on the node",
        HelpName = "PATH",
        Recursive = true,
        DefaultValueFactory = _ => NodeTarget.DefaultPrefix,
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = $"an API key with the admin scope [env {KeyVariable}]",
        HelpName = "KEY",
        Recursive = true,
        DefaultValueFactory = _ => environment(KeyVariable),
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "one JSON document on stdout (snake_case); streams write one object per line",
        Recursive = true,
    };

    public IEnumerable<Option> All => [Node, Prefix, Key, Json];

    /// <summary>
    /// <paramref name="words"/> (a line of the interactive prompt) with the session's global options put before it for
    /// each one the line does not give itself: a line may point one command elsewhere (<c>stats --node ...</c>) without
    /// the option being given twice. Before, not after, because a command's own option may shadow a global one
    /// (<c>connections list --node ADDRESS</c>).
    /// </summary>
    public IReadOnlyList<string> Inherit(RootCommand root, IReadOnlyList<string> words, NodeTarget session)
    {
        var line = root.Parse(words);
        bool Given(Option option) => line.GetResult(option) is { Implicit: false };
        var inherited = new List<string>();
        if (!Given(Node))
            inherited.AddRange([Node.Name, session.Node.ToString()]);
        if (!Given(Prefix))
            inherited.AddRange([Prefix.Name, session.Prefix]);
        if (!Given(Key) && session.Key is { } key)
            inherited.AddRange([Key.Name, key]);
        if (!Given(Json) && session.Json)
            inherited.Add(Json.Name);
        inherited.AddRange(words);
        return inherited;
    }

    /// <summary>The target these options name; a node address that is not an absolute http(s) URL is a usage error.</summary>
    public NodeTarget Resolve(ParseResult parse)
    {
        var node = parse.GetValue(Node)!;
        if (!Uri.TryCreate(node, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"--node needs an absolute http:// or https:// address, not \"{node}\"");
        return new NodeTarget(uri, parse.GetValue(Prefix)!, parse.GetValue(Key), parse.GetValue(Json));
    }
}
