using System.CommandLine;
using System.Runtime.CompilerServices;
using Ferry.Client.Data;
using Ferry.Client.Http;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Selection;

namespace Ferry.Cli.Commands.Data;

/// <summary>The selection every `ferry data` verb shares, read into a <see cref="DataSelection"/> the server evaluates.</summary>
internal sealed class SelectionOptions
{
    private readonly Option<string[]> _scope = Many("--scope", "Only DIDs of this scope (repeatable)");
    private readonly Option<string?> _pattern = new("--pattern") { Description = "A regular expression the whole name must match (not a glob: 'run.*', not 'run*')" };
    private readonly Option<string> _type = new("--type") { Description = "dataset, container or all", DefaultValueFactory = _ => "dataset" };
    private readonly Option<string?> _fromFile = new("--from-file") { Description = "Only the DIDs in this file (one scope:name a line)" };
    private readonly Option<string?> _excludeFile = new("--exclude-file") { Description = "Leave out the DIDs in this file (one scope:name a line)" };
    private readonly Option<string[]> _meta = Many("--meta", "Metadata key=value the DID must have (repeatable)");
    private readonly Option<string?> _createdAfter = new("--created-after") { Description = "Created after this UTC date/time, e.g. 2026-11-01" };
    private readonly Option<string?> _createdBefore = new("--created-before") { Description = "Created before this UTC date/time" };
    private readonly Option<string[]> _hasRuleOn = Many("--has-rule-on", "Has a rule whose RSEs are all selected by EXPR");
    private readonly Option<string[]> _noRuleOn = Many("--no-rule-on", "Has no rule on EXPR");
    private readonly Option<string[]> _hasReplicaOn = Many("--has-replica-on", "Every file has an AVAILABLE replica on an RSE EXPR selects");
    private readonly Option<string[]> _noReplicaOn = Many("--no-replica-on", "No file has an AVAILABLE or COPYING replica on EXPR");
    private readonly Option<string[]> _neverHadRuleOn = Many("--never-had-rule-on", "No rule, now or in the rule history, was ever on this RSE");
    private readonly Option<string?> _expiresWithin = new("--rule-expires-within") { Description = "Has a rule expiring within DUR from now (UTC), e.g. 7d; rules that never expire do not count" };
    private readonly Option<bool> _containerSatisfies = new("--container-satisfies") { Description = "A rule on a container holding the DID counts as the DID's" };
    private readonly Option<bool> _any = new("--any") { Description = "The rule and replica conditions combine with OR (default AND)" };
    private readonly Option<int> _pageSize = new("--page-size") { Description = "DIDs per selection request (actions send at most 1,000 per request)", DefaultValueFactory = _ => 5000 };

    private static Option<string[]> Many(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };

    public void AddTo(Command c) => c.With(_scope, _pattern, _type, _fromFile, _excludeFile, _meta, _createdAfter, _createdBefore, _hasRuleOn, _noRuleOn,
        _hasReplicaOn, _noReplicaOn, _neverHadRuleOn, _expiresWithin, _containerSatisfies, _any, _pageSize);

    /// <summary>Rules an extend or delete touches: those on --has-rule-on and expiring within --rule-expires-within, when given.</summary>
    public RuleScopeRequest RuleScope(ParseResult pr, string? account) =>
        new(account, pr.GetValue(_hasRuleOn) ?? [], Common.Duration(pr.GetValue(_expiresWithin)));

    public int PageSize(ParseResult pr) => pr.GetValue(_pageSize) is var n and >= 1 and <= 5000 ? n : throw new UsageException("--page-size must be between 1 and 5000");

