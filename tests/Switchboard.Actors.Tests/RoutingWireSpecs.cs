using Akka.Hosting;
using Akka.Serialization;
using Switchboard.Actors.Serialization;
using Switchboard.Actors.Delivery;
using Switchboard.Actors.Routing;
using Switchboard.Streams.Outbound;

namespace Switchboard.Actors.Tests;

/// <summary>
/// The routing serializer as a whole: one sample of every routing message (<see cref="RoutingMessageSamples"/>) comes back
/// equal, and writes the bytes the build before the codec table wrote, which nodes of either build read during a rolling
/// restart.
/// </summary>
public sealed class RoutingWireSpecs : Akka.Hosting.TestKit.TestKit
{
    /// <summary>
    /// Each sample's bytes as written by commit b586aed, before the serializer became one table (a message added since: by
    /// the build that added it), with dead letters as every actor reference (akka://test/deadLetters: no uid, the same in
    /// every run). Never edit one to make a test pass: a changed byte is a node of the previous build that misreads the message.
    /// </summary>
    private static readonly Dictionary<string, string> EarlierBytes = new()
    {
        ["UA"] = "05616C69636503632D3117616B6B613A2F2F746573742F646561644C6574746572730101066570303030310700000000000000",
        ["UR"] = "05616C69636503632D31",
        ["US"] = "03626F621C000000811A7B2274797065223A2263686174222C22746F223A22626F62227D0117616B6B613A2F2F746573742F646561644C657474657273CB04FB711F0100000143F7C8F4E500000002000000FF7F794B1D2FDE080105616C69636505000000226D2D312201",
        ["UG"] = "05616C696365",
        ["UC"] = "05616C6963650300000002000000010665703030303107000000000000000500000000000000",
        ["UN"] = "05616C6963651F000000811D7B2274797065223A2272656365697074222C226964223A226D2D31227D",
        ["UV"] = "05616C6963651100000000000000",
        ["UH"] = "05616C6963650300000000000000",
        ["UP"] = "05616C69636501066570303030310700000000000000020000000B00000081097B22736571223A367D0B00000081097B22736571223A377D",
        ["UO"] = "03632D3101066570303030310700000000000000010000000B00000081097B22736571223A377D0101",
        ["GA"] = "04726F6F6D05616C69636503632D3117616B6B613A2F2F746573742F646561644C6574746572730117616B6B613A2F2F746573742F646561644C657474657273CB04FB711F0100000143F7C8F4E5000000020000000101066570303030310700000000000000",
        ["GR"] = "04726F6F6D03632D31",
        ["GS"] = "04726F6F6D20000000811E7B2274797065223A2263686174222C2267726F7570223A22726F6F6D227D0117616B6B613A2F2F746573742F646561644C657474657273CB04FB711F0100000143F7C8F4E5000000020000000100B3A69EA1DA080105616C69636505000000226D2D3122",
        ["GG"] = "04726F6F6D",
        ["GM"] = "04726F6F6D030000000200000005616C6963650200000003626F620100000001066570303030310700000000000000",
        ["GH"] = "04726F6F6D0400000000000000",
        ["GP"] = "04726F6F6D01066570303030310700000000000000010000000B00000081097B22736571223A357D",
        ["GO"] = "04726F6F6D03632D3101066570303030310700000000000000020000000B00000081097B22736571223A367D0B00000081097B22736571223A377D0100",
        ["DC"] = "0200000003632D3103632D320C000000810A7B22736571223A34327D0117616B6B613A2F2F746573742F646561644C657474657273CB04FB711F0100000143F7C8F4E5000000020000000200B3A69EA1DA082A00000000000000",
        ["DG"] = "04726F6F6D0C000000810A7B22736571223A34337D0117616B6B613A2F2F746573742F646561644C657474657273CB04FB711F0100000143F7C8F4E5000000020000000300B3A69EA1DA082B00000000000000",
        ["DB"] = "11000000810F7B2274797065223A226E657773227D0400B3A69EA1DA08",
        ["DA"] = "03632D3105000000226D2D31220900000000000000",
        ["DR"] = "03632D3105000000226D2D31220D756E6B6E6F776E5F67726F75700D6E6F20737563682067726F7570",
        ["RR"] = "2A00000000000000010B686973746F72795F6F6666036F66660500000000000000",
        ["RD"] = "2C0000000000000043F7C8F4E5000000030000000600000000000000",
        ["RU"] = "1100000017616B6B613A2F2F746573742F646561644C657474657273",
        ["RF"] = "110000000400000005616C69636503632D3103626F6203632D3217616B6B613A2F2F746573742F646561644C657474657273",
        ["RG"] = "04726F6F6D17616B6B613A2F2F746573742F646561644C657474657273",
        ["RH"] = "04726F6F6D0200000005616C69636503632D3117616B6B613A2F2F746573742F646561644C657474657273",
        ["SQ"] = "",
        ["SS"] = "076E313A343035330100000000000000020000000000000003000000000000000400000000000000050000000000000006000000000000000700000000000000080000000000000009000000000000000A000000000000000B000000000000000C000000000000000D000000000000000E000000000000000F00000000000000100000000000000011000000000000001200000000000000150000000000000016000000000000001700000000000000020000000A636C6F73655F3130303214000000000000000C696E76616C69645F6A736F6E1300000000000000",
        ["AL"] = "0105616C6963650103632D3964000000",
        ["AC"] = "076E313A34303533010200000003632D3105616C69636501093132372E302E302E31CB04FB711F0100000200000004726F6F6D056C6F626279050000000000000006000000000000000700000003632D3203626F6201033A3A3101000000000000000100000004726F6F6D0800000000000000FFFFFFFFFFFFFF7F09000000",
        ["AG"] = "01056C6F6262790A000000",
        ["AH"] = "076E313A3430353302000000056C6F62627904726F6F6D01",
        ["AT"] = "0A000000",
        ["AU"] = "076E313A343035330200000004726F6F6D056C6F626279",
        ["AK"] = "0105616C6963650103632D310C6B69636B65643A207370616D036F7073",
        ["AX"] = "076E313A3430353303000000",
        ["AD"] = "036F7073",
        ["AS"] = "076E313A3430353301",
        ["AR"] = "0F7B2252617465223A2231302D53227D076E313A34303533036F7073",
        ["AA"] = "076E323A3430353301",
        // Added with the namespaces (after b586aed): the bytes of the build that added them.
        ["AN"] = "",
        ["AB"] = "076E313A34303533010100000000000000044E6F6E6500000000000002000000046368617401640000000100E9A435000000000101074D656D626572730101F401000004666565640001C0E1E40000000000000006416E796F6E65000000000000",
    };

