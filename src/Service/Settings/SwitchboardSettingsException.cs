namespace Switchboard.Service.Settings;

/// <summary>One or more settings are invalid; the message lists each with its source and value.</summary>
public sealed class SwitchboardSettingsException(IReadOnlyList<string> problems)
    : Exception("Invalid Switchboard settings:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
