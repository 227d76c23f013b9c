using Ferry.Core.Expressions;

namespace Ferry.Core.Selection;

/// <summary>
/// When a rule counts as "on" an expression: every RSE the rule's own expression selects is one the given expression
/// selects. So a rule on 'SITE-A' is on 'tier=1' when SITE-A has tier=1, and a rule on 'tier=1' is not on 'SITE-A'
/// alone when tier=1 also selects SITE-B. A rule whose expression no longer selects anything is on nothing.
/// </summary>
public static class RuleOn
{
    public static IReadOnlyList<string> MatchingExpressions(string target, IEnumerable<string> ruleExpressions, IReadOnlyCollection<RseFacts> facts)
    {
        var wanted = RseExpression.Parse(target).Evaluate(facts).ToHashSet(StringComparer.Ordinal);
        var matching = new List<string>();
        foreach (var expression in ruleExpressions.Distinct(StringComparer.Ordinal))
        {
            IReadOnlyList<string> selected;
            try { selected = RseExpression.Parse(expression).Evaluate(facts); }
            catch (Errors.FerryException) { continue; }
            if (selected.All(wanted.Contains)) matching.Add(expression);
        }
        return matching;
    }
}
