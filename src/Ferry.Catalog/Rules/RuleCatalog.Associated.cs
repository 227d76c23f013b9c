using Dapper;
using Ferry.Core.Model;

namespace Ferry.Catalog.Rules;

public sealed partial class RuleCatalog
{
    /// <summary>
    /// The rules that hold a lock on the file, whatever DID they were made on (a dataset's rule holds its files), each
    /// with its own DID's size as the listings give it.
    /// </summary>
    public Task<IReadOnlyList<Rule>> AssociatedWithFileAsync(string scope, string name) => db.ReadAsync<IReadOnlyList<Rule>>(async c =>
        (await c.QueryAsync<Rule>("""
            SELECT r.*, d.bytes AS did_bytes FROM rules r LEFT JOIN dids d ON d.scope=r.scope AND d.name=r.name
            WHERE r.id IN (SELECT rule_id FROM locks WHERE scope=@scope AND name=@name) ORDER BY r.created_at, r.id
            """, new { scope, name })).AsList());
}
