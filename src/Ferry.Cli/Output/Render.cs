using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace Ferry.Cli.Output;

/// <summary>JSON for scripts (--json), tables for people. Values are the server's, unchanged.</summary>
public static class Render
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Json(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Indented));

    public static void List(IReadOnlyList<JsonElement> rows, bool json, params string[] columns)
    {
        if (json) { Json(rows); return; }
        if (rows.Count == 0) { Console.Out.WriteLine("(none)"); return; }
        var table = new Table().Border(TableBorder.Simple);
        foreach (var c in columns) table.AddColumn(new TableColumn(c.ToUpperInvariant()));
        foreach (var r in rows) table.AddRow(columns.Select(c => Markup.Escape(Cell(r, c))).ToArray());
        AnsiConsole.Write(table);
    }

    /// <summary>Dialect records print under their wire names, exactly as the server sent them.</summary>
    public static void List<T>(IReadOnlyList<T> rows, JsonTypeInfo<T> info, bool json, params string[] columns) => List(Elements(rows, info), json, columns);

    /// <summary>Dialect records as a JSON array under their wire names (for --json output a table cannot show).</summary>
    public static void Json<T>(IReadOnlyList<T> rows, JsonTypeInfo<T> info) => Json(Elements(rows, info));

    private static List<JsonElement> Elements<T>(IReadOnlyList<T> rows, JsonTypeInfo<T> info) => rows.Select(r => JsonSerializer.SerializeToElement(r, info)).ToList();

    public static void Object<T>(T obj, JsonTypeInfo<T> info, bool json) => Object(Element(obj, info), json);

    /// <summary>A dialect record as the JSON the server sent, for output that combines several answers.</summary>
    public static JsonElement Element<T>(T value, JsonTypeInfo<T> info) => JsonSerializer.SerializeToElement(value, info);

    public static void Object(JsonElement obj, bool json)
    {
        if (json) { Json(obj); return; }
        var table = new Table().Border(TableBorder.Simple).HideHeaders();
        table.AddColumn("key");
        table.AddColumn("value");
        foreach (var p in obj.EnumerateObject()) table.AddRow(Markup.Escape(p.Name), Markup.Escape(Cell(obj, p.Name)));
        AnsiConsole.Write(table);
    }

    public static string Cell(JsonElement row, string column)
    {
        if (row.ValueKind != JsonValueKind.Object || !row.TryGetProperty(column, out var v)) return row.ValueKind == JsonValueKind.String ? row.GetString()! : "";
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Null => "",
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Array => string.Join(",", v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : x.GetRawText())),
            _ => v.GetRawText(),
        };
    }

    public static string Bytes(long b) => b switch
    {
        < 1024 => $"{b} B",
        < 1024 * 1024 => $"{b / 1024.0:F1} KiB",
        < 1024L * 1024 * 1024 => $"{b / (1024.0 * 1024):F1} MiB",
        _ => $"{b / (1024.0 * 1024 * 1024):F2} GiB",
    };
}
