namespace Switchboard.Streams;

/// <summary>What a connection was doing with its socket when the socket failed.</summary>
public enum SocketOperation
{
    Read,
    Write,
}
