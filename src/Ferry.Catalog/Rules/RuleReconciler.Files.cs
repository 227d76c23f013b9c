using System.Data.Common;
using Dapper;
using Ferry.Catalog.Dids;
using Ferry.Core.Errors;
using Ferry.Core.Model;

namespace Ferry.Catalog.Rules;

internal static partial class RuleReconciler
{
    /// <summary>
    /// The rule's files, each once, and the groups they must be placed in: the whole DID (ALL), each dataset (DATASET)
    /// or each file (NONE). One query serves both, with only the columns placement reads: files live only in datasets
    /// (attaching one to a container is refused), so the datasets under the DID hold every file, and the recursion walks
    /// collections only. Loading full DID rows and then the dataset membership separately took a second on a container
    /// of 100,000 files.
    /// </summary>
    private static async Task<(List<GroupFile> Files, IReadOnlyList<IReadOnlyList<GroupFile>> Groups)> PlacementFiles(DbConnection c, DbTransaction tx, Rule rule)
    {
        var rows = new List<GroupFile>();
        // Read by hand: mapping 100,000 rows through Dapper cost more than the query itself.
        await using (var reader = await c.ExecuteReaderAsync("""
            WITH RECURSIVE tree(scope, name, type) AS (
                SELECT scope, name, type FROM dids WHERE scope=@Scope AND name=@Name
                UNION SELECT c.child_scope, c.child_name, c.child_type FROM contents c JOIN tree t ON c.scope=t.scope AND c.name=t.name
                WHERE c.child_type<>0)
            SELECT t.scope AS ds_scope, t.name AS ds_name, d.scope, d.name, COALESCE(d.bytes, 0) AS bytes, d.adler32, d.md5
            FROM tree t JOIN dids d ON d.scope=t.scope AND d.name=t.name WHERE t.type=0
            UNION ALL
            SELECT c.scope, c.name, d.scope, d.name, COALESCE(d.bytes, 0), d.adler32, d.md5
            FROM tree t JOIN contents c ON c.scope=t.scope AND c.name=t.name JOIN dids d ON d.scope=c.child_scope AND d.name=c.child_name
            WHERE t.type=1 AND c.child_type=0
            ORDER BY 1, 2, 3, 4
            """, new { rule.Scope, rule.Name }, tx))
        {
            while (await reader.ReadAsync())
                rows.Add(new GroupFile
                {
                    DsScope = reader.GetString(0), DsName = reader.GetString(1), Scope = reader.GetString(2), Name = reader.GetString(3),
                    Bytes = reader.GetInt64(4), Adler32 = reader.IsDBNull(5) ? null : reader.GetString(5), Md5 = reader.IsDBNull(6) ? null : reader.GetString(6),
                });
        }
        if (rows.Count == 0) _ = await DidCatalog.Find(c, tx, rule.Scope, rule.Name) ?? throw FerryException.DidNotFound(rule.Scope, rule.Name);
        // A file in two datasets of the DID is placed with the first of them.
        var seen = new HashSet<(string, string)>(rows.Count);
        var files = rows.Where(f => seen.Add((f.Scope, f.Name))).ToList();
        if (rule.Grouping == RuleGrouping.Dataset && rule.DidType != DidType.File)
            return (files, files.GroupBy(f => (f.DsScope, f.DsName)).Select(g => (IReadOnlyList<GroupFile>)g.ToList()).ToList());
        var byName = files.Select(f => f with { DsScope = rule.Scope, DsName = rule.Name })
            .OrderBy(f => f.Scope, StringComparer.Ordinal).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (rule.Grouping == RuleGrouping.None && rule.DidType != DidType.File)
            return (byName, byName.Select(f => (IReadOnlyList<GroupFile>)[f]).ToList());
        return (byName, [byName]);
    }
}
