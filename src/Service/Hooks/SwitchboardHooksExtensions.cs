using Akka.Actor;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Actors.Hooks;
using Switchboard.Actors.Namespaces;
using Switchboard.Service.Auth;
using Switchboard.Service.Settings;

namespace Switchboard.Service.Hooks;

/// <summary>A hook an embedding application handles in code (<see cref="SwitchboardHooksExtensions.AddSwitchboardHooks"/>).</summary>
public sealed record HooksInCode(Action<AppHooks> Configure);

public static class SwitchboardHooksExtensions
{
    /// <summary>
    /// Handles some of the application's hooks in code, in the embedding application's own process: the handlers get the
    /// requests an HTTP hook would and are held to the same rules, timeouts and limits (docs/hooks.md). A hook handled here
    /// may not also have a <c>Hooks:&lt;Hook&gt;:Url</c>.
    /// </summary>
    public static IServiceCollection AddSwitchboardHooks(this IServiceCollection services, Action<AppHooks> configure) =>
        services.AddSingleton(new HooksInCode(configure));

    internal static void AddHooks(this IServiceCollection services)
    {
        services.AddSingleton(sp => HooksSettingsLoader.Load(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<AuthOptions>()));
        HttpHooks.AddClients(services);
        services.AddSingleton<HttpHooks>();
        services.AddSingleton<HookStats>();
        services.AddSingleton(Compose);
        // Null with no hook configured: nothing on a connection's path then asks about hooks at all.
        services.AddSingleton(sp => sp.GetRequiredService<AppHooks>() is var hooks && HookKinds.All.Any(hooks.Has)
            ? new HookCalls(hooks, sp.GetRequiredService<HooksSettings>().Options, sp.GetRequiredService<HookStats>(),
                sp.GetRequiredService<SwitchboardOptions>().MaxGroupsPerConnection,
                Akka.Event.Logging.GetLogger(sp.GetRequiredService<ActorSystem>(), typeof(HookCalls)))
            : null!);
    }

    // The hooks in code first, then the URLs for the rest; a hook with both, or a namespace that asks a hook nobody
    // configured, stops start-up (resolved by SwitchboardLifecycle before anything starts).
    private static AppHooks Compose(IServiceProvider sp)
    {
        var settings = sp.GetRequiredService<HooksSettings>();
        var hooks = new AppHooks();
        var problems = new List<string>();
        foreach (var inCode in sp.GetServices<HooksInCode>())
            inCode.Configure(hooks);
        foreach (var kind in settings.Urls.Keys.Where(hooks.Has))
            problems.Add($"{HooksSettings.SectionName}:{kind.Section()}:Url: the {kind.Name()} hook is handled in code (AddSwitchboardHooks) too; configure one of them");
        sp.GetRequiredService<HttpHooks>().Fill(hooks);
        var namespaces = sp.GetRequiredService<NamespaceBook>().Current;
        foreach (var (name, rules) in namespaces.Rules.Prepend(new("Default", namespaces.Default)))
        {
            var path = name == "Default" ? "Namespaces:Default" : $"Namespaces:Rules:{name}";
            if (rules.JoinHook && !hooks.Has(HookKind.Join))
                problems.Add($"{path}:JoinHook: no join hook is configured (Hooks:Join:Url, or a handler in code)");
            if (rules.PublishHook && !hooks.Has(HookKind.Publish))
                problems.Add($"{path}:PublishHook: no publish hook is configured (Hooks:Publish:Url, or a handler in code)");
        }
        if (settings.Options.PublishDirect && !hooks.Has(HookKind.Publish))
            problems.Add("Hooks:Publish:Direct: no publish hook is configured (Hooks:Publish:Url, or a handler in code)");
        return problems.Count == 0 ? hooks : throw new SwitchboardSettingsException(problems);
    }
}
