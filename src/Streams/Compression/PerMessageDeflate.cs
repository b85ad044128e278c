namespace Switchboard.Streams.Compression;

/// <summary>
/// permessage-deflate negotiation (RFC 7692 §7). The server always answers with
/// no context takeover in both directions: each server message is compressed on its own,
/// so one compressed broadcast frame can be shared by every connection, and each client
/// message inflates on its own, so an idle connection keeps no inflater window.
/// </summary>
public static class PerMessageDeflate
{
    public const string Name = "permessage-deflate";

    /// <summary>The response to every offer we accept.</summary>
    public const string Response = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    /// <summary>
    /// Picks the first acceptable offer from the Sec-WebSocket-Extensions values. An offer is
    /// refused when it limits our window (server_max_window_bits below 15: the runtime's deflater
    /// always uses 15) or carries a parameter we do not know.
    /// </summary>
    public static bool TryNegotiate(IEnumerable<string?> extensionHeaders)
    {
        foreach (var header in extensionHeaders)
        {
            if (string.IsNullOrEmpty(header))
                continue;
            foreach (var offer in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (IsAcceptable(offer))
                    return true;
            }
        }
        return false;
    }

    private static bool IsAcceptable(string offer)
    {
        var parts = offer.Split(';', StringSplitOptions.TrimEntries);
        if (!parts[0].Equals(Name, StringComparison.OrdinalIgnoreCase))
            return false;
        foreach (var parameter in parts.AsSpan(1))
        {
            var equals = parameter.IndexOf('=');
            var name = equals < 0 ? parameter : parameter[..equals].Trim();
            var value = equals < 0 ? null : parameter[(equals + 1)..].Trim().Trim('"');
            switch (name.ToLowerInvariant())
            {
                case "server_no_context_takeover":
                case "client_no_context_takeover":
                    if (value is not null) return false;
                    break;
                case "client_max_window_bits":
                    // Our inflater accepts any window, so the client may use what it likes.
                    if (value is not null && !IsWindowBits(value)) return false;
                    break;
                case "server_max_window_bits":
                    if (value != "15") return false;
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    private static bool IsWindowBits(string value) => int.TryParse(value, out var bits) && bits is >= 8 and <= 15;
}
