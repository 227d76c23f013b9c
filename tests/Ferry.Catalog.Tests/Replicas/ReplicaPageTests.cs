using Ferry.Catalog.Replicas;
using Ferry.Catalog.Tests.Infrastructure;
using Ferry.Core.Model;

namespace Ferry.Catalog.Tests.Replicas;

/// <summary>One page of a replica listing: each requested DID in the order asked, resolved by one query.</summary>
public sealed class ReplicaPageTests
{
    private static readonly ReplicaFilter Any = new(AllStates: true, RseIds: null, ReadableOnly: false, ResolveArchives: true, WithParents: false);

    [Fact]
    public async Task Each_key_comes_back_in_its_place_unknown_collection_or_file_with_its_replicas_by_RSE_name()
    {
        await using var t = await new TestCatalog().WithRses("B_RSE", "A_RSE");
        await t.Dataset("ds", "B_RSE", 2);
        await t.Replicas.AddAsync("A_RSE", [new ReplicaFileSpec("test", "ds_f1", 100, "00000001", null, null, ReplicaState.Copying)], "root", true);
        var page = await t.Replicas.ListPageAsync([("test", "ds_f1"), ("test", "nope"), ("test", "ds"), ("test", "ds_f0"), ("test", "ds_f1")], Any);
        Assert.Equal(["ds_f1", "nope", "ds", "ds_f0", "ds_f1"], page.Select(p => p.Name));
        Assert.Equal([DidType.File, null, DidType.Dataset, DidType.File, DidType.File], page.Select(p => p.Type));
        Assert.Null(page[2].File);
        Assert.Equal(["A_RSE", "B_RSE"], page[0].File!.Replicas.Select(r => r.Rse));
        Assert.Equal(["B_RSE"], page[3].File!.Replicas.Select(r => r.Rse));
        Assert.Equal((100L, "00000001"), (page[0].File!.File.Bytes, page[0].File!.File.Adler32));
    }

    [Fact]
    public async Task The_filter_keeps_AVAILABLE_replicas_on_the_RSEs_asked_for_unless_all_states_are_wanted()
    {
        await using var t = await new TestCatalog().WithRses("A_RSE", "B_RSE");
        await t.Dataset("ds", "A_RSE", 1);
        await t.Replicas.AddAsync("B_RSE", [new ReplicaFileSpec("test", "ds_f0", 100, "00000001", null, null, ReplicaState.Copying)], "root", true);
        var available = await t.Replicas.ListPageAsync([("test", "ds_f0")], Any with { AllStates = false });
        Assert.Equal(["A_RSE"], available[0].File!.Replicas.Select(r => r.Rse));
        var b = (await t.Rses.ListAsync()).Single(r => r.Name == "B_RSE").Id;
        var onB = await t.Replicas.ListPageAsync([("test", "ds_f0")], Any with { RseIds = new HashSet<string> { b } });
        Assert.Equal([ReplicaState.Copying], onB[0].File!.Replicas.Select(r => r.State));
    }
}
