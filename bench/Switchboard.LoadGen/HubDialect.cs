using System.Collections.Concurrent;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Switchboard.LoadGen;

/// <summary>
/// How a hub is spoken to: Switchboard's JSON frames (docs/protocol.md), which the Node.js
/// <c>ws</c> baseline speaks too, or SignalR's JSON hub protocol over a WebSocket. Every benchmark message carries <c>{"t":timestamp}</c>
/// (Stopwatch ticks, one monotonic clock for every process on the machine) as its data.
/// </summary>
public abstract class HubDialect
{
    /// <param name="jwtSecret">With Switchboard: connect with an HS256 token for each user instead of <c>user_id</c>.</param>
    public static HubDialect For(HubKind kind, string? jwtSecret = null) =>
        kind == HubKind.SignalR ? new SignalRDialect() : new SwitchboardDialect(jwtSecret);

    public abstract Uri ConnectUri(Uri node, string user);

    /// <summary>Frames the client sends right after the upgrade; the first server frame is then awaited.</summary>
    public abstract byte[]? Handshake { get; }

    /// <summary>A frame the client must send now and then to stay connected, or null when the server pings.</summary>
    public abstract byte[]? KeepAlive { get; }

    public abstract byte[] Direct(string to, long timestamp);

    public abstract byte[] Join(string group);

    public abstract byte[] ToGroup(string group, long timestamp);

    /// <summary>The HTTP API call that broadcasts to every connection.</summary>
    public abstract (string Path, string Body) Broadcast(long timestamp);

    private sealed class SwitchboardDialect(string? jwtSecret) : HubDialect
    {
        private readonly ConcurrentDictionary<string, string> _tokens = new();

        public override Uri ConnectUri(Uri node, string user) => jwtSecret is null
            ? new($"ws://{node.Authority}/ws?user_id={user}")
            : new($"ws://{node.Authority}/ws?access_token={_tokens.GetOrAdd(user, Mint)}");

        // As an identity provider would: the user as sub, valid for a day.
        private string Mint(string user) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = user },
            Expires = DateTime.UtcNow.AddDays(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(jwtSecret!)),
                SecurityAlgorithms.HmacSha256),
        });
        public override byte[]? Handshake => null;
        public override byte[]? KeepAlive => null;
        public override byte[] Direct(string to, long timestamp) => Encoding.UTF8.GetBytes($$$"""{"type":"bench","to":"{{{to}}}","data":{"t":{{{timestamp}}}}}""");
        public override byte[] Join(string group) => Encoding.UTF8.GetBytes($$"""{"type":"join","group":"{{group}}"}""");
        public override byte[] ToGroup(string group, long timestamp) => Encoding.UTF8.GetBytes($$$"""{"type":"bench","group":"{{{group}}}","data":{"t":{{{timestamp}}}}}""");
        public override (string, string) Broadcast(long timestamp) => ("/ws/broadcast", $$$"""{"type":"bench","data":{"t":{{{timestamp}}}}}""");
    }

    private sealed class SignalRDialect : HubDialect
    {
        private const char RecordSeparator = '\u001e';

        public override Uri ConnectUri(Uri node, string user) => new($"ws://{node.Authority}/hub?user_id={user}");
        public override byte[]? Handshake { get; } = Encoding.UTF8.GetBytes($$"""{"protocol":"json","version":1}{{RecordSeparator}}""");
        public override byte[]? KeepAlive { get; } = Encoding.UTF8.GetBytes($$"""{"type":6}{{RecordSeparator}}""");
        public override byte[] Direct(string to, long timestamp) => Invoke("Direct", $$"""["{{to}}",{"t":{{timestamp}}}]""");
        public override byte[] Join(string group) => Invoke("Join", $$"""["{{group}}"]""");
        public override byte[] ToGroup(string group, long timestamp) => Invoke("SendGroup", $$"""["{{group}}",{"t":{{timestamp}}}]""");
        public override (string, string) Broadcast(long timestamp) => ("/broadcast", $$"""{"t":{{timestamp}}}""");

        private static byte[] Invoke(string target, string arguments) =>
            Encoding.UTF8.GetBytes($$"""{"type":1,"target":"{{target}}","arguments":{{arguments}}}{{RecordSeparator}}""");
    }
}
