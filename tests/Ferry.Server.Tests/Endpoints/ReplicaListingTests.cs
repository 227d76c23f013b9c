using System.Buffers;
using System.Text;
using System.Text.Json;
using Ferry.Catalog.Replicas;
using Ferry.Core.Dialect;
using Ferry.Core.Model;
using Ferry.Server.Endpoints;
using Ferry.Server.Http;

namespace Ferry.Server.Tests.Endpoints;

/// <summary>
/// The listing's hand-written JSON writer against the dialect's record serialised the ordinary way: the record is
/// what the OpenAPI document promises, the writer what is sent, so they must give the same bytes.
/// </summary>
public sealed class ReplicaListingTests
{
    [Fact]
    public void The_written_line_is_the_serialised_record_for_generated_files()
    {
        var random = new Random(25);
        for (var i = 0; i < 2_000; i++)
        {
            var file = Generate(random);
            Assert.Equal(Serialised(file), Written(file));
        }
    }

    [Fact]
    public void A_pfn_two_rses_share_is_written_once_under_the_first()
    {
        var a = Replica("A", "id-a");
        var b = Replica("B", "id-b");
        var file = new ListedFile(Did("x", null), [Pfn("root://h/p", a, 1), Pfn("root://h/p", b, 2)], [a, b], null);
        using var doc = JsonDocument.Parse(Written(file));
        var pfns = doc.RootElement.GetProperty("pfns");
        Assert.Equal("A", Assert.Single(pfns.EnumerateObject()).Value.GetProperty("rse").GetString());
        Assert.Equal(Serialised(file), Written(file));
    }

    private static string Written(ListedFile f)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Wire.Options.Encoder })) ReplicaListing.WriteJson(w, f);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // The record as the listing built it before it wrote its lines by hand.
    private static string Serialised(ListedFile f) => JsonSerializer.Serialize(new RucioReplica
    {
        Scope = f.File.Scope, Name = f.File.Name, Bytes = f.File.Bytes, Md5 = f.File.Md5, Adler32 = f.File.Adler32,
        Pfns = f.Pfns.DistinctBy(p => p.Pfn).ToDictionary(p => p.Pfn, p => new RucioPfn
        {
            RseId = p.RseId, Rse = p.Rse, Type = p.Type, Volatile = p.Volatile, Domain = p.Domain, Priority = p.Priority, ClientExtract = p.ClientExtract,
        }),
        Rses = f.Replicas.ToDictionary(r => r.Rse, IReadOnlyList<string> (r) => f.Pfns.Where(p => p.RseId == r.RseId).Select(p => p.Pfn).ToList()),
        States = f.Replicas.Count > 0 ? f.Replicas.ToDictionary(r => r.Rse, r => r.State.Wire()) : null,
        Parents = f.Parents,
    }, Wire.Options);

    private static ListedFile Generate(Random random)
    {
        string Text(string stem) => stem + random.Next(0, 4) switch { 0 => "", 1 => "\"q\"", 2 => "é/ü", _ => "<&>\\" } + random.Next(100);
        var replicas = Enumerable.Range(0, random.Next(0, 4)).Select(i => Replica($"RSE{i}{Text("")}", $"id{i}", (ReplicaState)random.Next(0, 6))).ToList();
        var pfns = new List<ListedPfn>();
        foreach (var r in replicas)
            for (var p = random.Next(0, 3); p > 0; p--)
                pfns.Add(Pfn(random.Next(4) == 0 && pfns.Count > 0 ? pfns[0].Pfn : Text("davs://h/"), r, pfns.Count + 1, random.Next(2) == 0));
        var did = Did(Text("f"), random.Next(3) == 0 ? null : random.NextInt64(0, long.MaxValue)) with
        {
            Md5 = random.Next(2) == 0 ? null : "0123456789abcdef0123456789abcdef", Adler32 = random.Next(3) == 0 ? null : "0a0b0c0d",
        };
        IReadOnlyList<string>? parents = random.Next(2) == 0 ? null : Enumerable.Range(0, random.Next(0, 3)).Select(i => Text("s:d")).ToList();
        return new ListedFile(did, pfns, replicas, parents);
    }

    private static Did Did(string name, long? bytes) => new() { Scope = "user.a", Name = name, Account = "root", Bytes = bytes };

    private static ReplicaView Replica(string rse, string id, ReplicaState state = ReplicaState.Available) => new()
    {
        Scope = "user.a", Name = "f", RseId = id, Rse = rse, RseType = "DISK", State = state, AvailabilityRead = true,
    };

    private static ListedPfn Pfn(string pfn, ReplicaView r, int priority, bool extract = false) =>
        new(pfn, r.Rse, r.RseId, r.RseType, r.Volatile, "wan", priority, extract);
}
