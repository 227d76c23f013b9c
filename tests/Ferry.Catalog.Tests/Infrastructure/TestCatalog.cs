using Dapper;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Db;
using Ferry.Catalog.Db.Postgres;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Catalog.Rules;
using Ferry.Core.Model;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.Catalog.Tests.Infrastructure;

/// <summary>
/// A fresh catalogue for one test, in this process: a temporary SQLite file, or a PostgreSQL schema of its own when the run
/// uses FERRY_TEST_STORE=postgres. Time is a <see cref="FakeTimeProvider"/> the test moves. No HTTP, no daemons: the
/// catalogue classes are called as the server's endpoints and daemons call them.
/// </summary>
public sealed class TestCatalog : IAsyncDisposable
{
    private readonly string _home;
    private readonly string? _schemaUrl;

    public ICatalogDatabase Db { get; }
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    /// <summary>Seeded, so a placement that fails a test fails the same way again.</summary>
    public Random Random { get; } = new(24);
    public AccountCatalog Accounts { get; }
    public QuotaCatalog Quotas { get; }
    public RseCatalog Rses { get; }
    public DidCatalog Dids { get; }
    public ReplicaCatalog Replicas { get; }
    public RuleCatalog Rules { get; }

    public TestCatalog()
    {
        _home = Path.Combine(Path.GetTempPath(), "ferry-tests", "catalog-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_home);
        if (TestStore.IsPostgres)
        {
            _schemaUrl = TestStore.NewSchemaUrl();
            Db = new PostgresCatalogDatabase(_schemaUrl, Random);
        }
        else Db = new SqliteCatalogDatabase(Path.Combine(_home, "catalog.db"));
        Accounts = new AccountCatalog(Db, Clock);
        Quotas = new QuotaCatalog(Db);
        Rses = new RseCatalog(Db, Clock);
        Dids = new DidCatalog(Db, Clock, Random);
        Replicas = new ReplicaCatalog(Db, Dids, Clock);
        Rules = new RuleCatalog(Db, Clock, Random);
    }

    /// <summary>root (admin) with scope "test", and the RSEs named, each writable.</summary>
    public async Task<TestCatalog> WithRses(params string[] names)
    {
        await Accounts.BootstrapRootAsync("secret");
        await Accounts.AddScopeAsync("test", "root");
        foreach (var name in names) await Rses.AddAsync(name, new RseSettings());
        return this;
    }

    /// <summary>A dataset of <paramref name="files"/> files of <paramref name="bytes"/> bytes each, AVAILABLE on <paramref name="rse"/>.</summary>
    public async Task Dataset(string name, string rse, int files, long bytes = 100)
    {
        await Dids.AddCollectionAsync("test", name, DidType.Dataset, "root", null, null);
        var specs = Enumerable.Range(0, files).Select(i => new ReplicaFileSpec("test", $"{name}_f{i}", bytes, "00000001", null, null, ReplicaState.Available)).ToList();
        await Replicas.AddAsync(rse, specs, "root", true);
        await Dids.AttachAsync("test", name, specs.Select(f => new ChildSpec("test", f.Name)).ToList());
    }

    /// <summary>A count straight from the catalogue's tables, as an assertion sees the store.</summary>
    public Task<long> Count(string sql, object? args = null) => Db.ReadAsync(c => c.ExecuteScalarAsync<long>(sql, args));

    public async ValueTask DisposeAsync()
    {
        (Db as IDisposable)?.Dispose();
        await TestStore.DropSchemaAsync(_schemaUrl);
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { /* a file still held open is left for the run's sweep */ }
    }
}
