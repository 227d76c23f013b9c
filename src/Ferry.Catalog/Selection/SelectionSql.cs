using System.Text;
using System.Text.Json;
using Dapper;
using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Model;
using Ferry.Core.Selection;

namespace Ferry.Catalog.Selection;

/// <summary>
/// Turns a <see cref="DataSelection"/> into one WHERE clause over <c>dids d</c>. RSE expressions are resolved here,
/// once per request: to RSE ids for replica conditions and, for rule conditions, to the rule expressions that are "on"
/// them (<see cref="RuleOn"/>), so the SQL compares plain values.
/// </summary>
internal sealed class SelectionSql
{
    private readonly StringBuilder _where = new();
    private readonly List<string> _conditions = [];
    private int _n;

    public DynamicParameters Parameters { get; } = new();
    public string Where => _where.ToString();

    public static SelectionSql Build(DataSelection s, SelectionContext ctx)
    {
        var sql = new SelectionSql();
        // 'd.type<>0' spelled literally lets SQLite use the partial index of collections.
        sql.And($"d.type<>0 AND d.type IN {sql.P(s.DidTypes)}");
        if (s.Scopes.Count > 0) sql.And($"d.scope IN {sql.P(s.Scopes)}");
        if (s.Pattern is not null) sql.And(MatchPlaceholder);
        if (s.Dids is { Count: > 0 } dids)
            sql.And("(" + string.Join(" OR ", dids.Select(x => $"(d.scope={sql.P(x.Scope)} AND d.name={sql.P(x.Name)})")) + ")");
        else if (s.Dids is { Count: 0 }) sql.And("0=1");
        foreach (var (key, value) in s.Meta)
            sql.And($"EXISTS (SELECT 1 FROM did_meta m WHERE m.scope=d.scope AND m.name=d.name AND m.key={sql.P(key)} AND m.value IN ({sql.P(JsonSerializer.Serialize(value))}, {sql.P(value)}))");
        if (s.CreatedAfter is { } after) sql.And($"d.created_at>{sql.P(after.ToUnixTimeMilliseconds())}");
        if (s.CreatedBefore is { } before) sql.And($"d.created_at<{sql.P(before.ToUnixTimeMilliseconds())}");

        foreach (var e in s.HasRuleOn) sql._conditions.Add(sql.RuleExists($"ru.rse_expression IN {sql.P(ctx.RuleExpressionsOn(e))}", s.ContainerSatisfies));
        foreach (var e in s.NoRuleOn) sql._conditions.Add("NOT " + sql.RuleExists($"ru.rse_expression IN {sql.P(ctx.RuleExpressionsOn(e))}", s.ContainerSatisfies));
        foreach (var e in s.HasReplicaOn) sql._conditions.Add(sql.EveryFileAvailable(ctx.RseIds(e)));
        foreach (var e in s.NoReplicaOn) sql._conditions.Add(sql.NoReplica(ctx.RseIds(e)));
        foreach (var rse in s.NeverHadRuleOn) sql._conditions.Add(sql.NeverHadRule(rse, ctx.RseId(rse), ctx.RuleExpressionsOn(rse)));
        if (s.RuleExpiresWithinSeconds is { } within)
            sql._conditions.Add(sql.RuleExists($"ru.expires_at IS NOT NULL AND ru.expires_at<={sql.P(ctx.Now.AddSeconds(within).ToUnixTimeMilliseconds())}", s.ContainerSatisfies));
        if (sql._conditions.Count > 0) sql.And("(" + string.Join(s.Any ? " OR " : " AND ", sql._conditions.Select(c => $"({c})")) + ")");
        return sql;
    }

    /// <summary>A rule matching <paramref name="cond"/> on the DID, or (when asked) on a container holding it, up to two levels up.</summary>
    private string RuleExists(string cond, bool containers)
    {
        var own = $"EXISTS (SELECT 1 FROM rules ru WHERE ru.scope=d.scope AND ru.name=d.name AND {cond})";
        if (!containers) return own;
        return $"({own} OR EXISTS (SELECT 1 FROM contents p JOIN rules ru ON ru.scope=p.scope AND ru.name=p.name WHERE p.child_scope=d.scope AND p.child_name=d.name AND {cond})"
            + $" OR EXISTS (SELECT 1 FROM contents p JOIN contents gp ON gp.child_scope=p.scope AND gp.child_name=p.name JOIN rules ru ON ru.scope=gp.scope AND ru.name=gp.name"
            + $" WHERE p.child_scope=d.scope AND p.child_name=d.name AND {cond}))";
    }

