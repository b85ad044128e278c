namespace Switchboard.Cli;

/// <summary>A command line the parser accepted but whose values do not make sense together (exit status 2).</summary>
public sealed class UsageException(string message) : Exception(message);
