namespace Switchboard.LoadGen;

/// <summary>The scenario cannot measure anything (say, no connection opened): told on stderr, exit code 1, no result line.</summary>
public sealed class ScenarioFailedException(string message) : Exception(message);
