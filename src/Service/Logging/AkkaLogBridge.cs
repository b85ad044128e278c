using System.Collections;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Switchboard.Service.Logging;

/// <summary>
/// Akka's log events into the host's logging, as the host's own lines look: one category per logging class
/// (<c>Akka.Cluster.ClusterCoreDaemon</c>, <c>Switchboard.Actors.Delivery.NodeConnections</c>) rather than Akka.Hosting's
/// single <c>Akka.Actor.ActorSystem</c>, so <c>Logging:LogLevel</c> can tune them; the message without Akka's
/// <c>[INFO][time][thread][source]</c> prefix, which the host's formatter gives in its own way; and the template's
/// named values, the log source and the thread as structured state, which the JSON console formatter writes as fields.
/// </summary>
public sealed class AkkaLogBridge : LoggerFactoryLogger
{
    private readonly ILoggerFactory _factory;
    private readonly Dictionary<Type, ILogger> _loggers = [];
    private readonly Dictionary<string, ILogger> _namedLoggers = new(StringComparer.Ordinal);

    public AkkaLogBridge() =>
        _factory = Context.System.Settings.Setup.Get<LoggerFactorySetup>().Value.LoggerFactory;

    /// <summary>Routes Akka's logging here, as Akka.Hosting's <c>AddLoggerFactory</c> does with its own logger.</summary>
    public static void Configure(LoggerConfigBuilder loggers) => loggers.AddLogger<AkkaLogBridge>();

    protected override void Log(LogEvent log, ActorPath path)
    {
        var logger = log.LogClass is null || log.LogClass == typeof(DummyClassForStringSources)
            ? LoggerOf(log.LogSource)
            : LoggerOf(log.LogClass);
        var level = LevelOf(log.LogLevel());
        if (logger.IsEnabled(level))
            logger.Log(level, default, new AkkaLogState(log), log.Cause, AkkaLogState.Format);
    }

    // Per class, not per source: the classes that log are a fixed set, actor paths are not.
    private ILogger LoggerOf(Type logClass)
    {
        if (!_loggers.TryGetValue(logClass, out var logger))
            _loggers[logClass] = logger = _factory.CreateLogger(logClass.FullName ?? logClass.Name);
        return logger;
    }

    // Akka's extensions log under a name and their system ("Cluster (akka://switchboard)"): Akka.Cluster.
    private ILogger LoggerOf(string source)
    {
        var name = source.IndexOf(" (", StringComparison.Ordinal) is var paren and > 0 ? source[..paren] : source;
        if (!_namedLoggers.TryGetValue(name, out var logger))
            _namedLoggers[name] = logger = _factory.CreateLogger("Akka." + name);
        return logger;
    }

    private static LogLevel LevelOf(AkkaLogLevel level) => level switch
    {
        AkkaLogLevel.DebugLevel => LogLevel.Debug,
        AkkaLogLevel.InfoLevel => LogLevel.Information,
        AkkaLogLevel.WarningLevel => LogLevel.Warning,
        _ => LogLevel.Error,
    };
}

/// <summary>An Akka log event as structured state: the template's values, <c>LogSource</c>, <c>Thread</c> and the template.</summary>
internal sealed class AkkaLogState : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly LogEvent _log;
    private readonly KeyValuePair<string, object?>[] _values;

    public AkkaLogState(LogEvent log)
    {
        _log = log;
        var values = new List<KeyValuePair<string, object?>>();
        var message = log.Message as LogMessage;
        foreach (var (name, value) in message?.GetProperties() ?? new Dictionary<string, object>())
        {
            // Akka's own positional holes ({0}) name nothing a reader could search for.
            if (!int.TryParse(name, out _))
                values.Add(new(name, value));
        }
        values.Add(new("LogSource", log.LogSource));
        values.Add(new("Thread", log.Thread.ManagedThreadId));
        if (message is not null)
            values.Add(new("{OriginalFormat}", message.Format));
        _values = [.. values];
    }

    public static string Format(AkkaLogState state, Exception? _) => state._log.Message?.ToString() ?? "";

    public KeyValuePair<string, object?> this[int index] => _values[index];

    public int Count => _values.Length;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Format(this, null);
}
