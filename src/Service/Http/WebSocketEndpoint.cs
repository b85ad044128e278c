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
        var request = context.Request;
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var admitted = UpgradeAdmission.Admit(request.Method, request.Query, request.Headers, upgrade is { IsUpgradableRequest: true },
            hub, node, options.EnableCompression, out var refusal);
        if (admitted is null)
        {
            if (refusal!.Error.Error == "unsupported_version")
                context.Response.Headers.SecWebSocketVersion = "13";
            await refusal.Error.WriteAsync(context, refusal.Status);
            return;
        }

        Stream stream;
        try
        {
            admitted.Handshake.ApplyTo(context.Response);
            stream = await upgrade!.UpgradeAsync();
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
        await hub.RunAsync(transport, admitted.UserId, admitted.Groups, admitted.Handshake.Compress);
    }
}
