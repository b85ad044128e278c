using System.IO.Pipelines;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Switchboard.Service.Auth;
using Switchboard.Service.Settings;
using Switchboard.Streams;

namespace Switchboard.Service.Http;

/// <summary><c>GET /ws</c>: refuses bad upgrades with a status and a JSON body, runs good ones until they close.</summary>
public static class WebSocketEndpoint
{
    public static async Task HandleAsync(HttpContext context, UpgradeAdmission admission, SwitchboardOptions options, AuthOptions auth)
    {
        var request = context.Request;
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var (admitted, refusal) = admission.AsksHooks && TransportUpgrade.HandOver.Take(context) is { } decided
            ? (null, decided)
            : await admission.AdmitAsync(request.Method, request.Query, request.Headers,
                upgrade is { IsUpgradableRequest: true }, context.Connection.RemoteIpAddress, auth.UseHttpContextUser ? AppUserOf(context.User) : null);
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

    // The embedding app's own authentication named the user: its sub, or the name-identifier claim.
    private static string? AppUserOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true
            ? user.FindFirst("sub")?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value
            : null;
}
