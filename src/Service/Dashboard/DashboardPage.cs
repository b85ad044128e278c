using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Switchboard.Service.Dashboard;

/// <summary>
/// The dashboard page (docs/operations.md): hand-written HTML, script and styles embedded in this assembly and served
/// by the node itself, open to anyone. The data it draws comes from the admin API's dashboard stream, which needs the
/// <c>admin</c> scope; the page's script asks for the key and sends it as a header, never in a URL.
/// </summary>
public static class DashboardPage
{
    public const string Route = "/dashboard";

    // Only these files, by name: a request cannot reach any other resource of the assembly.
    private static readonly Dictionary<string, (byte[] Body, string Type)> Assets = new(StringComparer.Ordinal)
    {
        ["index.html"] = (Load("index.html"), "text/html; charset=utf-8"),
        ["dashboard.js"] = (Load("dashboard.js"), "text/javascript; charset=utf-8"),
        ["dashboard.css"] = (Load("dashboard.css"), "text/css; charset=utf-8"),
        ["icon.svg"] = (Load("icon.svg"), "image/svg+xml"),
    };

    // Scripts, styles and images from this node only, no inline script, and the stream fetched from the same origin.
    private const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
                                                 "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Maps the page at <c>/dashboard</c> and its files at <c>/dashboard/{file}</c> on <paramref name="hub"/>.</summary>
    public static void MapDashboard(this RouteGroupBuilder hub)
    {
        // The page names its files relative to itself, which only works without the trailing slash.
        hub.MapGet(Route, (HttpContext http) => http.Request.Path.Value!.EndsWith('/')
            ? Results.Redirect(http.Request.PathBase + http.Request.Path.Value.TrimEnd('/'))
            : Serve(http, "index.html"));
        hub.MapGet(Route + "/{file}", (HttpContext http, string file) => Serve(http, file));
    }

    private static IResult Serve(HttpContext http, string file)
    {
        if (!Assets.TryGetValue(file, out var asset))
            return Results.NotFound();
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return Results.Bytes(asset.Body, asset.Type);
    }

    private static byte[] Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("dashboard/" + name)
                           ?? throw new InvalidOperationException($"the dashboard's {name} is not embedded in the service");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