    /// <summary>Reads and checks the options; mistakes are usage errors (exit 2) before anything is sent.</summary>
    public Selection Read(ParseResult pr)
    {
        try
        {
            var meta = (pr.GetValue(_meta) ?? []).Select(m => m.IndexOf('=') is var i and > 0 ? new KeyValuePair<string, string>(m[..i], m[(i + 1)..])
                : throw new UsageException($"--meta '{m}' is not key=value")).ToList();
            var s = new DataSelection
            {
                Scopes = pr.GetValue(_scope) ?? [], Pattern = pr.GetValue(_pattern), Type = DataSelection.ParseType(pr.GetValue(_type)!), Meta = meta,
                CreatedAfter = pr.GetValue(_createdAfter) is { } a ? DataSelection.ParseDate(a, "--created-after") : null,
                CreatedBefore = pr.GetValue(_createdBefore) is { } b ? DataSelection.ParseDate(b, "--created-before") : null,
                HasRuleOn = pr.GetValue(_hasRuleOn) ?? [], NoRuleOn = pr.GetValue(_noRuleOn) ?? [], HasReplicaOn = pr.GetValue(_hasReplicaOn) ?? [],
                NoReplicaOn = pr.GetValue(_noReplicaOn) ?? [], NeverHadRuleOn = pr.GetValue(_neverHadRuleOn) ?? [],
                RuleExpiresWithinSeconds = Common.Duration(pr.GetValue(_expiresWithin)),
                ContainerSatisfies = pr.GetValue(_containerSatisfies), Any = pr.GetValue(_any),
            };
            s.Validate();
            if (s.Pattern is { } p && GlobHint.For(p) is { } hint) Console.Error.WriteLine($"ferry: hint: {hint}");
            var from = pr.GetValue(_fromFile) is { } f ? ReadList(f, "--from-file") : null;
            var exclude = pr.GetValue(_excludeFile) is { } x ? ReadList(x, "--exclude-file").ToHashSet() : [];
            return new Selection(s, from, exclude, PageSize(pr));
        }
        catch (FerryException e) { throw new UsageException(e.Message); }
    }

    private static IReadOnlyList<DidRef> ReadList(string path, string option)
    {
        if (!File.Exists(path)) throw new UsageException($"{option}: no such file '{path}'");
        var (dids, bad) = DidList.Parse(File.ReadLines(path));
        foreach (var b in bad) Console.Error.WriteLine($"ferry: {path}:{b.Line}: skipped '{b.Text}': {b.Error}");
        return dids;
    }
}

/// <summary>A read selection: what the server filters, the --from-file candidates (sent a page at a time) and what to leave out.</summary>
internal sealed record Selection(DataSelection Filter, IReadOnlyList<DidRef>? FromFile, IReadOnlySet<DidRef> Exclude, int PageSize)
{
    private Action<SelectedItem>? _observer;

    /// <summary>Items per action request: the bulk endpoints take at most 1,000.</summary>
    public int ActionPage => Math.Min(PageSize, 1000);

    /// <summary>The same selection, telling <paramref name="observer"/> about each item found.</summary>
    public Selection WithObserver(Action<SelectedItem> observer) => this with { _observer = observer };

    /// <summary>Whether a server without Ferry's /ferry/data API (Rucio) may do the selection through its DID search.</summary>
    public bool RucioSearchAllowed { get; init; }

    /// <summary>Everything selected, in pages; a refusal of the selection by the server (400) is a usage error.</summary>
    public async IAsyncEnumerable<SelectedItem> EnumerateAsync(FerryClient client, [EnumeratorCancellation] CancellationToken ct)
    {
        var filters = FromFile is null ? [Filter] : FromFile.Chunk(DataSelection.MaxDids).Select(chunk => Filter with { Dids = chunk });
        var viaRucio = RucioSearchAllowed && !await client.HasFerryExtensionsAsync(ct);
        if (viaRucio)
        {
            if (RucioSelection.Unsupported(Filter) is { } option)
                throw new FerryApiException(FerryExtensions.MissingCapability, 404,
                    $"{option} needs Ferry's /ferry/data API, which the server at {client.Settings.Url} lacks (not a Ferry server); its DID search can do --scope, --pattern, --type, --meta, --created-after/--created-before and --from-file");
            Console.Error.WriteLine($"ferry: {client.Settings.Url} is not a Ferry server: selecting through its DID search instead (slower: one request per scope, one per open dataset)");
        }
        foreach (var filter in filters)
        {
            await using var pages = (viaRucio ? RucioSelection.SelectAsync(client, filter, ct) : client.SelectAsync(filter, PageSize, ct)).GetAsyncEnumerator(ct);
            while (true)
            {
                try { if (!await pages.MoveNextAsync()) break; }
                catch (FerryApiException e) when (e.Status == 400) { throw new UsageException($"{e.ExceptionClass}: {e.Message}"); }
                if (Exclude.Contains(pages.Current.Did)) continue;
                _observer?.Invoke(pages.Current);
                yield return pages.Current;
            }
        }
    }

    public async IAsyncEnumerable<DidRef> DidsAsync(FerryClient client, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var item in EnumerateAsync(client, ct)) yield return item.Did;
    }
}
