using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Data;

/// <summary>
/// One server with a catalogue that exercises every selection filter. RSEs: DA and DB (tier=1), DC (tier=2).
/// Datasets of user.root (files / replicas / rules):
///   d_full_a   2 files on DA          rule on DA, never expires          meta run=1
///   d_full_ab  2 files on DA and DB   rule on DB, expires in 2 days      meta run=2
///   d_part_b   2 files on DA, 1 on DB no rule                            in container c_parent
///   d_child    1 file on DA           a rule on 'tier=1' (its lock on DA) was deleted; in container c_parent
///   d_empty    no files               rule on 'tier=1', expires in 20 days
///   d_hist_c   no files               a rule on 'tier=2' (= DC) was deleted
///   d_expired  no files               a rule on DA expired and was removed by the judge
///   c_parent   (container)            rule on DA, expires in 5 days
/// Scope ana: d_other (meta run=1), then, after <see cref="Stamp"/>, d_late.
/// Rules are placed only where the data already is, so no transfer changes the catalogue while tests run.
/// </summary>
public sealed class SelectionFixture : IAsyncLifetime
{
    public FerryServer Server { get; private set; } = null!;
    public RawApi Api { get; private set; } = null!;
    public DataCatalogue Catalogue { get; private set; } = null!;
    public DateTimeOffset Stamp { get; private set; }

    public async Task InitializeAsync()
    {
        Server = await FerryServer.StartAsync();
        Api = new RawApi(Server);
        var c = Catalogue = new DataCatalogue(Server, Api);
        await c.RseAsync("DA", "1");
        await c.RseAsync("DB", "1");
        await c.RseAsync("DC", "2");
        await c.ScopeAsync("ana");
        foreach (var d in new[] { "d_full_a", "d_full_ab", "d_part_b", "d_child", "d_empty", "d_hist_c", "d_expired" }) await c.DatasetAsync($"user.root:{d}");
        await c.DatasetAsync("user.root:c_parent", "CONTAINER");
        await c.FilesAsync("user.root:d_full_a", 2, "DA");
        await c.FilesAsync("user.root:d_full_ab", 2, "DA", "DB");
        var part = await c.FilesAsync("user.root:d_part_b", 2, "DA");
        await c.ReplicasAsync("DB", part.Take(1).ToList());
        await c.FilesAsync("user.root:d_child", 1, "DA");
        await c.AttachAsync("user.root:c_parent", "user.root:d_part_b", "user.root:d_child");
        await c.MetaAsync("user.root:d_full_a", "run", 1);
        await c.MetaAsync("user.root:d_full_ab", "run", 2);

        await c.RuleAsync("user.root:d_full_a", "DA");
        await c.RuleAsync("user.root:d_full_ab", "DB", lifetime: 2 * 86400);
        await c.RuleAsync("user.root:d_empty", "tier=1", lifetime: 20 * 86400);
        await c.RuleAsync("user.root:c_parent", "DA", lifetime: 5 * 86400);
        await c.DeleteRuleNowAsync(await c.RuleAsync("user.root:d_hist_c", "tier=2"));
        // Placed on DA, which holds the file; c_parent's lock keeps the replica after this rule goes.
        await c.DeleteRuleNowAsync(await c.RuleAsync("user.root:d_child", "tier=1"));
        var expiring = await c.RuleAsync("user.root:d_expired", "DA", lifetime: 1);
        await Site.WaitUntilAsync(async () => { using var r = await Api.SendAsync("GET", $"/rules/{expiring}"); return (int)r.StatusCode == 404; },
            TimeSpan.FromSeconds(30), "the judge to remove the expired rule");

        await c.DatasetAsync("ana:d_other");
        await c.MetaAsync("ana:d_other", "run", 1);
        await Task.Delay(1100);
        Stamp = DateTimeOffset.UtcNow;
        await Task.Delay(1100);
        await c.DatasetAsync("ana:d_late");
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
    }
}
