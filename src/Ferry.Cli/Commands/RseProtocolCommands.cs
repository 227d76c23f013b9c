using System.CommandLine;
using System.Text.Json.Nodes;
using Ferry.Transfer;

namespace Ferry.Cli.Commands;

/// <summary>`ferry rse add-protocol` and `delete-protocol`: how an RSE's storage is reached, as the dialect declares it.</summary>
internal static class RseProtocolCommands
{
    public static Command BuildAdd()
    {
        var rse = new Argument<string>("rse");
        var scheme = new Argument<string>("scheme") { Description = $"One of: {string.Join(", ", RseAccess.Schemes)}" };
        var hostname = new Option<string>("--hostname") { DefaultValueFactory = _ => "localhost" };
        var port = new Option<int>("--port") { DefaultValueFactory = _ => 0 };
        var prefix = new Option<string>("--prefix") { Required = true, Description = "Path under which the RSE's files live (S3: /bucket/path/)" };
        var priority = new Option<int>("--priority") { DefaultValueFactory = _ => 1, Description = "Priority for read, write and delete, lan and wan (1 is best)" };
        var readOnly = new Option<bool>("--read-only") { Description = "Usable for reading only (write and delete priority 0)" };
        var cmd = new Command("add-protocol", "Declare a storage protocol on an RSE (secrets go in rse-credentials.json, never here)")
            .With(rse, scheme, hostname, port, prefix, priority, readOnly);
        cmd.SetAction(async (pr, ct) =>
        {
            var s = pr.GetValue(scheme)!;
            if (!RseAccess.Speaks(s)) throw new UsageException($"unknown scheme '{s}': use one of {string.Join(", ", RseAccess.Schemes)}");
            var p = pr.GetValue(priority);
            var write = pr.GetValue(readOnly) ? 0 : p;
            JsonObject Domain() => new() { ["read"] = p, ["write"] = write, ["delete"] = write };
            using var c = Common.Client();
            await c.AddProtocolAsync(pr.GetValue(rse)!, s, new JsonObject
            {
                ["hostname"] = pr.GetValue(hostname), ["port"] = pr.GetValue(port), ["prefix"] = pr.GetValue(prefix),
                ["domains"] = new JsonObject { ["lan"] = Domain(), ["wan"] = Domain() },
            }, ct);
            Console.Out.WriteLine($"Added {s} protocol to {pr.GetValue(rse)}");
            return 0;
        });
        return cmd;
    }

    public static Command BuildDelete()
    {
        var rse = new Argument<string>("rse");
        var scheme = new Argument<string>("scheme");
        var cmd = new Command("delete-protocol", "Remove a protocol from an RSE").With(rse, scheme);
        cmd.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            await c.NoContentAsync(HttpMethod.Delete, $"rses/{Uri.EscapeDataString(pr.GetValue(rse)!)}/protocols/{Uri.EscapeDataString(pr.GetValue(scheme)!)}", ct: ct);
            Console.Out.WriteLine($"Removed {pr.GetValue(scheme)} from {pr.GetValue(rse)}");
            return 0;
        });
        return cmd;
    }
}
