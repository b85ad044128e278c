using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Switchboard.Service.Logging;

/// <summary>
/// An <see cref="ILoggerFactory"/> whose loggers hand every provider lines without secrets
/// (<see cref="SecretRedactor"/>): the formatted message, each structured value (what a JSON formatter writes),
/// scopes and the exception's text. Everything that logs through the container's factory passes here:
/// ASP.NET Core's hosting, routing and Kestrel, HttpClient's handlers, Akka through Akka.Hosting, and our own code.
/// </summary>
public sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) =>
        _loggers.GetOrAdd(categoryName, static (category, factory) => new RedactingLogger(factory.CreateLogger(category)), inner);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>Nothing to release: the inner factory belongs to whoever made it (the container).</summary>
    public void Dispose()
    {
    }
}

internal sealed class RedactingLogger(ILogger inner) : ILogger
{
    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull =>
        RedactedState.TryOf(state, static (s, _) => s.ToString() ?? "", null, out var redacted)
            ? inner.BeginScope(redacted)
            : inner.BeginScope(state);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
            return;
        var shown = exception is null ? null : RedactedException.Of(exception);
        if (RedactedState.TryOf(state, formatter, exception, out var redacted))
            inner.Log(logLevel, eventId, redacted, shown, RedactedState.Format);
        else
            inner.Log(logLevel, eventId, state, shown, formatter);
    }
}

/// <summary>A log entry's state with its secrets taken out: the values, and the message made from the original.</summary>
internal sealed class RedactedState : IReadOnlyList<KeyValuePair<string, object?>>
{
    // Values shorter than this are not looked for elsewhere in the entry (they would wipe ordinary words);
    // where they stand behind a secret's name they are taken out all the same.
    private const int MinCrossRedacted = 4;

    private readonly KeyValuePair<string, object?>[] _values;

    private RedactedState(KeyValuePair<string, object?>[] values, string message)
    {
        _values = values;
        Message = message;
    }

    public string Message { get; }

    public static readonly Func<RedactedState, Exception?, string> Format = static (state, _) => state.Message;

    /// <summary>
    /// False, and nothing allocated, when no value of <paramref name="state"/> names a secret (strings and plain
    /// values are looked at as they are; other values by their text, as a formatter would write them).
    /// </summary>
    public static bool TryOf<TState>(TState state, Func<TState, Exception?, string> formatter, Exception? exception,
        out RedactedState redacted)
    {
        redacted = null!;
        if (state is IReadOnlyList<KeyValuePair<string, object?>> list)
        {
            var dirty = false;
            for (var i = 0; i < list.Count && !dirty; i++)
                dirty = MayHoldSecret(list[i]);
            if (!dirty)
                return false;
            redacted = Of([.. list], formatter(state, exception));
            return true;
        }
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            if (!values.Any(MayHoldSecret))
                return false;
            redacted = Of(values.ToArray(), formatter(state, exception));
            return true;
        }
        var message = formatter(state, exception);
        if (!SecretRedactor.MayHoldSecret(message))
            return false;
        redacted = Of([], message);
        return true;
    }

    private static RedactedState Of(KeyValuePair<string, object?>[] values, string message)
    {
        var removed = new List<string>();
        message = SecretRedactor.Redact(message, removed);
        for (var i = 0; i < values.Length; i++)
        {
            var (key, value) = values[i];
            if (value is null || IsPlain(value))
                continue;
            var text = value as string ?? TextOf(value);
            if (SecretRedactor.IsSecretName(key) && text.Length > 0)
            {
                removed.Add(text);
                values[i] = new(key, SecretRedactor.Redacted);
            }
            else if (SecretRedactor.MayHoldSecret(text))
            {
                values[i] = new(key, SecretRedactor.Redact(text, removed));
            }
        }
        // A secret found in one place is taken out wherever else it shows: a value named by a header key and
        // repeated in the message, or a value that is (part of) a secret only once the message puts a name before
        // it ("Authorization: Bearer {Token}").
        var secrets = removed.Where(s => s.Length >= MinCrossRedacted && s != SecretRedactor.Redacted).Distinct().ToList();
        if (secrets.Count == 0)
            return new RedactedState(values, message);
        for (var i = 0; i < values.Length; i++)
        {
            var (key, value) = values[i];
            if (value is null || IsPlain(value) || value is SecretRedactor.Redacted)
                continue;
            var text = value as string ?? TextOf(value);
            if (text.Length >= MinCrossRedacted && secrets.Any(secret => secret.Contains(text, StringComparison.Ordinal)))
            {
                values[i] = new(key, SecretRedactor.Redacted);
                continue;
            }
            var cleaned = Without(text, secrets);
            if (!ReferenceEquals(cleaned, text))
                values[i] = new(key, cleaned);
        }
        return new RedactedState(values, Without(message, secrets));
    }

    private static string Without(string text, List<string> secrets)
    {
        foreach (var secret in secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
                text = text.Replace(secret, SecretRedactor.Redacted, StringComparison.Ordinal);
        }
        return text;
    }

    private static bool MayHoldSecret(KeyValuePair<string, object?> entry) => entry.Value switch
    {
        null => false,
        string s => s.Length > 0 && (SecretRedactor.IsSecretName(entry.Key) || SecretRedactor.MayHoldSecret(s)),
        var v when IsPlain(v) => false,
        var v => SecretRedactor.IsSecretName(entry.Key) || SecretRedactor.MayHoldSecret(TextOf(v)),
    };

    // Values whose text cannot hold a secret: numbers, enums, times, ids.
    private static bool IsPlain(object value) =>
        value is IConvertible and not string || value is TimeSpan or DateTimeOffset or Guid or EventId;

    // As the message formatter writes a value: a sequence as its items joined by ", ".
    private static string TextOf(object value) => value switch
    {
        IEnumerable items and not IFormattable =>
            string.Join(", ", items.Cast<object?>().Select(item => Convert.ToString(item, CultureInfo.InvariantCulture))),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    public KeyValuePair<string, object?> this[int index] => _values[index];

    public int Count => _values.Length;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message;
}

/// <summary>
/// Stands in for a logged exception whose messages name a secret: its text (what providers write) is the
/// original's, redacted. Exceptions without one are logged as they are.
/// </summary>
public sealed class RedactedException : Exception
{
    private const int MaxExamined = 32;
    private readonly string _text;
    private readonly string? _stackTrace;

    private RedactedException(Exception original, string text)
        : base(SecretRedactor.Redact(original.Message))
    {
        _text = text;
        _stackTrace = original.StackTrace; // code locations only
        HResult = original.HResult;
        OriginalType = original.GetType().FullName ?? original.GetType().Name;
    }

    /// <summary>The type of the exception this one stands in for.</summary>
    public string OriginalType { get; }

    public override string? StackTrace => _stackTrace;

    public override string ToString() => _text;

    public static Exception Of(Exception exception) =>
        MessagesMayHoldSecret(exception) ? new RedactedException(exception, SecretRedactor.Redact(exception.ToString())) : exception;

    // The text of an exception is its type, message and stack trace, and the same of each inner one;
    // only the messages carry data.
    private static bool MessagesMayHoldSecret(Exception exception)
    {
        var pending = new Stack<Exception>();
        pending.Push(exception);
        for (var examined = 0; pending.Count > 0 && examined < MaxExamined; examined++)
        {
            var e = pending.Pop();
            if (SecretRedactor.MayHoldSecret(e.Message))
                return true;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                    pending.Push(inner);
            }
            else if (e.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
        return pending.Count > 0; // more than we look at: treat as dirty rather than guess
    }
}
