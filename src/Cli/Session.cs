using Spectre.Console;

namespace Switchboard.Cli;

/// <summary>
/// How commands run: once from the shell, or line by line in the interactive prompt, where a command that changes the
/// cluster asks first (unless <c>--yes</c>).
/// </summary>
public sealed class Session(bool interactive, IAnsiConsole console)
{
    /// <summary>True when the change may go ahead.</summary>
    public bool Confirm(string what, bool yes)
    {
        if (yes || !interactive)
            return true;
        // Lines piped into the prompt have no one to answer: the change needs --yes rather than a guess.
        if (!console.Profile.Capabilities.Interactive)
            throw new UsageException($"{what}: asks for confirmation, and input is not a terminal; add --yes");
        return console.Confirm($"{Markup.Escape(what)}?", defaultValue: false);
    }
}
