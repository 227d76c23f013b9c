using System.CommandLine;
using Ferry.Client.Http;

namespace Ferry.Cli.Commands.Tasks;

/// <summary>The bulk-selection options every listing and bulk action shares.</summary>
internal sealed class SelectionOptions
{
    public Option<string?> User { get; } = new("--user") { Description = "Tasks of this account" };
    public Option<string[]> Status { get; } = new("--status") { Description = "Tasks in this status (repeatable: any of them)", AllowMultipleArgumentsPerToken = false };
    public Option<int?> Days { get; } = new("--days") { Description = "Tasks created in the last N days" };
    public Option<string?> Pattern { get; } = new("--pattern") { Description = "Regex the whole task name must match" };
    public Option<double?> MinCompletion { get; } = new("--min-completion") { Description = "At least this % of jobs finished" };
    public Option<double?> MaxCompletion { get; } = new("--max-completion") { Description = "At most this % of jobs finished" };
    public Option<bool> IoMismatch { get; } = new("--io-mismatch") { Description = "Tasks whose input and output file counts differ" };

    public Symbol[] All => [User, Status, Days, Pattern, MinCompletion, MaxCompletion, IoMismatch];

    public TaskSelectionRequest From(ParseResult pr) => new(pr.GetValue(User), pr.GetValue(Status), pr.GetValue(Days), pr.GetValue(Pattern),
        pr.GetValue(MinCompletion), pr.GetValue(MaxCompletion), pr.GetValue(IoMismatch));

    public bool Any(ParseResult pr) => From(pr).ToJson().Count > 0;
}
