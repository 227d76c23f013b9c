using System.Data.Common;
using Ferry.Catalog.Db;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Tests.Infrastructure;
using Ferry.Core.Errors;
using Ferry.Core.Model;

namespace Ferry.Catalog.Tests.Replicas;

/// <summary>
/// POST /replicas and attach as the catalogue runs them, on both stores (PostgreSQL runs each request as one batch of
/// set statements and checks what it read afterwards): every refusal keeps its dialect error and leaves nothing of its
/// batch behind, even when the batch's inserts had already run.
/// </summary>
public sealed class RegistrationTests
{
    private static ReplicaFileSpec File(string name, long bytes = 100, string? adler32 = "0000000a", string? md5 = null, string scope = "test") =>
        new(scope, name, bytes, adler32, md5, null, ReplicaState.Available);

    private static async Task<FerryException> Refused(string exceptionClass, int status, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<FerryException>(call);
        Assert.Equal((exceptionClass, status), (e.ExceptionClass, e.Status));
        return e;
    }

    private static async Task Killed(Func<Task> call) =>
        Assert.Equal(KilledMessage, (await Assert.ThrowsAsync<InvalidOperationException>(call)).Message);

    private static Task<long> Rows(TestCatalog t, string table) => t.Count($"SELECT COUNT(*) FROM {table}");

    [Fact]
    public async Task New_files_get_a_DID_and_a_replica_each_and_registering_again_changes_nothing()
    {
        await using var t = await new TestCatalog().WithRses("SRC", "DST");
        var batch = Enumerable.Range(0, 300).Select(i => File($"f{i}", 100 + i)).ToList();
        await t.Replicas.AddAsync("SRC", batch, "root", true);
        await t.Replicas.AddAsync("SRC", batch, "root", true);
        Assert.Equal((300L, 300L), (await Rows(t, "dids"), await Rows(t, "replicas")));
        Assert.Equal(100 + 299, (await t.Dids.GetAsync("test", "f299")).Bytes);
        // The same files on a second RSE: new replicas, the DIDs as they were.
        await t.Replicas.AddAsync("DST", batch.Take(10).ToList(), "root", true);
        Assert.Equal((300L, 310L), (await Rows(t, "dids"), await Rows(t, "replicas")));
        Assert.Equal(Lfn2PfnPath("test", "f7"), (await t.Replicas.FindAsync("test", "f7", await RseId(t, "DST")))!.Path);
    }

    [Fact]
    public async Task A_file_twice_in_one_batch_is_refused_and_nothing_is_written()
    {
        await using var t = await new TestCatalog().WithRses("SRC");
        await Refused("Duplicate", 409, () => t.Replicas.AddAsync("SRC", [File("a"), File("b"), File("a")], "root", true));
        Assert.Equal((0L, 0L), (await Rows(t, "dids"), await Rows(t, "replicas")));
    }

    [Fact]
    public async Task A_file_that_exists_with_other_bytes_refuses_the_whole_batch()
    {
        await using var t = await new TestCatalog().WithRses("SRC", "DST");
        await t.Replicas.AddAsync("SRC", [File("known", 100)], "root", true);
        var e = await Refused("FileConsistencyMismatch", 412, () => t.Replicas.AddAsync("DST", [File("new1"), File("known", 101), File("new2")], "root", true));
        Assert.Contains("'test:known' is 100 bytes in the catalogue, not 101", e.Message, StringComparison.Ordinal);
        await Refused("FileConsistencyMismatch", 412, () => t.Replicas.AddAsync("DST", [File("new1"), File("known", 100, "0000000b")], "root", true));
        Assert.Equal((1L, 1L), (await Rows(t, "dids"), await Rows(t, "replicas")));
    }

    [Fact]
    public async Task A_collection_of_the_same_name_refuses_the_batch_after_its_inserts_ran()
    {
        await using var t = await new TestCatalog().WithRses("SRC");
        await t.Dids.AddCollectionAsync("test", "ds", DidType.Dataset, "root", null, null);
        // The collection comes last: on PostgreSQL the new DIDs and replicas are inserted before the check refuses.
        await Refused("UnsupportedOperation", 409, () => t.Replicas.AddAsync("SRC", [File("x1"), File("x2"), File("ds", md5: "0123456789abcdef0123456789abcdef")], "root", true));
        Assert.Equal((1L, 0L), (await Rows(t, "dids"), await Rows(t, "replicas")));
        Assert.Null((await t.Dids.GetAsync("test", "ds")).Md5);
    }

    [Fact]
    public async Task A_missing_scope_is_ScopeNotFound_and_nothing_is_written()
    {
        await using var t = await new TestCatalog().WithRses("SRC");
        await Refused("ScopeNotFound", 404, () => t.Replicas.AddAsync("SRC", [File("a"), File("b", scope: "nosuch")], "root", true));
        Assert.Equal((0L, 0L), (await Rows(t, "dids"), await Rows(t, "replicas")));
    }

    [Fact]
    public async Task An_existing_file_without_md5_gets_the_one_registered_with_its_new_replica()
    {
        await using var t = await new TestCatalog().WithRses("SRC", "DST");
        await t.Replicas.AddAsync("SRC", [File("f")], "root", true);
        await t.Replicas.AddAsync("DST", [File("f", md5: "0123456789ABCDEF0123456789ABCDEF")], "root", true);
        Assert.Equal("0123456789abcdef0123456789abcdef", (await t.Dids.GetAsync("test", "f")).Md5);
    }

