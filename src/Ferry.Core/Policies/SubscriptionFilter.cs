using System.Text.RegularExpressions;
using Ferry.Core.Errors;
using Ferry.Core.Model;

namespace Ferry.Core.Policies;

/// <summary>
/// Which DIDs a subscription is about. Every part that is given must hold: the scope is one of <see cref="Scopes"/>,
/// the whole name matches <see cref="NameRegex"/>, the type is one of <see cref="DidTypes"/>, and for every key of
/// <see cref="Meta"/> the DID's metadata value is one of the values listed.
/// </summary>
public sealed record SubscriptionFilter
{
    public IReadOnlyList<string> Scopes { get; init; } = [];
    public string? NameRegex { get; init; }
    public IReadOnlyList<DidType> DidTypes { get; init; } = [];
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Meta { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
    /// <summary>A DID whose whole name matches this is left out (Rucio's excluded_pattern).</summary>
    public string? ExcludedRegex { get; init; }
    /// <summary>Only DIDs created by these accounts (Rucio's filter key account).</summary>
    public IReadOnlyList<string> Accounts { get; init; } = [];

    private Regex? _regex, _excluded;

    /// <summary>Throws a 400 naming what is wrong; a filter that matches everything is refused too.</summary>
    public SubscriptionFilter Validated()
    {
        foreach (var s in Scopes) Identifiers.Names.Scope(s);
        if (NameRegex is not null) _regex = Compile(NameRegex);
        if (ExcludedRegex is not null) _excluded = Compile(ExcludedRegex);
        foreach (var a in Accounts) Identifiers.Names.Account(a);
        foreach (var (key, values) in Meta)
        {
            if (string.IsNullOrEmpty(key) || key.Length > 255) throw FerryException.Invalid("Filter metadata keys are 1-255 characters");
            if (values.Count == 0) throw FerryException.Invalid($"Filter metadata key '{key}' lists no values");
        }
        if (Scopes.Count == 0 && NameRegex is null && Meta.Count == 0)
            throw FerryException.Invalid("A subscription filter needs at least a scope, a name_regex or a metadata condition (it would match every DID)");
        return this;
    }

    private static Regex Compile(string pattern)
    {
        if (pattern.Length is 0 or > 1000) throw FerryException.Invalid("name_regex must be 1-1000 characters");
        try
        {
            // Anchored: the pattern must match the whole name, not a part of it. The timeout keeps a pathological
            // pattern from stalling the daemon.
            return new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException e)
        {
            throw FerryException.Invalid($"name_regex '{pattern}' is not a valid regular expression: {e.Message}");
        }
    }

    public bool Matches(string scope, string name, DidType type, IReadOnlyDictionary<string, string> meta, string? account = null)
    {
        if (Scopes.Count > 0 && !Scopes.Contains(scope)) return false;
        if (DidTypes.Count > 0 && !DidTypes.Contains(type)) return false;
        if (Accounts.Count > 0 && (account is null || !Accounts.Contains(account))) return false;
        if (NameRegex is not null)
        {
            _regex ??= Compile(NameRegex);
            try { if (!_regex.IsMatch(name)) return false; }
            catch (RegexMatchTimeoutException) { return false; }
        }
        if (ExcludedRegex is not null)
        {
            _excluded ??= Compile(ExcludedRegex);
            // A pattern too slow to decide excludes the DID: placing a rule by mistake costs more than missing one.
            try { if (_excluded.IsMatch(name)) return false; }
            catch (RegexMatchTimeoutException) { return false; }
        }
        foreach (var (key, values) in Meta)
            if (!meta.TryGetValue(key, out var v) || !values.Contains(v)) return false;
        return true;
    }
}

/// <summary>One rule a subscription places on each matching DID.</summary>
public sealed record RuleTemplate
{
    public required string RseExpression { get; init; }
    public int Copies { get; init; } = 1;
    public long? Lifetime { get; init; }
    public RuleGrouping Grouping { get; init; } = RuleGrouping.Dataset;
    public string? Activity { get; init; }

    public RuleTemplate Validated()
    {
        if (string.IsNullOrWhiteSpace(RseExpression)) throw FerryException.Invalid("Each rule template needs an rse_expression");
        Expressions.RseExpression.Parse(RseExpression);
        // The rules' one copies check, with the 400 Ferry's subscription endpoints have always answered.
        Rules.RuleSpec.CheckCopies(Copies, refuse: FerryException.Invalid);
        if (Lifetime is { } l && (l <= 0 || l > Rules.RuleSpec.MaxLifetimeSeconds)) throw FerryException.Invalid($"lifetime must be between 1 second and 100 years, got {l}");
        return this;
    }
}
