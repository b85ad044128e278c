using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Switchboard.Service.Settings;
using Switchboard.Streams;

namespace Switchboard.Service.Http;

/// <summary><c>GET /ws</c>: refuses bad upgrades with a status and a JSON body, runs good ones until they close.</summary>
public static class WebSocketEndpoint
{
    public static async Task HandleAsync(HttpContext context, UpgradeAdmission admission, SwitchboardOptions options)
    {
        var request = context.Request;
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var admitted = admission.Admit(request.Method, request.Query, request.Headers, upgrade is { IsUpgradableRequest: true },
            context.Connection.RemoteIpAddress, out var refusal);
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
            admitted.Abandon();
            throw;
        }
        var transport = new ConnectionTransport(
            PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: options.ReadBufferSize,
                minimumReadSize: Math.Min(256, options.ReadBufferSize), leaveOpen: true, useZeroByteReads: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: options.WriteBufferSize, leaveOpen: true)),
            context.Abort);
        await admitted.RunAsync(transport);
    }
}
