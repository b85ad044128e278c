namespace Switchboard.Cli;

/// <summary>The node answered with an error body, or could not be reached; <see cref="Exception.Message"/> is what the operator reads.</summary>
public sealed class NodeRefusedException(string message, Exception? inner = null) : Exception(message, inner);
