using Ferry.Core.Errors;
using Ferry.Core.Sync;

namespace Ferry.Core.Tests.Sync;

public sealed class SyncDiffTests
{
    private static CatalogueEntry E(string name, long bytes = 10, string? adler = "0000000a", string? ds = "s:ds") => new("s", name, bytes, adler, ds);

    [Fact]
    public void Replica_diff_finds_missing_extra_and_changed_per_dataset()
    {
        var source = new[] { E("a"), E("b", 11), E("c", ds: "s:other"), E("d", adler: "0000000b") };
        var target = new[] { E("a"), E("b"), E("d"), E("x", ds: "s:gone") };
        var diff = ReplicaDiff.Compute(source, target);
        Assert.Equal(["s:ds", "s:gone", "s:other"], diff.Datasets.Select(d => d.Dataset));
        var ds = diff.Datasets[0];
        Assert.Equal(["s:b", "s:d"], ds.Changed.Select(c => c.Source.Did));
        Assert.Equal("bytes 10 -> 11", ds.Changed[0].What);
        Assert.Equal("adler32 0000000a -> 0000000b", ds.Changed[1].What);
        Assert.Equal("s:x", Assert.Single(diff.Datasets[1].Extra).Did);
        Assert.Equal("s:c", Assert.Single(diff.Datasets[2].Missing).Did);
        Assert.False(diff.WouldRemoveEverything);
    }

    [Fact]
    public void Membership_differences_are_moves_and_a_file_in_several_datasets_is_one_file()
    {
        // a: ds -> other; b: ds -> no dataset; c: in ds and other on both sides (one entry per dataset); d: no dataset -> ds.
        var source = new[] { E("a", ds: "s:other"), E("b", ds: null), E("c"), E("c", ds: "s:other"), E("d") };
        var target = new[] { E("a"), E("b"), E("c", ds: "s:other"), E("c"), E("d", ds: null) };
        var diff = ReplicaDiff.Compute(source, target);
        Assert.Equal(4, diff.SourceFiles);
        Assert.Equal((0, 0, 0), (diff.Missing, diff.Extra, diff.Changed));
        Assert.Equal(["s:a: s:ds -> s:other", "s:b: s:ds -> (no dataset)", "s:d: (no dataset) -> s:ds"], diff.Moves.Select(m => m.ToString()));
        var none = diff.Datasets.Single(d => d.Dataset is null);
        Assert.Equal(["s:b"], none.Attach.Select(f => f.Did));
        Assert.Equal(["s:d"], none.Detach.Select(f => f.Did));
        var ds = diff.Datasets.Single(d => d.Dataset == "s:ds");
        Assert.Equal(["s:d"], ds.Attach.Select(f => f.Did));
        Assert.Equal(["s:a", "s:b"], ds.Detach.Select(f => f.Did));
        Assert.Equal(["s:a"], diff.Datasets.Single(d => d.Dataset == "s:other").Attach.Select(f => f.Did));

        // A missing file in two datasets is added once and attached to the other; an extra one leaves both.
        var added = ReplicaDiff.Compute([E("n"), E("n", ds: "s:other")], []);
        Assert.Equal(1, added.Missing);
        Assert.Equal(["s:n"], added.Datasets.Single(d => d.Dataset == "s:other").Attach.Select(f => f.Did));
        var gone = ReplicaDiff.Compute([E("k")], [E("k"), E("x"), E("x", ds: "s:other")]);
        Assert.Equal(1, gone.Extra);
        Assert.Equal(["s:x"], gone.Datasets.Single(d => d.Dataset == "s:other").Detach.Select(f => f.Did));
        Assert.Empty(gone.Moves);
    }

    [Fact]
    public void The_guard_trips_only_when_every_target_file_would_go()
    {
        Assert.True(ReplicaDiff.Compute([], [E("a"), E("b")]).WouldRemoveEverything);
        Assert.True(ReplicaDiff.Compute([E("z")], [E("a")]).WouldRemoveEverything);
        Assert.False(ReplicaDiff.Compute([E("a")], [E("a"), E("b")]).WouldRemoveEverything);
        Assert.False(ReplicaDiff.Compute([], []).WouldRemoveEverything);
        Assert.True(ReplicaDiff.Compute([E("a")], [E("a")]).Datasets.Count == 0);
    }

