using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace Switchboard.Bench.SignalRBaseline;

public sealed class BenchHub : Hub
{
    public Task Direct(string to, JsonElement data) => Clients.User(to).SendAsync("message", data);

    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task SendGroup(string group, JsonElement data) => Clients.Group(group).SendAsync("message", data);
}

/// <summary>Users named as Switchboard names them: the <c>user_id</c> query parameter.</summary>
public sealed class QueryUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.GetHttpContext()?.Request.Query["user_id"];
}
