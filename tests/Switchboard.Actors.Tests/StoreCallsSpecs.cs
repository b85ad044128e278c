using Akka.Actor;
using Akka.Hosting;
using Akka.TestKit;
using Switchboard.Actors.History;

namespace Switchboard.Actors.Tests;

/// <summary>An entity's calls to its stream store are handled in the order they were made, whatever order they complete in.</summary>
public sealed class StoreCallsSpecs : Akka.Hosting.TestKit.TestKit
{
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    [Fact]
    public void Completions_out_of_order_are_handled_in_call_order_and_a_failure_keeps_its_place()
    {
        var probe = CreateTestProbe();
        var calls = Enumerable.Range(0, 4).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var owner = Sys.ActorOf(Props.Create(() => new CallOwner(calls.Select(c => c.Task).ToArray(), probe)));
        owner.Tell("start");
        probe.ExpectMsg("started");

        calls[3].SetResult(3);
        calls[1].SetException(new StreamStoreUnavailableException("down"));
        calls[2].SetResult(2);
        owner.Tell("empty?");
        probe.ExpectMsg(false);
        calls[0].SetResult(0);

        probe.ExpectMsg("0");
        probe.ExpectMsg("failed: down");
        probe.ExpectMsg("2");
        probe.ExpectMsg("3");
        owner.Tell("empty?");
        probe.ExpectMsg(true);
    }

    private sealed class CallOwner : ReceiveActor
    {
        public CallOwner(Task<int>[] tasks, TestProbe probe)
        {
            var calls = new StoreCalls(Self);
            Receive<string>(m => m == "start", _ =>
            {
                foreach (var task in tasks)
                    calls.Start(task, (result, failure) => probe.Tell(failure is null ? result.ToString() : "failed: " + failure.Message));
                probe.Tell("started");
            });
            Receive<string>(m => m == "empty?", _ => probe.Tell(calls.IsEmpty));
            ReceiveAny(m => calls.Handle(m));
        }
    }
}
