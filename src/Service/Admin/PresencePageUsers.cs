using System.Text.Json;

namespace Switchboard.Service.Admin;

/// <summary>
/// The user ids at the start of a presence page (PROTOCOL.md "Presence": <c>{"users":{"alice":[...],...},"complete":...}</c>),
/// how many users the page lists and whether it is the whole list. Read without building the page's objects: a page
/// holds up to <c>Presence:PageSize</c> users, each with its connections' <c>info</c>, and only a few names are kept.
/// </summary>
public sealed record PresencePageUsers(IReadOnlyList<string> First, int Listed, bool Complete)
{
    public static PresencePageUsers Read(ReadOnlySpan<byte> page, int take)
    {
        var first = new List<string>(take);
        var listed = 0;
        var complete = false;
        var reader = new Utf8JsonReader(page);
        reader.Read(); // the page's object
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("users"u8))
            {
                reader.Read(); // the users' object, a property a user
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (first.Count < take)
                        first.Add(reader.GetString()!);
                    listed++;
                    reader.Read();
                    reader.Skip(); // the user's connections
                }
            }
            else if (reader.ValueTextEquals("complete"u8))
            {
                reader.Read();
                complete = reader.GetBoolean();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return new PresencePageUsers(first, listed, complete);
    }
}
