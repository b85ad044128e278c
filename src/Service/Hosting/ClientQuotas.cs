using System.Collections.Concurrent;
using System.Net;

namespace Switchboard.Service.Hosting;

/// <summary>
/// The connections each user and each client address hold on this node, each under its bound
/// (MaxConnectionsPerUser, MaxConnectionsPerIp; 0 for none, which costs nothing per connect).
/// </summary>
public sealed class ClientQuotas(int perUser, int perAddress)
{
    private readonly BoundedCounts _users = new(perUser);
    private readonly BoundedCounts _addresses = new(perAddress);

    /// <summary>Takes a place for one connection; null, and which bound refused it, when one is full.</summary>
    public ClientLease? TryTake(string userId, IPAddress? client, out string? refusal)
    {
        refusal = null;
        if (!_users.TryTake(userId))
        {
            refusal = $"user \"{userId}\" holds its maximum of {perUser} connections on this node";
            return null;
        }
        var address = client is null ? null : (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString();
        if (address is not null && !_addresses.TryTake(address))
        {
            _users.Give(userId);
            refusal = $"this client address holds its maximum of {perAddress} connections on this node";
            return null;
        }
        return _users.Bounded || _addresses.Bounded ? new ClientLease(this, userId, address) : ClientLease.None;
    }

    internal void Give(string userId, string? address)
    {
        _users.Give(userId);
        if (address is not null)
            _addresses.Give(address);
    }

    private sealed class BoundedCounts(int bound)
    {
        private readonly ConcurrentDictionary<string, int> _counts = new();

        public bool Bounded => bound > 0;

        public bool TryTake(string key)
        {
            if (!Bounded)
                return true;
            while (true)
            {
                if (!_counts.TryGetValue(key, out var n))
                {
                    if (_counts.TryAdd(key, 1))
                        return true;
                    continue;
                }
                if (n >= bound)
                    return false;
                if (_counts.TryUpdate(key, n + 1, n))
                    return true;
            }
        }

        public void Give(string key)
        {
            if (!Bounded)
                return;
            while (_counts.TryGetValue(key, out var n)
                   && !(n <= 1 ? _counts.TryRemove(new KeyValuePair<string, int>(key, n)) : _counts.TryUpdate(key, n - 1, n)))
            {
            }
        }
    }
}

/// <summary>One connection's place in the <see cref="ClientQuotas"/>; disposing gives it back, once.</summary>
public sealed class ClientLease : IDisposable
{
    public static readonly ClientLease None = new(null, "", null);

    private ClientQuotas? _quotas;
    private readonly string _userId;
    private readonly string? _address;

    internal ClientLease(ClientQuotas? quotas, string userId, string? address)
    {
        _quotas = quotas;
        _userId = userId;
        _address = address;
    }

    public void Dispose() => Interlocked.Exchange(ref _quotas, null)?.Give(_userId, _address);
}