    /// <summary>
    /// Fields written after the build before's, by manifest: a node of that build reads the message and stops before them,
    /// and this build reads that build's bytes with their defaults (<see cref="Switchboard.Actors.Serialization.WireReader.More"/>).
    /// A message the build before did not have at all is here whole, its manifest absent from <see cref="EarlierBytes"/>:
    /// its bytes are fixed from the build that added it on, and only nodes of that build or later send it.
    /// </summary>
    private static readonly Dictionary<string, string> AddedSince = new()
    {
        ["RH"] = "01000000" + "00000000", // GroupFound.Answers: one answer per partition of the node; Infos: none
        ["GA"] = "00000000", // AddMember.Info: none
        ["GR"] = "00", // RemoveMember.Reason: left
        ["GS"] = "00", // SendToGroup.ConnectionId: none (the HTTP API)
        ["GJ"] = "04726F6F6D03632D310A67726F75705F66756C6C0466756C6C", // JoinRefused: group_full
        ["GL"] = "09636861743A726F6F6D", // ReloadNamespaces
        ["GW"] = "09636861743A726F6F6D00", // Wake
        ["GQ"] = "04726F6F6D000105616C6963650103632D3105000000226D2D312217616B6B613A2F2F746573742F646561644C657474657273", // GetPresence
        ["GN"] = "04726F6F6D010103632D3105000000226D2D31221B0000007B227573657273223A312C22636F6E6E656374696F6E73223A327D00", // PresenceAnswer
        ["UK"] = "05616C69636503632D3103000000", // ReserveConnection: the cluster-wide bound per user
        ["UY"] = "03632D3101", // Reservation: its answer
        ["UL"] = "05616C696365", // RevokeLease
        ["UE"] = "05616C696365", // LeaseRevoked
        ["AO"] = "", // GetHooks
        ["AP"] = "076E313A343035330200000007636F6E6E656374000500000007616C6C6F77656400000000000000000664656E6965640000000000000000066661696C656400000000000000000974696D65645F6F757400000000000000000462757379000000000000000002000000000000000000F03F000000000000004003000000000000000000000000000000000000000000000000000000000000000000000003727063010C6261636B656E643A383038300500000007616C6C6F77656401000000000000000664656E6965640200000000000000066661696C656403000000000000000974696D65645F6F757404000000000000000462757379050000000000000002000000000000000000F03F00000000000004400300000006000000000000000700000000000000FFFFFFFFFFFFFF7F000000000000F43F", // HooksLoaded: outcomes by name, bounds with their counts
    };

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) =>
        builder.AddRoutingSerializer();

    private SerializerWithStringManifest Serializer =>
        (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(Stats.GetNodeStats.Instance);

    /// <summary>Every concrete type of the Actors assembly that may cross nodes, by name.</summary>
    private static List<Type> RoutingTypes() => typeof(IRoutingMessage).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IRoutingMessage).IsAssignableFrom(t))
        .OrderBy(t => t.FullName)
        .ToList();

    [Fact]
    public void Every_routing_message_type_has_one_entry_in_the_codec_table()
    {
        Assert.Equal(RoutingTypes(), RoutingCodecs.All.Select(c => c.Type).OrderBy(t => t.FullName));
        Assert.Equal(RoutingCodecs.All.Length, RoutingCodecs.All.Select(c => c.Manifest).Distinct().Count());
    }

    [Fact]
    public void The_samples_hold_one_message_of_every_routing_type()
    {
        var sampled = RoutingMessageSamples.All(Sys.DeadLetters).Select(m => m.GetType()).OrderBy(t => t.FullName);
        Assert.Equal(RoutingTypes(), sampled);
    }

    [Fact]
    public void Every_routing_message_comes_back_equal_field_by_field()
    {
        foreach (var message in RoutingMessageSamples.All(TestActor))
        {
            var serializer = Sys.Serialization.FindSerializerFor(message);
            Assert.IsType<RoutingSerializer>(serializer);
            var manifest = ((SerializerWithStringManifest)serializer).Manifest(message);
            var back = Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
            FieldByField.AssertEqual(message, back, $"{message.GetType().Name} ({manifest})");
        }
    }

    [Fact]
    public void A_delivery_with_a_lease_comes_back_with_it_and_one_without_is_written_as_before()
    {
        var frame = OutboundFrame.Text("""{"type":"chat"}"""u8);
        var granting = new DeliveryProtocol.DeliverToConnections(["c-1"], frame, new RelayStamp(TestActor, 3, Resent: false), LeaseFor: "alice");
        var back = (DeliveryProtocol.DeliverToConnections)Serializer.FromBinary(Serializer.ToBinary(granting), Serializer.Manifest(granting));
        Assert.Equal("alice", back.LeaseFor);
        Assert.Equal(Serializer.ToBinary(granting with { LeaseFor = null }).Length + 6, Serializer.ToBinary(granting).Length);
    }

    [Fact]
    public void Every_routing_message_has_the_manifest_and_the_bytes_of_the_build_before()
    {
        var samples = RoutingMessageSamples.All(Sys.DeadLetters);
        Assert.Equal(EarlierBytes.Keys.Union(AddedSince.Keys).Order(), samples.Select(Serializer.Manifest).Order());
        foreach (var message in samples)
        {
            var manifest = Serializer.Manifest(message);
            Assert.True(EarlierBytes.GetValueOrDefault(manifest, "") + AddedSince.GetValueOrDefault(manifest, "")
                        == Convert.ToHexString(Serializer.ToBinary(message)),
                $"{message.GetType().Name} ({manifest}) is written differently from the build before");
            if (!EarlierBytes.ContainsKey(manifest))
                continue; // new since: no node of the build before sends it
            var earlier = Serializer.FromBinary(Convert.FromHexString(EarlierBytes[manifest]), manifest);
            FieldByField.AssertEqual(message, earlier, $"{message.GetType().Name} ({manifest}) from the build before");
        }
    }
}
