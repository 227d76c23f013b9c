using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Catalog.Config;
using Ferry.Core.Errors;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>
/// Rucio's /config API: the server configuration by section and option, read and written by admins only (as Rucio's
/// permission policy has it). Values are kept as text and answered as Rucio answers them, coerced to a boolean, an
/// integer or a float when the text reads as one.
/// </summary>
internal static partial class ConfigEndpoints
{
    public static void MapConfig(this IEndpointRouteBuilder app)
    {
        app.Map("GET", "/config", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("read the configuration");
            var all = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            foreach (var o in await Store(ctx).ListAsync())
            {
                if (!all.TryGetValue(o.Section, out var section)) all[o.Section] = section = [];
                section[o.Option] = Coerce(o.Value);
            }
            await Wire.WriteJson(ctx, all);
        }, "ListConfig", "Config");

        app.Map("POST", "/config", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("set configuration options");
            var body = await Wire.ReadBody(ctx) as JsonObject ?? throw new FerryException("TypeError", 400, "body must be a json dictionary");
            var options = new List<ConfigOption>();
            foreach (var (section, value) in body)
            {
                if (value is not JsonObject opts)
                    throw new FerryException("ValueError", 400, $"The options of section '{section}' must be a JSON object of option: value");
                foreach (var (option, v) in opts) options.Add(new ConfigOption(section, option, Text(section, option, v)));
            }
            await Store(ctx).SetAsync(options);
            await Wire.Created(ctx);
        }, "SetConfig", "Config");

        app.Map("GET", "/config/{section}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("read the configuration");
            var section = ctx.Route("section");
            var options = await Store(ctx).ListAsync(section);
            if (options.Count == 0) throw SectionNotFound(section);
            var result = new JsonObject();
            foreach (var o in options) result[o.Option] = Coerce(o.Value);
            await Wire.WriteJson(ctx, result);
        }, "GetConfigSection", "Config");

        app.Map("DELETE", "/config/{section}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("remove configuration sections");
            var section = ctx.Route("section");
            if (!await Store(ctx).RemoveSectionAsync(section)) throw SectionNotFound(section);
            await Wire.Ok(ctx);
        }, "DeleteConfigSection", "Config");

        app.Map("GET", "/config/{section}/{option}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("read the configuration");
            var (section, option) = (ctx.Route("section"), ctx.Route("option"));
            var value = await Store(ctx).GetAsync(section, option) ?? throw OptionNotFound(section, option);
            await Wire.WriteJson(ctx, Coerce(value));
        }, "GetConfigOption", "Config");

        app.Map("DELETE", "/config/{section}/{option}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("remove configuration options");
            var (section, option) = (ctx.Route("section"), ctx.Route("option"));
            if (!await Store(ctx).RemoveOptionAsync(section, option)) throw OptionNotFound(section, option);
            await Wire.Ok(ctx);
        }, "DeleteConfigOption", "Config");

        // The older spelling, with the value in the path; Rucio still accepts it.
        app.Map("PUT", "/config/{section}/{option}/{value}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("set configuration options");
            await Store(ctx).SetAsync([new ConfigOption(ctx.Route("section"), ctx.Route("option"), ctx.Route("value"))]);
            await Wire.Created(ctx);
        }, "SetConfigOption", "Config");
    }

    private static ConfigCatalog Store(HttpContext ctx) => ctx.RequestServices.GetRequiredService<ConfigCatalog>();

    private static FerryException SectionNotFound(string section) =>
        FerryException.NotFound("ConfigNotFound", $"No configuration found for section '{section}'");

    private static FerryException OptionNotFound(string section, string option) =>
        FerryException.NotFound("ConfigNotFound", $"No configuration found for section '{section}' option '{option}'");

    /// <summary>
    /// The text kept for a value sent as JSON: strings as sent, numbers as written, booleans as Python spells them.
    /// Rucio fails with a database error (500) on null, lists and objects; Ferry refuses them as bad input.
    /// </summary>
    private static string Text(string section, string option, JsonNode? v) => v?.GetValueKind() switch
    {
        JsonValueKind.String => v.GetValue<string>(),
        JsonValueKind.Number => v.ToJsonString(),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        _ => throw new FerryException("ConfigurationError", 400,
            $"Could not set value '{v?.ToJsonString() ?? "null"}' for section '{section}' option '{option}': a value is a string, a number or a boolean"),
    };

    [GeneratedRegex(@"^[+-]?\d+(_\d+)*$")] private static partial Regex IntegerText();
    [GeneratedRegex(@"^[+-]?(\d+(_\d+)*)?(\.(\d+(_\d+)*)?)?([eE][+-]?\d+)?$")] private static partial Regex FloatText();

    /// <summary>
    /// The value as Rucio answers it: true/yes/on and false/no/off (any case) are booleans, then what reads as an
    /// integer or a float is a number (0 and 1 stay integers), anything else the text. Python's nan and inf are no
    /// JSON, so Ferry leaves them text.
    /// </summary>
    internal static JsonNode? Coerce(string text)
    {
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes" or "on": return JsonValue.Create(true);
            case "false" or "no" or "off": return JsonValue.Create(false);
        }
        var t = text.Trim().Replace("_", "", StringComparison.Ordinal);
        if (IntegerText().IsMatch(text.Trim()))
        {
            // Integers of any size, as Python keeps them: the digits without sign noise or leading zeros.
            var negative = t.StartsWith('-');
            var digits = t.TrimStart('+', '-').TrimStart('0');
            return JsonNode.Parse(digits.Length == 0 ? "0" : (negative ? "-" : "") + digits);
        }
        if (FloatText().IsMatch(text.Trim()) && t.Any(char.IsAsciiDigit)
            && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return JsonNode.Parse(PythonFloat(d));
        return JsonValue.Create(text);
    }

    /// <summary>A float written as Python's repr writes it (2.0, not 2), so the client reads back a float.</summary>
    private static string PythonFloat(double d)
    {
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        if (s.Contains('E', StringComparison.Ordinal))
        {
            // Python writes at least two exponent digits and never a mantissa of its own with a bare exponent.
            var parts = s.Split('E');
            var exp = int.Parse(parts[1], CultureInfo.InvariantCulture);
            return $"{parts[0]}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
        }
        return s.Contains('.', StringComparison.Ordinal) ? s : s + ".0";
    }
}
