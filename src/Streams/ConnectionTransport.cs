using System.IO.Pipelines;

namespace Switchboard.Streams;

/// <summary>The upgraded socket as pipes, plus a way to drop it when a close handshake stalls.</summary>
public sealed record ConnectionTransport(PipeReader Input, PipeWriter Output, Action Abort);
