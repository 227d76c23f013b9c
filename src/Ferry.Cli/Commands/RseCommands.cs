using System.CommandLine;
using Ferry.Cli.Output;
using Ferry.Core.Dialect;
using Ferry.Core.Time;

namespace Ferry.Cli.Commands;

internal static class RseCommands
{
    public static Command Build()
    {
        var name = new Argument<string>("rse") { Description = "RSE name (upper case, e.g. SITE_A)" };
        var prefix = new Option<string?>("--prefix") { Description = "Directory holding the RSE's files: makes a posix RSE (without it, add protocols with add-protocol)" };
        var add = new Command("add", "Add a deterministic RSE, posix on a local directory with --prefix").With(name, prefix);
        add.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            if (pr.GetValue(prefix) is not { } p)
            {
                await c.AddRseAsync(pr.GetValue(name)!, null, ct);
                Console.Out.WriteLine($"Added RSE {pr.GetValue(name)} (no protocol yet: ferry rse add-protocol)");
                return 0;
            }
            var dir = Path.GetFullPath(p);
            Directory.CreateDirectory(dir);
            await c.AddPosixRseAsync(pr.GetValue(name)!, dir, ct);
            Console.Out.WriteLine($"Added RSE {pr.GetValue(name)} at {dir}");
            return 0;
        });

        var json = Common.JsonOption();
        var expression = new Option<string?>("--expression") { Description = "Only RSEs this RSE expression selects, e.g. 'tier=1&type=DISK'" };
        var list = new Command("list", "List RSEs").With(expression, json);
        list.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            if (pr.GetValue(expression) is { } e) Render.List(await c.ResolveRsesAsync(e, ct), DialectJson.Default.RucioRseName, pr.GetValue(json), "rse");
            else Render.List(await c.ListRsesAsync(ct), DialectJson.Default.RucioRse, pr.GetValue(json), "rse");
            return 0;
        });

        var show = new Command("show", "Show an RSE: settings, protocols, attributes, usage").With(name, json);
        show.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            var rse = await c.GetRseAsync(pr.GetValue(name)!, ct);
            var attrs = await c.RseAttributesAsync(pr.GetValue(name)!, ct);
            var usage = await c.RseUsageAsync(pr.GetValue(name)!, ct);
            var shownRse = Render.Element(rse, DialectJson.Default.RucioRseInfo);
            var shownAttrs = Render.Element(attrs, DialectJson.Default.DictionaryStringJsonElement);
            if (pr.GetValue(json))
            {
                Render.Json(new { rse = shownRse, attributes = shownAttrs, usage = usage.Select(u => Render.Element(u, DialectJson.Default.RucioRseUsage)).ToList() });
                return 0;
            }
            Render.Object(shownRse, false);
            Console.Out.WriteLine("Attributes:");
            foreach (var a in attrs.Keys) Console.Out.WriteLine($"  {a} = {Render.Cell(shownAttrs, a)}");
            foreach (var u in usage)
                Console.Out.WriteLine(u.Source == "storage"
                    ? $"Storage: {Render.Bytes(u.Free ?? 0)} free (as of {RucioTime.Format(u.UpdatedAt)})"
                    : $"Usage: {u.Files} files, {Render.Bytes(u.Used ?? 0)}");
            return 0;
        });

        var key = new Argument<string>("key");
        var value = new Argument<string>("value");
        var setAttr = new Command("set-attr", "Set an RSE attribute (used by RSE expressions)").With(name, key, value);
        setAttr.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            await c.SetRseAttributeAsync(pr.GetValue(name)!, pr.GetValue(key)!, pr.GetValue(value)!, ct);
            return 0;
        });

        var delete = new Command("delete", "Delete an RSE (it must hold no replicas)").With(name);
        delete.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            await c.DeleteRseAsync(pr.GetValue(name)!, ct);
            Console.Out.WriteLine($"Deleted RSE {pr.GetValue(name)}");
            return 0;
        });

        var flag = new Option<string?>("--availability") { Description = "Comma-separated flags to set, e.g. read=false,write=true,delete=true" };
        var update = new Command("update", "Change an RSE's availability flags").With(name, flag);
        update.SetAction(async (pr, ct) =>
        {
            var body = new System.Text.Json.Nodes.JsonObject();
            foreach (var part in (pr.GetValue(flag) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = part.Split('=');
                if (kv.Length != 2 || kv[0] is not ("read" or "write" or "delete") || !bool.TryParse(kv[1], out var b))
                    throw new UsageException($"cannot read '{part}': use read=true|false, write=..., delete=...");
                body[$"availability_{kv[0]}"] = b;
            }
            if (body.Count == 0) throw new UsageException("nothing to change: give --availability");
            using var c = Common.Client();
            await c.UpdateRseAsync(pr.GetValue(name)!, body, ct);
            return 0;
        });

        var src = new Argument<string>("source");
        var dst = new Argument<string>("destination");
        var distance = new Argument<int>("distance") { Description = "Lower is closer; sources are tried nearest first" };
        var setDistance = new Command("set-distance", "Set the distance from one RSE to another").With(src, dst, distance);
        setDistance.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            await c.SetDistanceAsync(pr.GetValue(src)!, pr.GetValue(dst)!, pr.GetValue(distance), ct);
            return 0;
        });
        var limitName = new Argument<string>("limit") { Description = "MinFreeSpace: the reaper deletes unneeded replicas only while free space is below it (unless the RSE has greedyDeletion=true)" };
        limitName.AcceptOnlyFromAmong("MinFreeSpace", "MaxBeingDeletedFiles");
        var limitValue = new Argument<string>("value") { Description = "A size such as 500GB" };
        var setLimit = new Command("set-limit", "Set an RSE limit").With(name, limitName, limitValue);
        setLimit.SetAction(async (pr, ct) =>
        {
            var bytes = Sizes.Parse(pr.GetValue(limitValue)!);
            using var c = Common.Client();
            await c.NoContentAsync(HttpMethod.Put, $"rses/{Uri.EscapeDataString(pr.GetValue(name)!)}/limits",
                new System.Text.Json.Nodes.JsonObject { ["name"] = pr.GetValue(limitName), ["value"] = bytes }, ct);
            return 0;
        });
        return new Command("rse", "Storage endpoints (RSEs)").With(add, RseProtocolCommands.BuildAdd(), RseProtocolCommands.BuildDelete(), list, show, setAttr, update, setDistance, setLimit, delete, RseCheckCommand.Build());
    }
}
