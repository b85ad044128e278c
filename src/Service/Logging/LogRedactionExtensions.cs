using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Service.Logging;

public static class LogRedactionExtensions
{
    /// <summary>
    /// Wraps the container's <see cref="ILoggerFactory"/> in a <see cref="RedactingLoggerFactory"/>: every line
    /// logged through it, by any component to any provider, has its tokens and keys taken out.
    /// </summary>
    /// <remarks>
    /// The factory rather than each provider: providers may be added after this call (an app's
    /// <c>builder.Logging.AddConsole()</c> after <c>AddSwitchboard</c>), and the factory is built from all of them
    /// when the container first hands it out. The registration in force is decorated in its place, and itself
    /// kept under a private key, so the container builds and disposes it as before. Only a later registration
    /// that replaces <see cref="ILoggerFactory"/> again (a logging library's own factory) takes this off:
    /// make such a call before <c>AddSwitchboard</c>. Calling this twice wraps once.
    /// </remarks>
    public static IServiceCollection AddLogRedaction(this IServiceCollection services)
    {
        services.AddLogging();
        var index = -1;
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType == typeof(ILoggerFactory) && !services[i].IsKeyedService)
                index = i;
        }
        var current = services[index];
        if (current.ImplementationFactory?.Target is Decoration)
            return services;
        var decoration = new Decoration();
        services.Add(decoration.KeyedCopyOf(current));
        services[index] = ServiceDescriptor.Describe(typeof(ILoggerFactory), decoration.Create, current.Lifetime);
        return services;
    }

    private sealed class Decoration
    {
        // The original registration's key: an object of our own, so no one else can ask for it by accident.
        private readonly object _key = new();

        public ServiceDescriptor KeyedCopyOf(ServiceDescriptor original) => original switch
        {
            { ImplementationInstance: { } instance } => new ServiceDescriptor(typeof(ILoggerFactory), _key, instance),
            { ImplementationFactory: { } factory } =>
                new ServiceDescriptor(typeof(ILoggerFactory), _key, (sp, _) => factory(sp), original.Lifetime),
            _ => new ServiceDescriptor(typeof(ILoggerFactory), _key, original.ImplementationType!, original.Lifetime),
        };

        public object Create(IServiceProvider services) =>
            new RedactingLoggerFactory(services.GetRequiredKeyedService<ILoggerFactory>(_key));
    }
}
