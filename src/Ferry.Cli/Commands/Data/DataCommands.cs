using System.CommandLine;

namespace Ferry.Cli.Commands.Data;

/// <summary>`ferry data`: bulk selection (evaluated on the server, a page per request) and bulk actions on it.</summary>
internal static class DataCommands
{
    public static Command Build() => new Command("data",
        "Select datasets in bulk (--scope, --pattern REGEX, --has-rule-on EXPR, ...) and act on them: find, files, replicate, extend, delete, download. " +
        "Acting verbs print their plan; --submit carries it out.")
        .With(FindCommands.Find(), FindCommands.Files(), ActionCommands.Replicate(), ActionCommands.Extend(), ActionCommands.Delete(), DownloadCommand.Build());
}
