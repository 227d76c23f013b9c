using Dapper;
using Ferry.Catalog.Db;
using Ferry.Core.Model;

namespace Ferry.Catalog.Replicas;

/// <summary>A rule on a dataset and the RSEs its locks are on (none yet when the dataset is empty).</summary>
public sealed record DatasetRulePlacement(string RuleId, string RseExpression, int Copies, DateTimeOffset CreatedAt, IReadOnlyList<string> LockedRseIds);

/// <summary>
/// Where rules place a dataset, for the dialect's dataset replicas: Rucio shows one on every RSE a rule chose, even
/// before any file is there (an empty dataset's rule makes an UNAVAILABLE dataset replica of 0 files).
/// </summary>
public sealed class DatasetPlacements(ICatalogDatabase db)
{
    public Task<IReadOnlyList<DatasetRulePlacement>> OfAsync(string scope, string name) => db.ReadAsync<IReadOnlyList<DatasetRulePlacement>>(async c =>
    {
        var rules = (await c.QueryAsync<RuleRow>(
            "SELECT id, rse_expression, copies, created_at FROM rules WHERE scope=@scope AND name=@name AND did_type=@dataset ORDER BY created_at, id",
            new { scope, name, dataset = DidType.Dataset })).AsList();
        if (rules.Count == 0) return [];
        var locked = (await c.QueryAsync<(string RuleId, string RseId)>("SELECT DISTINCT rule_id, rse_id FROM locks WHERE rule_id IN @ids",
            new { ids = rules.Select(r => r.Id).ToArray() })).ToLookup(x => x.RuleId, x => x.RseId);
        return rules.Select(r => new DatasetRulePlacement(r.Id, r.RseExpression, (int)r.Copies, r.CreatedAt, locked[r.Id].Order(StringComparer.Ordinal).ToList())).ToList();
    });

    private sealed class RuleRow
    {
        public string Id { get; init; } = "";
        public string RseExpression { get; init; } = "";
        public long Copies { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
    }
}
