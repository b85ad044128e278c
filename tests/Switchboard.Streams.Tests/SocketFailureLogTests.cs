using System.Net.Sockets;
using Akka.Event;

namespace Switchboard.Streams.Tests;

/// <summary>
/// The level each kind of socket failure is logged at, and the bound on unexpected ones: what a node's log shows when
/// thousands of phones drop off at once, or when one fault meets every connection.
/// </summary>
public sealed class SocketFailureLogTests
{
    private readonly CapturingLog _log = new();
    private readonly ManualClock _clock = new();
    private readonly SocketFailureLog _failures;

    public SocketFailureLogTests() => _failures = new SocketFailureLog(_log, _clock);

    private static readonly Exception Reset = new IOException("Connection reset by peer", new SocketException((int)SocketError.ConnectionReset));
    private static readonly Exception Fault = new InvalidOperationException("Concurrent reads or writes are not supported.");

    [Fact]
    public void A_reset_or_an_abort_is_a_debug_line_without_its_exception()
    {
        _failures.Failed("c1", SocketOperation.Read, SocketFailureKind.Reset, Reset);
        _failures.Failed("c2", SocketOperation.Write, SocketFailureKind.Aborted, new OperationCanceledException("aborted by the application"));

        Assert.Collection(_log.Lines,
            line =>
            {
                Assert.Equal((LogLevel.DebugLevel, null), (line.Level, line.Cause));
                Assert.Equal("Socket of connection c1 failed on read: reset, Connection reset by peer", line.Message);
            },
            line =>
            {
                Assert.Equal((LogLevel.DebugLevel, null), (line.Level, line.Cause));
                Assert.Equal("Socket of connection c2 failed on write: aborted, aborted by the application", line.Message);
            });
    }

    [Fact]
    public void Resets_and_aborts_are_not_logged_when_debug_is_off()
    {
        _log.DebugEnabled = false;

        _failures.Failed("c1", SocketOperation.Read, SocketFailureKind.Reset, Reset);

        Assert.Empty(_log.Lines);
    }

    [Fact]
    public void An_unexpected_failure_is_a_warning_with_its_exception()
    {
        _failures.Failed("c1", SocketOperation.Write, SocketFailureKind.Unexpected, Fault);

        var line = Assert.Single(_log.Lines);
        Assert.Equal(LogLevel.WarningLevel, line.Level);
        Assert.Same(Fault, line.Cause);
        Assert.Equal("Socket of connection c1 failed on write: unexpected (0 more held back since the last such line)", line.Message);
    }

    [Fact]
    public void Unexpected_failures_are_logged_once_per_interval_and_the_next_line_counts_those_held_back()
    {
        for (var i = 0; i < 5; i++)
            _failures.Failed($"c{i}", SocketOperation.Read, SocketFailureKind.Unexpected, Fault);
        _clock.Advance(SocketFailureLog.UnexpectedEvery - TimeSpan.FromSeconds(1));
        _failures.Failed("c5", SocketOperation.Read, SocketFailureKind.Unexpected, Fault);
        Assert.Single(_log.Lines);

        _clock.Advance(TimeSpan.FromSeconds(1));
        _failures.Failed("c6", SocketOperation.Read, SocketFailureKind.Unexpected, Fault);

        Assert.Equal(["Socket of connection c0 failed on read: unexpected (0 more held back since the last such line)",
            "Socket of connection c6 failed on read: unexpected (5 more held back since the last such line)"],
            _log.Lines.Select(l => l.Message));
    }

    [Fact]
    public void The_bound_on_unexpected_failures_never_holds_back_a_reset()
    {
        _failures.Failed("c1", SocketOperation.Read, SocketFailureKind.Unexpected, Fault);
        _failures.Failed("c2", SocketOperation.Read, SocketFailureKind.Unexpected, Fault);
        _failures.Failed("c3", SocketOperation.Read, SocketFailureKind.Reset, Reset);

        Assert.Equal([LogLevel.WarningLevel, LogLevel.DebugLevel], _log.Lines.Select(l => l.Level));
    }

    private sealed record Line(LogLevel Level, string Message, Exception? Cause);

    /// <summary>An Akka logging adapter that keeps its lines, formatted with Akka's default (semantic) formatter.</summary>
    private sealed class CapturingLog() : LoggingAdapterBase(SemanticLogMessageFormatter.Instance)
    {
        private readonly List<Line> _lines = [];

        public bool DebugEnabled { get; set; } = true;
        public IReadOnlyList<Line> Lines => _lines;

        public override bool IsDebugEnabled => DebugEnabled;
        public override bool IsInfoEnabled => true;
        public override bool IsWarningEnabled => true;
        public override bool IsErrorEnabled => true;

        protected override void NotifyLog(LogLevel logLevel, object message, Exception? cause = null) =>
            _lines.Add(new Line(logLevel, message.ToString()!, cause));
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _now = 1_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => _now;
        public void Advance(TimeSpan by) => _now += by.Ticks;
    }
}
