using Ferry.Core.Dialect;
using System.CommandLine;
using Ferry.Cli.Output;
using Ferry.Core.Identifiers;

namespace Ferry.Cli.Commands;

internal static class DidCommands
{
    public static Command Build()
    {
        var did = new Argument<string>("did") { Description = "scope:name" };
        var type = new Option<string>("--type") { Description = "dataset or container", DefaultValueFactory = _ => "dataset" };
        type.AcceptOnlyFromAmong("dataset", "container");
        var lifetime = new Option<string?>("--lifetime") { Description = "DID lifetime, e.g. 30d" };
        var add = new Command("add", "Add a dataset or container").With(did, type, lifetime);
        add.SetAction(async (pr, ct) =>
        {
            var d = Common.Did(pr.GetValue(did)!);
            var life = Common.Duration(pr.GetValue(lifetime));
            using var c = Common.Client();
            await c.AddCollectionAsync(d, pr.GetValue(type)!, life, ct: ct);
            Console.Out.WriteLine($"Added {pr.GetValue(type)} {d}");
            return 0;
        });

        var json = Common.JsonOption();
        var pattern = new Argument<string>("pattern") { Description = "scope:name pattern with * wildcards" };
        var listType = new Option<string>("--type") { Description = "all, collection, dataset, container or file", DefaultValueFactory = _ => "collection" };
        listType.AcceptOnlyFromAmong("all", "collection", "dataset", "container", "file");
        var list = new Command("list", "Search DIDs by name pattern").With(pattern, listType, json);
        list.SetAction(async (pr, ct) =>
        {
            var text = pr.GetValue(pattern)!;
            var i = text.IndexOf(':');
            if (i <= 0) throw new UsageException($"'{text}' is not scope:pattern");
            using var c = Common.Client();
            Render.List(await c.SearchAsync(Names.Scope(text[..i]), text[(i + 1)..].Length == 0 ? "*" : text[(i + 1)..], pr.GetValue(listType)!, ct),
                DialectJson.Default.RucioDidSearchResult, pr.GetValue(json), "scope", "name", "did_type", "bytes", "length");
            return 0;
        });

        var show = new Command("show", "Show a DID").With(did, json);
        show.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            var shown = await c.GetDidAsync(Common.Did(pr.GetValue(did)!), "DATASET", ct);
            if (shown is RucioFileDid file) Render.Object(file, DialectJson.Default.RucioFileDid, pr.GetValue(json));
            else Render.Object((RucioCollectionDid)shown, DialectJson.Default.RucioCollectionDid, pr.GetValue(json));
            return 0;
        });

        var children = new Argument<string[]>("children") { Description = "scope:name of the DIDs to attach or detach", Arity = ArgumentArity.OneOrMore };
        var attach = new Command("attach", "Attach DIDs to a dataset or container").With(did, children);
        attach.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            await c.AttachAsync(Common.Did(pr.GetValue(did)!), pr.GetValue(children)!.Select(Common.Did), ct);
            return 0;
        });
        var detach = new Command("detach", "Detach DIDs from a dataset or container").With(did, children);
        detach.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            await c.DetachAsync(Common.Did(pr.GetValue(did)!), pr.GetValue(children)!.Select(Common.Did), ct);
            return 0;
        });

        var content = new Command("content", "List the direct children of a collection").With(did, json);
        content.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.List(await c.ContentAsync(Common.Did(pr.GetValue(did)!), ct), DialectJson.Default.RucioDidContent, pr.GetValue(json), "scope", "name", "type", "bytes");
            return 0;
        });
        var files = new Command("files", "List every file under a DID").With(did, json);
        files.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.List(await c.FilesAsync(Common.Did(pr.GetValue(did)!), ct), DialectJson.Default.RucioDidFile, pr.GetValue(json), "scope", "name", "bytes", "adler32");
            return 0;
        });
        var close = new Command("close", "Close a collection: nothing more can be attached").With(did);
        close.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            await c.CloseAsync(Common.Did(pr.GetValue(did)!), ct);
            return 0;
        });
        return new Command("did", "Data identifiers: files, datasets, containers").With(add, list, show, attach, detach, content, files, close);
    }
}
