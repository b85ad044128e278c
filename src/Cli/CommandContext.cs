using System.CommandLine;

namespace Switchboard.Cli;

/// <summary>What a command's body is handed: its parse, the node's client, where to write, and how it runs.</summary>
public sealed record CommandContext(ParseResult Parse, AdminClient Client, Output Output, Session Session)
{
    public T Value<T>(Option<T> option) => Parse.GetValue(option)!;
    public T Value<T>(Argument<T> argument) => Parse.GetValue(argument)!;
}
