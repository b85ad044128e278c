using Switchboard.LoadGen;
using Switchboard.LoadGen.Scenarios;

// A load generator for Switchboard and the baselines (SignalR, Node.js ws). Each scenario prints one line
// "RESULT {json}" on stdout for scripts, and a readable summary on stderr.
LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

Console.Error.WriteLine($"{options.Scenario} against {options.Kind} at {string.Join(", ", options.Targets)}");
try
{
    await (options.Scenario switch
    {
        "density" => Density.RunAsync(options),
        "fanout" => Fanout.RunAsync(options),
        "direct" => Direct.RunAsync(options),
        "direct-max" => Direct.RunMaxAsync(options),
        "group" => Group.RunAsync(options),
        "presence" => Presence.RunAsync(options),
        var other => throw new ArgumentException($"unknown scenario \"{other}\""),
    });
}
catch (ScenarioFailedException e)
{
    Console.Error.WriteLine($"{options.Scenario}: {e.Message}");
    return 1;
}
return 0;
