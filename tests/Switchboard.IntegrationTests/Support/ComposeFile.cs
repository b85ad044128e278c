using System.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using Compose = Switchboard.Service.Tests.Deploy.Support.ComposeFile;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// docker/compose.yaml as Compose reads it (anchors and merge keys resolved, <c>${NAME}</c> taken from an .env file),
/// and docker/init-env.sh, which writes that file. No Docker engine is needed: what the file says is checked here, and
/// what a node does with it by running the node.
/// </summary>
public sealed class ComposeFile
{
    private readonly Dictionary<object, object> _root;

    private ComposeFile(string text, Dictionary<object, object> root)
    {
        Text = text;
        _root = root;
    }

    public static string Folder => System.IO.Path.Combine(ServiceProcess.RepositoryRoot, "docker");
    public static string Path => System.IO.Path.Combine(Folder, "compose.yaml");
    public static string InitEnvScript => System.IO.Path.Combine(Folder, "init-env.sh");

    public string Text { get; }

    /// <summary>
    /// Parses the file: a YAML error throws. Merge keys (<c>&lt;&lt;: *node</c>) are resolved as Compose does, a key
    /// written beside the merge taking the place of the merged one.
    /// </summary>
    public static ComposeFile Load()
    {
        var text = File.ReadAllText(Path);
        var root = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(new StringReader(text))));
        return new ComposeFile(text, root);
    }

    public IReadOnlyList<string> Services => [.. Mapping(_root, "services").Keys.Select(k => (string)k)];

    /// <summary>A service's <c>environment</c> as written, before interpolation.</summary>
    public IReadOnlyDictionary<string, string> Environment(string service) =>
        Mapping(Mapping(Mapping(_root, "services"), service), "environment").ToDictionary(p => (string)p.Key, p => (string)p.Value);

    /// <summary>Every <c>${NAME...}</c> of the file, by name, with what follows the name (<c>:?message</c>, or empty).</summary>
    public IReadOnlyDictionary<string, string> Variables => Compose.References(Text);

    /// <summary>The <c>NAME=value</c> lines of an .env file (comments and blank lines skipped).</summary>
    public static Dictionary<string, string> ReadEnvFile(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    /// <summary>Runs docker/init-env.sh with <c>sh</c> (as a user without bash would), writing <paramref name="envFile"/>.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunInitEnvAsync(string envFile)
    {
        var info = new ProcessStartInfo("sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(InitEnvScript);
        info.Environment["ENV_FILE"] = envFile;
        using var script = Process.Start(info)!;
        var (output, error) = (script.StandardOutput.ReadToEndAsync(), script.StandardError.ReadToEndAsync());
        using var guard = new CancellationTokenSource(Eventually.Deadline);
        await script.WaitForExitAsync(guard.Token);
        return (script.ExitCode, await output, await error);
    }

    private static Dictionary<object, object> Mapping(Dictionary<object, object> node, string key) => (Dictionary<object, object>)node[key];

}
