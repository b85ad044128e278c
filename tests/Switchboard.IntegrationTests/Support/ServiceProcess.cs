using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Switchboard.IntegrationTests.Support;

/// <summary>The standalone service (src/Service) as its own OS process on a free loopback port.</summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private bool _disposed;

    private readonly IDictionary<string, string>? _environment;
    private readonly string _assembly;

    private ServiceProcess(Process process, Uri baseUri, IDictionary<string, string>? environment, string assembly)
    {
        _process = process;
        BaseUri = baseUri;
        _environment = environment;
        _assembly = assembly;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseUri { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>
    /// Starts the service. By default it is told its address with --urls; pass <paramref name="useUrlsArgument"/> false
    /// to set ASPNETCORE_URLS instead. <paramref name="openFileLimit"/> starts it under a lowered <c>ulimit -n</c>.
    /// <paramref name="assembly"/> runs another app that hosts the hub instead of src/Service.
    /// </summary>
    public static ServiceProcess Start(IDictionary<string, string>? environment = null, bool useUrlsArgument = true,
        int? openFileLimit = null, Uri? baseUri = null, string? assembly = null)
    {
        baseUri ??= new Uri($"http://127.0.0.1:{FreePort()}");
        assembly ??= ServiceAssembly;
        var info = new ProcessStartInfo(openFileLimit is null ? "dotnet" : "bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        if (openFileLimit is { } limit)
        {
            // exec keeps the PID, so stopping the process by its id still stops the service.
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add($"ulimit -n {limit} && exec dotnet \"$@\"");
            info.ArgumentList.Add("bash");
        }
        info.ArgumentList.Add(assembly);
        if (useUrlsArgument)
        {
            info.ArgumentList.Add("--urls");
            info.ArgumentList.Add(baseUri.ToString());
        }
        else
        {
            info.Environment["ASPNETCORE_URLS"] = baseUri.ToString();
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        return new ServiceProcess(Process.Start(info)!, baseUri, environment, assembly);
    }

    /// <summary>The value of a variable this process was started with.</summary>
    public string Setting(string variable) => _environment![variable];

    /// <summary>
    /// Starts the service as its image does, through docker/entrypoint.sh in the service's build output, under a soft
    /// open-file limit of <paramref name="softOpenFileLimit"/> with the hard limit left as it is. The address is
    /// <paramref name="environment"/>'s ASPNETCORE_URLS.
    /// </summary>
    public static ServiceProcess StartThroughEntrypoint(IDictionary<string, string> environment, int softOpenFileLimit)
    {
        var info = new ProcessStartInfo("sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(ServiceAssembly)!,
        };
        // exec keeps the PID through sh, the entrypoint and dotnet, so stopping the process by its id stops the service.
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"ulimit -S -n {softOpenFileLimit} && exec \"$0\"");
        info.ArgumentList.Add(Path.Combine(RepositoryRoot, "docker", "entrypoint.sh"));
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        return new ServiceProcess(Process.Start(info)!, new Uri(environment["ASPNETCORE_URLS"]), environment, ServiceAssembly);
    }

    /// <summary>A new process of the service with this one's address and environment (this one must have exited).</summary>
    public ServiceProcess StartAgain() => Start(_environment, baseUri: BaseUri, assembly: _assembly);

    public async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseUri };
        await Eventually.TrueAsync(async () =>
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the service exited with {_process.ExitCode}:\n{Output}");
            return (await http.GetAsync("/ws/health")).IsSuccessStatusCode;
        }, "the service reports healthy");
    }

    /// <summary>Sends SIGTERM, as an orchestrator stopping the node does.</summary>
    public void Terminate() => Assert.Equal(0, Kill(_process.Id, 15));

    /// <summary>Stops the process where it stands (SIGSTOP): what a long GC pause, a stalled VM or a partition looks like to the others.</summary>
    public void Freeze() => Assert.Equal(0, Kill(_process.Id, 19));

    /// <summary>Lets a frozen process go on (SIGCONT).</summary>
    public void Thaw() => Assert.Equal(0, Kill(_process.Id, 18));

    public async Task<int> WaitForExitAsync()
    {
        using var guard = new CancellationTokenSource(Eventually.Deadline * 2);
        await _process.WaitForExitAsync(guard.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output) _output.AppendLine(line);
    }

    private static readonly HashSet<int> HandedOut = [];

    public static int FreePort() => FreePorts(1);

    /// <summary>
    /// The first of <paramref name="count"/> consecutive free ports, below Linux's ephemeral range
    /// (32768 and up) so that no outgoing connection of a parallel test can take one in the meantime,
    /// and never handed out twice in one run.
    /// </summary>
    public static int FreePorts(int count)
    {
        lock (HandedOut)
        {
            while (true)
            {
                var first = Random.Shared.Next(10_000, 30_000 - count);
                var ports = Enumerable.Range(first, count).ToList();
                if (ports.Any(HandedOut.Contains) || !ports.All(CanBind))
                    continue;
                HandedOut.UnionWith(ports);
                return first;
            }
        }
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The folder holding Akka.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(root.FullName, "Akka.sln")))
                root = root.Parent ?? throw new InvalidOperationException("Akka.sln not found above the test output");
            return root.FullName;
        }
    }

    /// <summary>src/Service's build output for the configuration these tests were built in.</summary>
    public static string ServiceAssembly
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory); // tests/X/bin/{Configuration}/{tfm}/
            return Path.Combine(RepositoryRoot, "src", "Service", "bin", testOutput.Parent!.Name, testOutput.Name,
                "Switchboard.Service.dll");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