    [Fact]
    public async Task A_failure_between_the_writes_and_the_commit_leaves_nothing()
    {
        await using var t = await new TestCatalog().WithRses("SRC");
        await t.Dids.AddCollectionAsync("test", "ds", DidType.Dataset, "root", null, null);
        // What a process killed before its commit leaves: the work ran, the transaction never committed.
        var dying = new DiesBeforeCommit(t.Db);
        var dids = new DidCatalog(dying, t.Clock, t.Random);
        var batch = Enumerable.Range(0, 50).Select(i => File($"f{i}")).ToList();
        await Killed(() => new ReplicaCatalog(dying, dids, t.Clock).AddAsync("SRC", batch, "root", true));
        Assert.Equal((1L, 0L), (await Rows(t, "dids"), await Rows(t, "replicas")));
        await t.Replicas.AddAsync("SRC", batch, "root", true);
        await Killed(() => dids.AttachAsync("test", "ds", batch.Select(f => new ChildSpec("test", f.Name)).ToList()));
        Assert.Equal(0L, await Rows(t, "contents"));
        Assert.Equal((0L, 0L), ((await t.Dids.GetAsync("test", "ds")).Length ?? 0, (await t.Dids.GetAsync("test", "ds")).Bytes ?? 0));
    }

    [Fact]
    public async Task Attaching_counts_each_new_file_once_and_flags_the_rules_above()
    {
        await using var t = await new TestCatalog().WithRses("SRC");
        await t.Dids.AddCollectionAsync("test", "cont", DidType.Container, "root", null, null);
        await t.Dids.AddCollectionAsync("test", "ds", DidType.Dataset, "root", null, null);
        await t.Dids.AttachAsync("test", "cont", [new ChildSpec("test", "ds")]);
        var files = Enumerable.Range(0, 300).Select(i => File($"f{i}", 10 + i)).ToList();
        await t.Replicas.AddAsync("SRC", files, "root", true);
        await t.Rules.AddAsync(new Ferry.Core.Rules.RuleSpec { Dids = [("test", "cont")], Account = "root", RseExpression = "SRC", Copies = 1 });
        await t.Db.WriteAsync((c, tx) => Dapper.SqlMapper.ExecuteAsync(c, "UPDATE rules SET needs_eval=0", transaction: tx));
        await t.Dids.AttachAsync("test", "ds", files.Take(200).Select(f => new ChildSpec("test", f.Name)).ToList());
        // Overlapping and repeated children: with ignore-duplicates each new file counts once.
        await t.Dids.AttachAsync("test", "ds", files.Skip(150).Concat(files.Skip(299)).Select(f => new ChildSpec("test", f.Name, f.Bytes)).ToList(), ignoreDuplicate: true);
        var ds = await t.Dids.GetAsync("test", "ds");
        Assert.Equal((300L, files.Sum(f => f.Bytes!.Value)), (ds.Length!.Value, ds.Bytes!.Value));
        Assert.Equal(300L, await t.Count("SELECT COUNT(*) FROM contents WHERE scope='test' AND name='ds'"));
        Assert.Equal(1L, await t.Count("SELECT COUNT(*) FROM rules WHERE needs_eval=1"));
        Assert.Equal((1L, 0L), ((await t.Dids.GetAsync("test", "cont")).Length!.Value, (await t.Dids.GetAsync("test", "cont")).Bytes ?? 0));
    }

    [Fact]
    public async Task Attach_refusals_keep_their_errors_and_attach_nothing_of_the_batch()
    {
        await using var t = await new TestCatalog().WithRses("SRC");
        await t.Dids.AddCollectionAsync("test", "ds", DidType.Dataset, "root", null, null);
        await t.Dids.AddCollectionAsync("test", "other", DidType.Dataset, "root", null, null);
        await t.Replicas.AddAsync("SRC", [File("a", 5), File("b", 6), File("c", 7)], "root", true);
        await t.Dids.AttachAsync("test", "ds", [new ChildSpec("test", "a")]);
        ChildSpec C(string name, long? bytes = null) => new("test", name, bytes);
        await Refused("DataIdentifierNotFound", 404, () => t.Dids.AttachAsync("test", "ds", [C("b"), C("missing"), C("c")]));
        await Refused("FileAlreadyExists", 409, () => t.Dids.AttachAsync("test", "ds", [C("b"), C("a")]));
        await Refused("FileAlreadyExists", 409, () => t.Dids.AttachAsync("test", "ds", [C("b"), C("c"), C("b")]));
        await Refused("FileConsistencyMismatch", 412, () => t.Dids.AttachAsync("test", "ds", [C("b"), C("c", 8)]));
        await Refused("UnsupportedOperation", 409, () => t.Dids.AttachAsync("test", "ds", [C("b"), C("other")]));
        var ds = await t.Dids.GetAsync("test", "ds");
        Assert.Equal((1L, 5L), (ds.Length!.Value, ds.Bytes!.Value));
        Assert.Equal(1L, await Rows(t, "contents"));
    }

    private static string Lfn2PfnPath(string scope, string name) => Ferry.Core.Paths.Lfn2Pfn.Hash(scope, name);

    private static async Task<string> RseId(TestCatalog t, string name) => (await t.Rses.ListAsync()).First(r => r.Name == name).Id;

    private const string KilledMessage = "killed before the commit";

    /// <summary>A store whose writes do all their work and then die before the commit.</summary>
    private sealed class DiesBeforeCommit(ICatalogDatabase inner) : ICatalogDatabase
    {
        public Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default) => inner.ReadAsync(work, ct);

        public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default) => inner.WriteAsync<T>(async (c, tx) =>
        {
            await work(c, tx);
            throw new InvalidOperationException(KilledMessage);
        }, ct);
    }
}
