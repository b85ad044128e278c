using System.Buffers.Text;
using System.CommandLine;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Switchboard.Contracts;

namespace Switchboard.Cli.Commands;

/// <summary>What <c>keys new</c> prints with <c>--json</c>: the key, and what to give the node, as variables and as settings.</summary>
/// <param name="NodeKey">what the node is given: the key, or with <c>--digest</c> its digest form.</param>
public sealed record NewKey(string Name, IReadOnlyList<string> Scopes, string Key, string Digest, string NodeKey,
    IReadOnlyList<string> Environment, IReadOnlyDictionary<string, object> Appsettings);

/// <summary><c>keys new</c>: a new API key and the configuration lines that give it to a node. Asks no node.</summary>
public static partial class KeyCommands
{
    /// <summary>What begins every key sbctl makes, so that a key is recognisable (and never begins with a dash, as an option does).</summary>
    public const string Prefix = "sb_";

    /// <summary>Random bytes in a key: 256 bits.</summary>
    public const int RandomBytes = 32;

    public static Command Create(CommandActions actions)
    {
        var scopes = new Option<string[]>("--scopes")
        {
            Description = $"what the key may do, comma-separated or repeated: {string.Join(", ", ApiKeys.Scopes)} (admin: all of them)",
            HelpName = "SCOPES",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        scopes.Validators.Add(result =>
        {
            if (Split(result.GetValueOrDefault<string[]>() ?? []).Count == 0)
                result.AddError("--scopes: give one or more scopes");
            foreach (var scope in Split(result.GetValueOrDefault<string[]>() ?? []).Where(s => !ApiKeys.Scopes.Contains(s)))
                result.AddError($"--scopes: \"{scope}\" is not a scope; use {string.Join(", ", ApiKeys.Scopes)}");
        });
        var name = new Option<string?>("--name")
        {
            Description = "what the node's logs call the key (letters, digits, . _ -); default key<INDEX>, as the node names it",
            HelpName = "NAME",
        };
        name.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } given && !NamePattern().IsMatch(given))
                result.AddError($"--name: \"{given}\" is not 1 to 64 letters, digits, '.', '_' or '-'");
        });
        var index = new Option<int>("--index")
        {
            Description = "the key's place N in Auth:ApiKeys (Auth__ApiKeys__N__...): the first free one on the node",
            HelpName = "N",
            DefaultValueFactory = _ => 0,
        };
        index.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
                result.AddError("--index: 0 or more");
        });
        var digest = new Option<bool>("--digest")
        {
            Description = $"give the node the key's SHA-256 ({ApiKeys.DigestPrefix}<hex>) instead of the key, so its configuration does not hold the key",
        };
        var create = new Command("new", "make a strong random API key and print the lines that configure it on a node") { scopes, name, index, digest };
        actions.BindOffline(create, (parse, output) =>
        {
            var n = parse.GetValue(index);
            var key = Make(parse.GetValue(name) ?? $"key{n}", Split(parse.GetValue(scopes) ?? []), n, parse.GetValue(digest));
            output.Write(key, _ => output.Plain(Describe(key, n, parse.GetValue(digest))));
        });
        return new Command("keys", "API keys for the nodes") { create };
    }

    /// <summary>A new key: <see cref="Prefix"/> and <see cref="RandomBytes"/> from the system's cryptographic generator as base64url.</summary>
    public static string NewKey() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomBytes));

    private static NewKey Make(string name, IReadOnlyList<string> scopes, int index, bool digest)
    {
        var key = NewKey();
        var digestForm = ApiKeys.DigestForm(key);
        var nodeKey = digest ? digestForm : key;
        var variable = $"Auth__ApiKeys__{index}__";
        return new NewKey(name, scopes, key, digestForm, nodeKey,
            [$"{variable}Name={name}", $"{variable}Key={nodeKey}", $"{variable}Scopes={string.Join(',', scopes)}"],
            new Dictionary<string, object> { ["Name"] = name, ["Key"] = nodeKey, ["Scopes"] = scopes });
    }

    private static string Describe(NewKey key, int index, bool digest)
    {
        // Every value is safe in JSON as it is: the name by its pattern, the key base64url or hex, the scopes from the list.
        var entry = $"{{ \"Name\": \"{key.Name}\", \"Key\": \"{key.NodeKey}\", \"Scopes\": [{string.Join(", ", key.Scopes.Select(s => $"\"{s}\""))}] }}";
        List<string> lines =
        [
            $"New API key {key.Name}, scopes {string.Join(", ", key.Scopes)}. It is shown only this once: store it where its caller reads it (for sbctl, SBCTL_KEY).",
            "",
            "  " + key.Key,
            "",
            digest
                ? "Configure every node with its digest (the node never holds the key), as environment variables:"
                : "Configure every node with it, as environment variables:",
            "",
            .. key.Environment.Select(line => "  " + line),
            "",
            $"or as entry {index} of \"Auth\": {{ \"ApiKeys\": [ ... ] }} in appsettings.json:",
            "",
            "  " + entry,
        ];
        if (index == 0)
            lines.AddRange(["", "A node that already has keys needs the next free index: sbctl keys new --index N."]);
        return string.Join(Environment.NewLine, lines);
    }

    private static List<string> Split(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Distinct().ToList();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();
}
