using Spectre.Console;
using Switchboard.Cli;
using Switchboard.Cli.Interactive;

// Ctrl+C cancels the running command (a stream ends, a request is abandoned) rather than killing the process, so that
// the interactive prompt survives it and a one-shot command still exits with its status.
using var interrupt = new CommandInterrupt();
var console = AnsiConsole.Console;

var commandLine = new SbctlCommandLine(new Session(interactive: false, console), console, Console.Out, Console.Error,
    noCommand: (target, globalArgs, _) => new InteractivePrompt(target, globalArgs, console, interrupt).RunAsync());
return await commandLine.RunAsync(args, interrupt.Next());
