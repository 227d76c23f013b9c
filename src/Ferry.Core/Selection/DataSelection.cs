using System.Globalization;
using System.Text.RegularExpressions;
using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;

namespace Ferry.Core.Selection;

/// <summary>Which collections a selection may return.</summary>
public enum SelectionType { Dataset, Container, All }

/// <summary>
/// What `ferry data` selects, validated. Base filters (scopes, pattern, type, names, meta, creation time) always
/// apply; the rule and replica conditions combine with AND, or with OR when <see cref="Any"/> is set.
/// </summary>
public sealed record DataSelection
{
    public IReadOnlyList<string> Scopes { get; init; } = [];
    /// <summary>A .NET regular expression the whole name must match.</summary>
    public string? Pattern { get; init; }
    public SelectionType Type { get; init; } = SelectionType.Dataset;
    /// <summary>When set, only these DIDs are candidates (a page of a --from-file list).</summary>
    public IReadOnlyList<DidRef>? Dids { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Meta { get; init; } = [];
    public DateTimeOffset? CreatedAfter { get; init; }
    public DateTimeOffset? CreatedBefore { get; init; }
    public IReadOnlyList<string> HasRuleOn { get; init; } = [];
    public IReadOnlyList<string> NoRuleOn { get; init; } = [];
    public IReadOnlyList<string> HasReplicaOn { get; init; } = [];
    public IReadOnlyList<string> NoReplicaOn { get; init; } = [];
    public IReadOnlyList<string> NeverHadRuleOn { get; init; } = [];
    public long? RuleExpiresWithinSeconds { get; init; }
    public bool ContainerSatisfies { get; init; }
    public bool Any { get; init; }

    public const int MaxDids = 1000;

    public bool HasConditions => HasRuleOn.Count + NoRuleOn.Count + HasReplicaOn.Count + NoReplicaOn.Count + NeverHadRuleOn.Count > 0
        || RuleExpiresWithinSeconds is not null;

    /// <summary>The pattern compiled to match whole names; a bad one is a 400 that says so (with a hint for globs).</summary>
    public Regex? CompiledPattern()
    {
        if (Pattern is null) return null;
        try
        {
            // Parsed alone first, so an error message points into the pattern as the user wrote it.
            _ = new Regex(Pattern, RegexOptions.CultureInvariant);
            return new Regex($"\\A(?:{Pattern})\\z", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException e)
        {
            var hint = GlobHint.For(Pattern);
            throw FerryException.Invalid($"Invalid regular expression '{Names.Printable(Pattern)}': {e.Message}" + (hint is null ? "" : $" ({hint})"));
        }
    }

    /// <summary>Checks everything that does not need the catalogue; RSE expressions are checked against it later.</summary>
    public void Validate()
    {
        foreach (var s in Scopes) Names.Scope(s);
        CompiledPattern();
        if (Dids is { Count: > MaxDids }) throw FerryException.Invalid($"At most {MaxDids} DIDs per selection request, got {Dids.Count}");
        foreach (var (k, _) in Meta)
            if (string.IsNullOrWhiteSpace(k)) throw FerryException.Invalid("A metadata filter needs a key: write key=value");
        if (CreatedAfter is { } a && CreatedBefore is { } b && a >= b)
            throw FerryException.Invalid($"created_after ({a:u}) is not before created_before ({b:u}): nothing could match");
        if (RuleExpiresWithinSeconds is <= 0) throw FerryException.Invalid("rule_expires_within must be a positive number of seconds");
        foreach (var rse in NeverHadRuleOn) Names.Rse(rse);
        foreach (var e in HasRuleOn.Concat(NoRuleOn).Concat(HasReplicaOn).Concat(NoReplicaOn)) RseExpression.Parse(e);
    }

    public static SelectionType ParseType(string s) => s.ToLowerInvariant() switch
    {
        "dataset" or "datasets" => SelectionType.Dataset, "container" or "containers" => SelectionType.Container, "all" => SelectionType.All,
        _ => throw FerryException.Invalid($"Unknown type '{Names.Printable(s)}': expected dataset, container or all"),
    };

    public static string Wire(SelectionType t) => t switch { SelectionType.Dataset => "dataset", SelectionType.Container => "container", _ => "all" };

    public IReadOnlyList<int> DidTypes => Type switch
    {
        SelectionType.Dataset => [(int)DidType.Dataset], SelectionType.Container => [(int)DidType.Container],
        _ => [(int)DidType.Dataset, (int)DidType.Container],
    };

    /// <summary>Dates as the CLI and the endpoint take them: ISO-8601 (a bare date is midnight UTC) or Rucio's format; always UTC.</summary>
    public static DateTimeOffset ParseDate(string text, string what)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)) return t;
        try { return Time.RucioTime.Parse(text); }
        catch (FerryException) { throw FerryException.Invalid($"Cannot read {what} '{Names.Printable(text)}' as a date: write e.g. 2026-11-22 or 2026-11-22T11:46:49Z (UTC)"); }
    }
}

/// <summary>Spots patterns written as shell globs, which are legal regexes that mean something else.</summary>
public static class GlobHint
{
    /// <summary>A suggestion when the pattern looks like a glob ('run*', '*.root', 'data?'), else null.</summary>
    public static string? For(string pattern)
    {
        // 'abc*' as a regex means "ab" then any number of 'c': a '*' or '?' that quantifies a plain character is a glob's.
        const string plain = @"(?<![.\)\]\\*+?}])";
        if (!pattern.StartsWith('*') && !Regex.IsMatch(pattern, plain + "[*?]")) return null;
        var suggestion = Regex.Replace(pattern, plain + @"\.(?![*+?{])", @"\.");
        suggestion = Regex.Replace(suggestion, plain + @"\*", ".*");
        suggestion = Regex.Replace(suggestion, plain + @"\?", ".");
        return $"--pattern is a regular expression matched against the whole name; '{pattern}' looks like a glob: did you mean '{suggestion}'?";
    }
}