    // Files of d: its own (a dataset's) and those of its collections (a container's datasets).
    private const string DirectFiles = "SELECT ct.child_scope AS fs, ct.child_name AS fn FROM contents ct WHERE ct.scope=d.scope AND ct.name=d.name AND ct.child_type=0";
    private const string NestedFiles = "SELECT ct.child_scope AS fs, ct.child_name AS fn FROM contents c1 JOIN contents ct ON ct.scope=c1.child_scope AND ct.name=c1.child_name WHERE c1.scope=d.scope AND c1.name=d.name AND c1.child_type<>0 AND ct.child_type=0";

    private string EveryFileAvailable(IReadOnlyList<string> rseIds)
    {
        var ids = P(rseIds);
        var missing = $"NOT EXISTS (SELECT 1 FROM replicas r WHERE r.scope=ct.child_scope AND r.name=ct.child_name AND r.state={(int)ReplicaState.Available} AND r.rse_id IN {ids})";
        return $"(EXISTS ({DirectFiles}) OR EXISTS ({NestedFiles})) AND NOT EXISTS ({DirectFiles} AND {missing}) AND NOT EXISTS ({NestedFiles} AND {missing})";
    }

    private string NoReplica(IReadOnlyList<string> rseIds)
    {
        var ids = P(rseIds);
        var present = $"EXISTS (SELECT 1 FROM replicas r WHERE r.scope=ct.child_scope AND r.name=ct.child_name AND r.state IN ({(int)ReplicaState.Available}, {(int)ReplicaState.Copying}) AND r.rse_id IN {ids})";
        return $"NOT EXISTS ({DirectFiles} AND {present}) AND NOT EXISTS ({NestedFiles} AND {present})";
    }

    /// <summary>
    /// No rule, past (rule_history) or present, was ever on the RSE: none had an expression on it (<see cref="RuleOn"/>)
    /// or held locks there.
    /// </summary>
    private string NeverHadRule(string rse, string rseId, IReadOnlyList<string> expressionsOn)
    {
        var on = P(expressionsOn);
        return $"NOT EXISTS (SELECT 1 FROM rule_history h WHERE h.scope=d.scope AND h.name=d.name AND (h.rse_expression IN {on} OR ','||COALESCE(h.rses,'')||',' LIKE {P($"%,{rse},%")}))"
            + $" AND NOT EXISTS (SELECT 1 FROM rules ru WHERE ru.scope=d.scope AND ru.name=d.name AND (ru.rse_expression IN {on} OR EXISTS (SELECT 1 FROM locks l WHERE l.rule_id=ru.id AND l.rse_id={P(rseId)})))";
    }

    // The pattern condition depends on the store (a registered function or an operator): filled in by ReplaceMatch.
    private const string MatchPlaceholder = "/*ferry-name-match*/";

    public void ReplaceMatch(string condition) => _where.Replace(MatchPlaceholder, condition);

    private void And(string clause) => _where.Append(_where.Length == 0 ? "" : " AND ").Append(clause);

    private string P(object value)
    {
        var name = $"p{_n++}";
        Parameters.Add(name, value);
        return "@" + name;
    }
}

/// <summary>What the SQL needs from the catalogue to resolve a selection: RSEs, rule expressions in use, the time.</summary>
internal sealed class SelectionContext(IReadOnlyCollection<RseFacts> facts, IReadOnlyList<string> ruleExpressions, IReadOnlyDictionary<string, string> rseIds, DateTimeOffset now)
{
    public DateTimeOffset Now => now;

    public IReadOnlyList<string> RuleExpressionsOn(string expression) => RuleOn.MatchingExpressions(expression, ruleExpressions, facts);

    public IReadOnlyList<string> RseIds(string expression) => RseExpression.Parse(expression).Evaluate(facts).Select(RseId).ToList();

    public string RseId(string rse) => rseIds.TryGetValue(rse, out var id) ? id
        : throw new FerryException("InvalidObject", 400, $"Unknown RSE '{rse}'");
}
