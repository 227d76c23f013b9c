using System.CommandLine;
using System.Text;
using System.Text.Json;
using Ferry.Cli.Output;
using Ferry.Client.Data;
using Ferry.Client.Http;
using Ferry.Core.Dialect;
using Ferry.Core.Identifiers;

namespace Ferry.Cli.Commands.Data;

/// <summary>`ferry data find` (what a selection finds) and `ferry data files` (their files' PFNs).</summary>
internal static class FindCommands
{
    public static Command Find()
    {
        var selection = new SelectionOptions();
        var json = Common.JsonOption();
        var csv = new Option<bool>("--csv") { Description = "Print CSV with a header line" };
        var cmd = new Command("find", "List the datasets (or containers) a selection finds, evaluated on the server a page at a time").With(json, csv);
        selection.AddTo(cmd);
        cmd.SetAction(async (pr, ct) =>
        {
            if (pr.GetValue(json) && pr.GetValue(csv)) throw new UsageException("--json and --csv exclude each other");
            var sel = selection.Read(pr) with { RucioSearchAllowed = true };
            using var c = Common.Client();
            var items = new List<SelectedItem>();
            await foreach (var item in sel.EnumerateAsync(c, ct)) items.Add(item);
            if (pr.GetValue(json)) Console.Out.WriteLine(JsonSerializer.Serialize(items, Json.Options));
            else if (pr.GetValue(csv)) WriteCsv(items);
            else WriteTable(items);
            return 0;
        });
        return cmd;
    }

    private static void WriteCsv(IReadOnlyList<SelectedItem> items)
    {
        var sb = new StringBuilder("scope,name,type,files,bytes,account,created_at\n");
        foreach (var i in items)
            sb.Append(Csv(i.Scope)).Append(',').Append(Csv(i.Name)).Append(',').Append(i.Type).Append(',').Append(i.Length).Append(',').Append(i.Bytes)
                .Append(',').Append(Csv(i.Account ?? "")).Append(',').Append(i.CreatedAt).Append('\n');
        Console.Out.Write(sb);
    }

    // Names allow no commas or quotes today; quoting anyway keeps the CSV valid if that ever changes.
    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n']) < 0 ? s : $"\"{s.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    // Plain aligned columns rather than a Spectre table: a selection is often tens of thousands of rows.
    private static void WriteTable(IReadOnlyList<SelectedItem> items)
    {
        if (items.Count == 0) { Console.Out.WriteLine("(none)"); return; }
        var rows = items.Select(i => new[] { $"{i.Scope}:{i.Name}", i.Type, i.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Render.Bytes(i.Bytes), i.CreatedAt ?? "" }).ToList();
        string[] header = ["DID", "TYPE", "FILES", "BYTES", "CREATED"];
        var widths = header.Select((h, c) => Math.Max(h.Length, rows.Max(r => r[c].Length))).ToArray();
        var sb = new StringBuilder();
        foreach (var r in rows.Prepend(header))
        {
            for (var c = 0; c < r.Length; c++) sb.Append(c == r.Length - 1 ? r[c] : r[c].PadRight(widths[c] + 2));
            sb.Append('\n');
        }
        sb.Append($"{items.Count} {(items.Count == 1 ? "DID" : "DIDs")}, {Render.Bytes(items.Sum(i => i.Bytes))}\n");
        Console.Out.Write(sb);
    }

    public static Command Files()
    {
        var selection = new SelectionOptions();
        var json = Common.JsonOption();
        var protocol = new Option<string?>("--protocol") { Description = "Only PFNs of this protocol" };
        protocol.AcceptOnlyFromAmong("davs", "root", "s3", "https", "http", "file", "sftp");
        var cmd = new Command("files", "Print the PFNs of the selected datasets' files (one per protocol and replica), a page of datasets per request").With(json, protocol);
        selection.AddTo(cmd);
        cmd.SetAction(async (pr, ct) =>
        {
            var sel = selection.Read(pr) with { RucioSearchAllowed = true };
            var schemes = pr.GetValue(protocol) is { } p ? new[] { p } : null;
            using var c = Common.Client();
            var asJson = pr.GetValue(json);
            await using var stdout = Console.OpenStandardOutput();
            await using var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = false });
            if (asJson) writer.WriteStartArray();
            var page = new List<DidRef>(sel.PageSize);
            async Task Flush()
            {
                if (page.Count == 0) return;
                foreach (var replica in await c.ListReplicasAsync(page, ct: ct, schemes: schemes))
                {
                    var pfns = Pfns(replica).ToList();
                    if (asJson) WriteFile(writer, replica, pfns);
                    else foreach (var (pfn, _) in pfns) Console.Out.WriteLine(pfn);
                }
                page.Clear();
            }
            await foreach (var did in sel.DidsAsync(c, ct))
            {
                page.Add(did);
                if (page.Count == sel.ActionPage) await Flush();
            }
            await Flush();
            if (asJson) { writer.WriteEndArray(); await writer.FlushAsync(ct); await stdout.WriteAsync("\n"u8.ToArray(), ct); }
            return 0;
        });
        return cmd;
    }

    /// <summary>The file's PFNs in the order the server listed them (its order of preference).</summary>
    private static IEnumerable<(string Pfn, string Rse)> Pfns(RucioReplica replica) => replica.Pfns.Select(p => (p.Key, p.Value.Rse));

    private static void WriteFile(Utf8JsonWriter w, RucioReplica replica, IReadOnlyList<(string Pfn, string Rse)> pfns)
    {
        w.WriteStartObject();
        w.WriteString("scope", replica.Scope);
        w.WriteString("name", replica.Name);
        if (replica.Bytes is { } b) w.WriteNumber("bytes", b); else w.WriteNull("bytes");
        w.WriteString("adler32", replica.Adler32);
        w.WriteStartArray("pfns");
        foreach (var (pfn, rse) in pfns)
        {
            w.WriteStartObject();
            w.WriteString("rse", rse);
            w.WriteString("protocol", pfn[..Math.Max(0, pfn.IndexOf("://", StringComparison.Ordinal))]);
            w.WriteString("pfn", pfn);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
