using Spectre.Console;

namespace Switchboard.Cli;

/// <summary>
/// How commands run: once from the shell, or line by line in the interactive prompt, where a command that changes the
/// cluster asks first (unless <c>--yes</c>).
/// </summary>
public sealed class Session(bool interactive, IAnsiConsole console)
{
    public bool Interactive => interactive;

    /// <summary>True when the change may go ahead.</summary>
    public bool Confirm(string what, bool yes) =>
        yes || !interactive || console.Confirm($"{Markup.Escape(what)}?", defaultValue: false);
}
