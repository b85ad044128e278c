using Microsoft.Extensions.DependencyInjection;
using Switchboard.Actors.Hooks;

namespace Switchboard.Service.Hooks;

/// <summary>How each configured hook of this node is reached, as the admin API shows it: its URL's <c>host:port</c>, or <c>code</c>.</summary>
public static class HookTransports
{
    public const string InCode = "code";

    // A hook handled in code may not also have a URL (start-up stops), so a configured hook without one is in code.
    public static IReadOnlyDictionary<HookKind, string> Of(IServiceProvider services)
    {
        var hooks = services.GetRequiredService<AppHooks>();
        var urls = services.GetRequiredService<HooksSettings>().Urls;
        return HookKinds.All.Where(hooks.Has).ToDictionary(k => k, k => urls.TryGetValue(k, out var url) ? url.Authority : InCode);
    }
}
