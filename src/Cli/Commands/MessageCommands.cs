using System.CommandLine;
using Spectre.Console;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Cli.Commands;

/// <summary><c>send</c> and <c>broadcast</c>: the existing <c>POST /message</c> and <c>POST /broadcast</c>, with a client frame's JSON.</summary>
public static class MessageCommands
{
    public static Command Send(CommandActions actions)
    {
        var to = new Option<string?>("--to") { Description = "the user to send to", HelpName = "USER" };
        var group = new Option<string?>("--group") { Description = "the group to send to", HelpName = "GROUP" };
        var (type, data) = (TypeOption(), DataOption());
        var send = new Command("send", "send a message to a user or a group (POST /message)") { to, group, type, data };
        send.Validators.Add(result =>
        {
            if (result.GetValue(to) is null == result.GetValue(group) is null)
                result.AddError("send needs exactly one of --to and --group");
        });
        actions.Bind(send, async (c, cancel) =>
        {
            var frame = Frame(c, type, data);
            if (c.Value(to) is { } user)
                frame["to"] = user;
            else
                frame["group"] = c.Value(group);
            Report(c, await c.Client.PostAsync<JsonElement>("/message", frame, cancel));
        });
        return send;
    }

    public static Command Broadcast(CommandActions actions)
    {
        var (type, data) = (TypeOption(), DataOption());
        var broadcast = new Command("broadcast", "send a message to every connection (POST /broadcast)") { type, data };
        actions.Bind(broadcast, async (c, cancel) => Report(c, await c.Client.PostAsync<JsonElement>("/broadcast", Frame(c, type, data), cancel)));
        return broadcast;
    }

    private static Option<string> TypeOption() =>
        new("--type", "-t") { Description = "the message's type", HelpName = "TYPE", Required = true };

    private static Option<string?> DataOption() =>
        new("--data") { Description = "the message's data, as JSON (e.g. '{\"text\":\"hi\"}' or '\"hi\"')", HelpName = "JSON" };

    // Checked here, so that a typo in --data is a usage error (2), not the node's invalid_json (1).
    private static JsonObject Frame(CommandContext c, Option<string> type, Option<string?> data)
    {
        var frame = new JsonObject { ["type"] = c.Value(type) };
        if (c.Value(data) is { } text)
        {
            try
            {
                frame["data"] = JsonNode.Parse(text);
            }
            catch (JsonException e)
            {
                throw new UsageException($"--data is not JSON: {e.Message}");
            }
        }
        return frame;
    }

    private static void Report(CommandContext c, JsonElement answer) => c.Output.Write(answer, console => console.WriteLine("accepted"));
}
