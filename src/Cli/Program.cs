using Spectre.Console;
using Switchboard.Cli;
using Switchboard.Cli.Interactive;

// Ctrl+C cancels the running command (a stream ends, a request is abandoned) rather than killing the process, so that
// the interactive prompt survives it and a one-shot command still exits with its status.
using var interrupt = new CommandInterrupt();
var console = AnsiConsole.Console;
// Piped into grep or a file, a table keeps one row a line instead of wrapping at Spectre's default 80 columns.
if (Console.IsOutputRedirected)
    console.Profile.Width = 240;

var commandLine = new SbctlCommandLine(new Session(interactive: false, console), console, Console.Out, Console.Error,
    noCommand: (target, _) => new InteractivePrompt(target, console, interrupt).RunAsync());
return await commandLine.RunAsync(args, interrupt.Next());