    [Fact]
    public void Replica_dump_reads_entries_of_one_rse_and_refuses_garbage_by_line()
    {
        var text = """
            # comment
            {"rse":"A","scope":"s","name":"f1","bytes":5,"adler32":"0000ABCD","dataset":"s:ds"}
            {"rse":"B","scope":"s","name":"f2","bytes":5}
            """;
        var entries = ReplicaDump.Read(new StringReader(text), "A");
        Assert.Equal(new CatalogueEntry("s", "f1", 5, "0000abcd", "s:ds"), Assert.Single(entries));
        var bad = Assert.Throws<FerryException>(() => ReplicaDump.Read(new StringReader("""
            {"rse":"A","scope":"s","name":"ok","bytes":1}
            [1,2]
            {"rse":"A","scope":"s","name":"x","bytes":1,"adler32":"xyz"}
            {"rse":"A","scope":"s","name":"../x","bytes":1}
            """), "A"));
        Assert.Contains("line 2: not a JSON object", bad.Message);
        Assert.Contains("line 3: adler32 'xyz' is not 8 hex digits", bad.Message);
        Assert.Contains("line 4:", bad.Message);
        Assert.Equal(400, bad.Status);
    }

    [Fact]
    public void Storage_dump_takes_relative_absolute_and_pfn_paths_under_a_prefix()
    {
        var dump = "a/b/c.dat\n/data/rse/x/y.dat\t123\nroot://host:1094//data/rse/z.dat,5\n\n";
        Assert.Equal(["a/b/c.dat", "x/y.dat", "z.dat"], StorageDump.Read(new StringReader(dump), ["/data/rse"]));
        var e = Assert.Throws<FerryException>(() => StorageDump.Read(new StringReader("ok.dat\n/other/x\na/../../b\ndir/\n"), ["/data/rse/"]));
        Assert.Contains("line 2: '/other/x' is not under the RSE's prefix", e.Message);
        Assert.Contains("line 3: contains a '.' or '..' segment", e.Message);
        Assert.Contains("line 4: 'dir/' is not a file path", e.Message);
    }

    [Fact]
    public void Storage_diff_separates_dark_lost_and_present()
    {
        var expected = new[] { new PlacedReplica("s", "a", "p/a", 1, null, null), new PlacedReplica("s", "b", "p/b", 1, null, null) };
        var known = new HashSet<string> { "p/a", "p/b", "p/copying" };
        var r = StorageDiff.Compare(expected, known, ["p/a", "p/dark", "p/copying", "p/a"]);
        Assert.Equal(["p/dark"], r.Dark);
        Assert.Equal("b", Assert.Single(r.Lost).Name);
        Assert.Equal("a", Assert.Single(r.Present).Name);
    }

    [Fact]
    public void Link_policy_ranks_site_then_region_then_other()
    {
        var a = new Dictionary<string, string> { ["site"] = "CERN", ["region"] = "eu" };
        var b = new Dictionary<string, string> { ["site"] = "cern", ["region"] = "eu" };
        var c = new Dictionary<string, string> { ["site"] = "DESY", ["region"] = "EU" };
        var d = new Dictionary<string, string> { ["site"] = "FNAL", ["region"] = "us" };
        Assert.Equal(LinkPolicy.Relation.SameSite, LinkPolicy.Relate(a, b));
        Assert.Equal(LinkPolicy.Relation.SameRegion, LinkPolicy.Relate(a, c));
        Assert.Equal(LinkPolicy.Relation.Other, LinkPolicy.Relate(a, d));
        Assert.Equal(LinkPolicy.Relation.Other, LinkPolicy.Relate(new Dictionary<string, string>(), new Dictionary<string, string>()));
        Assert.Equal(7, new LinkPolicy(Other: 7).Distance(LinkPolicy.Relation.Other));
    }
}
