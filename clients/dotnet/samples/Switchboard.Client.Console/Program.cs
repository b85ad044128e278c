using Switchboard.Client;
var url = new Uri(args.Length > 0 ? args[0] : "ws://127.0.0.1:8080/ws");
await using var client = new SwitchboardClient(new() { Urls = [url], UserId = "console" });
await client.ConnectAsync();
await client.SendToUserAsync("console", "chat", "hello from .NET");
await foreach (var message in client.Messages.ReadAllAsync())
{
    Console.WriteLine($"{message.From}: {message.Data}");
    break;
}
