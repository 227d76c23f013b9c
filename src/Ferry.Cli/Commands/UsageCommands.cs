using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ferry.Cli.Output;
using Ferry.Client.Http;
using Spectre.Console;

namespace Ferry.Cli.Commands;

/// <summary>
/// `ferry usage report`: per RSE the account's limit, the bytes its locks use and its top datasets by bytes locked,
/// aggregated by the server in one request (`ferry account usage` is the dialect's plain per-RSE listing).
/// </summary>
internal static class UsageCommands
{
    // The server's snake_case names, so --json reads like the API's answer.
    private static readonly JsonSerializerOptions Indented = new(Json.Options) { WriteIndented = true };

    public static Command Build()
    {
        var account = new Option<string?>("--account") { Description = "Whose usage (default: the account the client logs in as)" };
        var expr = new Option<string?>("--rse-expr") { Description = "Only the RSEs this expression selects (all of them, used or not)" };
        var top = new Option<int>("--top") { Description = "Datasets listed per RSE", DefaultValueFactory = _ => 10 };
        var json = Common.JsonOption();
        var csv = new Option<bool>("--csv") { Description = "CSV: one row per RSE and dataset" };
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML report with a bar chart to this file" };
        var report = new Command("report", "Per RSE: the limit, the bytes used and the top datasets by bytes locked").With(account, expr, top, json, csv, html);
        report.SetAction(async (pr, ct) =>
        {
            if (new[] { pr.GetValue(json), pr.GetValue(csv), pr.GetValue(html) is not null }.Count(x => x) > 1)
                throw new UsageException("choose one of --json, --csv and --html");
            if (pr.GetValue(top) is < 0 or > 1000) throw new UsageException("--top must be between 0 and 1000");
            using var c = Common.Client();
            var who = pr.GetValue(account) ?? c.Account ?? (await c.WhoamiAsync(ct)).Account;
            UsageReport data;
            try { data = await c.UsageReportAsync(who, pr.GetValue(expr), pr.GetValue(top), ct); }
            catch (FerryApiException e) when (e.ExceptionClass is "AccountNotFound" or "InvalidRSEExpression" or "InvalidObject" or "RSENotFound")
            {
                throw new UsageException(e.Message);
            }
            if (pr.GetValue(json)) Console.Out.WriteLine(JsonSerializer.Serialize(data, Indented));
            else if (pr.GetValue(csv)) WriteCsv(data, Console.Out);
            else if (pr.GetValue(html) is { } file)
            {
                await File.WriteAllTextAsync(file, UsageReportHtml.Render(data), ct);
                Console.Out.WriteLine($"Wrote {file}");
            }
            else WriteTable(data);
            return 0;
        });
        return new Command("usage", "Reports on what accounts use").With(report);
    }

    private static void WriteTable(UsageReport r)
    {
        if (r.Rses.Count == 0) { Console.Out.WriteLine($"(no usage or limits for {r.Account})"); return; }
        var table = new Table().Border(TableBorder.Simple).AddColumn("RSE").AddColumn("DATASET")
            .AddColumn(new TableColumn("LIMIT").RightAligned()).AddColumn(new TableColumn("USED").RightAligned())
            .AddColumn(new TableColumn("FILES").RightAligned()).AddColumn(new TableColumn("OF LIMIT").RightAligned());
        foreach (var rse in r.Rses)
        {
            table.AddRow(Markup.Escape(rse.Rse), "", Limit(rse), Render.Bytes(rse.Bytes), rse.Files.ToString(CultureInfo.InvariantCulture), Percent(rse));
            foreach (var d in rse.Datasets)
                table.AddRow("", Markup.Escape($"{d.Scope}:{d.Name}"), "", Render.Bytes(d.Bytes), d.Files.ToString(CultureInfo.InvariantCulture), "");
        }
        AnsiConsole.Write(table);
    }

    public static string Limit(RseUsageInfo r) => !r.LimitSet ? "none" : Sizes.Format(r.BytesLimit);

    public static string Percent(RseUsageInfo r) =>
        r.LimitSet && r.BytesLimit is > 0 and < long.MaxValue ? $"{100.0 * r.Bytes / r.BytesLimit:F1}%" : "";

    private static void WriteCsv(UsageReport r, TextWriter w)
    {
        w.WriteLine("account,rse,bytes_limit,limit_set,bytes,files,rank,scope,name,dataset_bytes,dataset_files");
        foreach (var rse in r.Rses)
        {
            var head = $"{Csv(r.Account)},{Csv(rse.Rse)},{rse.BytesLimit},{(rse.LimitSet ? "true" : "false")},{rse.Bytes},{rse.Files}";
            if (rse.Datasets.Count == 0) w.WriteLine(head + ",,,,,");
            for (var i = 0; i < rse.Datasets.Count; i++)
            {
                var d = rse.Datasets[i];
                w.WriteLine($"{head},{i + 1},{Csv(d.Scope)},{Csv(d.Name)},{d.Bytes},{d.Files}");
            }
        }
    }

    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : $"\"{s.Replace("\"", "\"\"")}\"";
}
