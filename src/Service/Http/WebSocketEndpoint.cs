using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Switchboard.Actors.Hub;
using Switchboard.Service.Hosting;
using Switchboard.Service.Settings;
using Switchboard.Streams;

namespace Switchboard.Service.Http;

/// <summary><c>GET /ws</c>: refuses bad upgrades with a status and a JSON body, runs good ones until they close.</summary>
public static class WebSocketEndpoint
{
    public static async Task HandleAsync(HttpContext context, ConnectionHub hub, NodeState node, SwitchboardOptions options)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (node.IsDraining)
        {
            await new ApiError("draining", "this node is shutting down; connect to another").WriteAsync(context, 503);
            return;
        }
        var handshake = WebSocketHandshake.Negotiate(context.Request, options.EnableCompression, out var error);
        if (handshake is null || upgrade is not { IsUpgradableRequest: true })
        {
            if (error?.Error == "unsupported_version")
                context.Response.Headers.SecWebSocketVersion = "13";
            await (error ?? new ApiError("bad_handshake", "the connection cannot be upgraded (HTTP/1.1 is required)"))
                .WriteAsync(context, 400);
            return;
        }
        var userId = UserIdentity.Resolve(context.Request, out error);
        if (userId is null)
        {
            await error!.WriteAsync(context, 400);
            return;
        }
        var groups = UserIdentity.Groups(context.Request, out error);
        if (groups is null)
        {
            await error!.WriteAsync(context, 400);
            return;
        }
        if (!hub.TryAdmit())
        {
            await new ApiError("too_many_connections", $"this node holds its maximum of {hub.Options.MaxConnections} connections")
                .WriteAsync(context, 429);
            return;
        }

        Stream stream;
        try
        {
            handshake.ApplyTo(context.Response);
            stream = await upgrade.UpgradeAsync();
        }
        catch
        {
            hub.Release();
            throw;
        }
        var transport = new ConnectionTransport(
            PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: options.ReadBufferSize,
                minimumReadSize: Math.Min(256, options.ReadBufferSize), leaveOpen: true, useZeroByteReads: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: options.WriteBufferSize, leaveOpen: true)),
            context.Abort);
        await hub.RunAsync(transport, userId, groups, handshake.Compress);
    }
}
