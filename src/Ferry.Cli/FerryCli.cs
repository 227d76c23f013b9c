using System.CommandLine;
using System.CommandLine.Parsing;
using Ferry.Cli.Commands;
using Ferry.Client.Http;
using Ferry.Core.Errors;

namespace Ferry.Cli;

/// <summary>A mistake in how the command was written (exit code 2), as opposed to a failure while running it (1).</summary>
public sealed class UsageException(string message) : Exception(message);

public static class FerryCli
{
    /// <summary>The one line a Ferry-only verb prints when the server lacks the API it needs.</summary>
    public static string MissingCapabilityLine(string command, string message) => $"{command}: {message}";

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? r = parse.CommandResult; r is CommandResult c && c.Parent is not null; r = c.Parent) names.Insert(0, c.Command.Name);
        return string.Join(' ', names.Prepend("ferry"));
    }

    /// <summary>The whole command tree; built without side effects, so tests can check it and parse against it.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Ferry: data management for scientific collaborations (speaks Rucio's REST dialect)");
        root.Add(ServerCommand.Build());
        root.Add(WorkerCommand.Build());
        root.Add(DbCommands.Build());
        root.Add(AgentCommand.Build());
        foreach (var c in MiscCommands.Build()) root.Add(c);
        root.Add(ScopeCommands.Build());
        root.Add(AccountCommands.Build());
        root.Add(RseCommands.Build());
        root.Add(DidCommands.Build());
        root.Add(ReplicaCommands.Build());
        root.Add(RuleCommands.Build());
        root.Add(UploadCommand.Build());
        root.Add(TransferCommands.BuildDownload());
        root.Add(Commands.Data.DataCommands.Build());
        root.Add(UsageCommands.Build());
        root.Add(Ferry.Cli.Commands.Tasks.TaskCommands.Build());
        root.Add(SyncCommands.Build());
        root.Add(AuditCommands.Build());
        foreach (var c in SiteCommands.Build()) root.Add(c);
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = BuildRoot();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var command = string.Join(' ', parse.CommandResult.Command.Name == root.Name ? ["ferry"] : new[] { "ferry", parse.CommandResult.Command.Name });
            Console.Error.WriteLine($"ferry: {string.Join(" ", parse.Errors.Select(e => e.Message))} (see '{command} --help')");
            return 2;
        }
        // Never disposed: a signal handler runs on its own thread and may fire after the command has returned.
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        // SIGTERM cancels like Ctrl-C, so that commands finish their bookkeeping (an upload writes its summary).
        // System.CommandLine's own termination handling is off for these commands: it would end the process two
        // seconds after the signal, before a long summary is written. (`ferry server` and `ferry worker` leave SIGTERM
        // to their host's lifetime.)
        var hosted = args.FirstOrDefault() is "server" or "worker";
        using var sigterm = hosted ? null
            : System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
        var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        if (!hosted) invocation.ProcessTerminationTimeout = null;
        try
        {
            return await parse.InvokeAsync(invocation, cts.Token);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"ferry: {e.Message}");
            return 2;
        }
        catch (FerryApiException e) when (e.ExceptionClass == FerryExtensions.MissingCapability)
        {
            // The server is not one that can do this (a Rucio server for a Ferry-only verb): not a failure to retry.
            Console.Error.WriteLine(MissingCapabilityLine(CommandPath(parse), e.Message));
            return 2;
        }
        catch (FerryApiException e)
        {
            Console.Error.WriteLine($"ferry: {e.ExceptionClass}: {e.Message}");
            return 1;
        }
        catch (FerryException e) when (e.Status == 400)
        {
            // Raised by local validation before anything was sent: the command line was wrong.
            Console.Error.WriteLine($"ferry: {e.Message}");
            return 2;
        }
        catch (FerryException e)
        {
            Console.Error.WriteLine($"ferry: {e.ExceptionClass}: {e.Message}");
            return 1;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"ferry: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("ferry: cancelled");
            return 130;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"ferry: {e.Message}");
            return 1;
        }
    }
}
