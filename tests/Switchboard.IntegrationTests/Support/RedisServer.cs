using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// A real redis-server process on a free loopback port, without persistence. It can be stopped
/// and started again on the same port, as an operator restarting Redis does.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }
    /// <summary>
    /// With command timeouts far above the service's 1 s defaults: on a loaded CI machine a reply can take
    /// longer, and a decision that times out fails open, which a test would read as a wrong limit.
    /// A stopped server still fails commands at once (the connection is gone).
    /// </summary>
    public string ConnectionString => $"127.0.0.1:{Port},asyncTimeout=10000,syncTimeout=10000";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(ServiceProcess.FreePort());
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
            info.ArgumentList.Add(argument);
        try
        {
            _process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed: test.sh installs it with apt-get", e);
        }
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Eventually.TrueAsync(async () => !_process.HasExited && await PingAsync(), $"redis-server answers on port {Port}");
    }

    /// <summary>Kills the process and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
            return;
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async Task<string> CommandAsync(params string[] arguments)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        var stream = client.GetStream();
        var request = new StringBuilder($"*{arguments.Length}\r\n");
        foreach (var argument in arguments)
            request.Append($"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            return (await CommandAsync("PING")).StartsWith("+PONG");
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
