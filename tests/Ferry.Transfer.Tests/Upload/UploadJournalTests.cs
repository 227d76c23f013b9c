using Ferry.Core.Identifiers;
using Ferry.Transfer.Upload;

namespace Ferry.Transfer.Tests.Upload;

/// <summary>A journal record describes a file only while the file and its DID are unchanged; a run's key is stable.</summary>
public sealed class UploadJournalTests
{
    private static readonly CatalogueEntry Entry = new("/data/f1", "f1", 100, 1_700_000_000_000, new DidRef("user.a", "f1"));

    private static JournalRecord Record() => new() { Event = "done", Path = "/data/f1", Scope = "user.a", Name = "f1", Bytes = 100, MTimeMs = 1_700_000_000_000 };

    [Fact]
    public void A_record_of_the_same_unchanged_file_describes_it()
    {
        Assert.True(Record().Describes(Entry));
    }

    [Fact]
    public void A_changed_size_mtime_or_did_does_not()
    {
        Assert.False((Record() with { Bytes = 101 }).Describes(Entry));
        Assert.False((Record() with { MTimeMs = 1 }).Describes(Entry));
        Assert.False((Record() with { Scope = "user.b" }).Describes(Entry));
        Assert.False((Record() with { Path = "/data/f2" }).Describes(Entry));
    }

    [Fact]
    public void The_run_key_is_sixteen_hex_digits_fixed_by_the_identity()
    {
        var key = UploadSummary.Key(["https://ferry", "alice", "SITE_A", null]);
        Assert.Matches("^[0-9a-f]{16}$", key);
        Assert.Equal(key, UploadSummary.Key(["https://ferry", "alice", "SITE_A", null]));
        Assert.NotEqual(key, UploadSummary.Key(["https://ferry", "alice", "SITE_B", null]));
        // A missing part is not the same as an empty one.
        Assert.NotEqual(key, UploadSummary.Key(["https://ferry", "alice", "SITE_A", ""]));
    }

    [Fact]
    public void A_journal_beside_a_summary_is_named_after_it()
    {
        Assert.Equal("/tmp/out/summary.json.journal", UploadSummary.DefaultJournal("/tmp/out/summary.json", []));
    }
}
