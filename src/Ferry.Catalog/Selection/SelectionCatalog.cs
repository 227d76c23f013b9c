using System.Text.RegularExpressions;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Core.Selection;

namespace Ferry.Catalog.Selection;

/// <summary>One collection a selection found, with its direct size.</summary>
public sealed record SelectedDid
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public DidType Type { get; init; }
    public required string Account { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public long Length { get; init; }
    public long Bytes { get; init; }
}

/// <summary>A page of a selection; <see cref="Next"/> is the last DID of the page when more may follow.</summary>
public sealed record SelectionPage(IReadOnlyList<SelectedDid> Items, DidRef? Next);

/// <summary>
/// Server-side selection for `ferry data`: one query per page, keyset-paged on (scope, name), so a selection over
/// 100,000 datasets is a hundred queries, never one per DID.
/// </summary>
public sealed class SelectionCatalog(ICatalogDatabase db, TimeProvider clock)
{
    public const int MaxPage = 5000;

    public Task<SelectionPage> SelectAsync(DataSelection selection, DidRef? after, int limit) => db.ReadAsync(async c =>
    {
        selection.Validate();
        if (limit is < 1 or > MaxPage) throw FerryException.Invalid($"limit must be between 1 and {MaxPage}, got {limit}");
        var ctx = await Context(c, selection);
        var sql = SelectionSql.Build(selection, ctx);
        var timedOut = false;
        if (selection.CompiledPattern() is { } rx)
        {
            var dialect = SqlDialect.For(c);
            if (dialect == SqlDialect.Postgres) sql.Parameters.Add("pattern", $"^(?:{selection.Pattern})$");
            sql.ReplaceMatch(dialect.RegexMatch(c, "d.name", rx, "@pattern", () => timedOut = true));
        }
        sql.Parameters.Add("afterScope", after?.Scope ?? "");
        sql.Parameters.Add("afterName", after?.Name ?? "");
        sql.Parameters.Add("limit", limit);
        var rows = (await c.QueryAsync<SelectedDid>($"""
            SELECT d.scope, d.name, d.type, d.account, d.created_at,
                (SELECT COUNT(*) FROM contents ct WHERE ct.scope=d.scope AND ct.name=d.name) AS length,
                COALESCE((SELECT SUM(f.bytes) FROM contents ct JOIN dids f ON f.scope=ct.child_scope AND f.name=ct.child_name
                          WHERE ct.scope=d.scope AND ct.name=d.name AND ct.child_type=0), 0) AS bytes
            FROM dids d WHERE {sql.Where} AND (d.scope, d.name) > (@afterScope, @afterName)
            ORDER BY d.scope, d.name LIMIT @limit
            """, sql.Parameters)).AsList();
        if (timedOut) throw FerryException.Invalid($"The regular expression '{Names.Printable(selection.Pattern!)}' took too long on some names: simplify it");
        return new SelectionPage(rows, rows.Count == limit ? new DidRef(rows[^1].Scope, rows[^1].Name) : null);
    });

    private async Task<SelectionContext> Context(System.Data.Common.DbConnection c, DataSelection s)
    {
        var facts = await RseCatalog.Facts(c, null);
        var ruleExpressions = s.HasRuleOn.Count + s.NoRuleOn.Count + s.NeverHadRuleOn.Count > 0
            ? (await c.QueryAsync<string>(s.NeverHadRuleOn.Count > 0
                ? "SELECT rse_expression FROM rules UNION SELECT rse_expression FROM rule_history" : "SELECT DISTINCT rse_expression FROM rules")).AsList()
            : [];
        var ids = (await c.QueryAsync<(string Name, string Id)>("SELECT name, id FROM rses WHERE deleted=0")).ToDictionary(r => r.Name, r => r.Id);
        return new SelectionContext(facts, ruleExpressions, ids, clock.GetUtcNow());
    }
}
