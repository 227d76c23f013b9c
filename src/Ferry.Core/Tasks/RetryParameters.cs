using System.Text.Json;
using Ferry.Core.Errors;

namespace Ferry.Core.Tasks;

/// <summary>
/// New parameters a retry may carry (JEDI's whitelist). nFiles re-splits the files of the jobs that are run again;
/// cliParams replaces the command template; priority orders dispatch; ramCount is the memory (MB) asked of Slurm;
/// site is the executor; nEvents and the site lists are kept with the task.
/// </summary>
public static class RetryParameters
{
    public static readonly IReadOnlyList<string> Allowed = ["nFiles", "nEvents", "cliParams", "ramCount", "priority", "site", "excludedSite", "includedSite"];

    /// <summary>Parses a JSON object of new parameters; anything else, or an unknown key, is refused with the allowed keys.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new Dictionary<string, JsonElement>();
        JsonElement root;
        try { root = JsonDocument.Parse(json).RootElement.Clone(); }
        catch (JsonException e) { throw FerryException.Invalid($"The new parameters are not JSON: {e.Message}"); }
        if (root.ValueKind != JsonValueKind.Object) throw FerryException.Invalid("The new parameters must be a JSON object, e.g. {\"nFiles\": 2}");
        var result = new Dictionary<string, JsonElement>();
        foreach (var p in root.EnumerateObject())
        {
            if (!Allowed.Contains(p.Name))
                throw FerryException.Invalid($"Retry parameter '{p.Name}' is not allowed; allowed: {string.Join(", ", Allowed)}");
            Check(p.Name, p.Value);
            result[p.Name] = p.Value;
        }
        return result;
    }

    private static void Check(string key, JsonElement v)
    {
        var ok = key switch
        {
            "nFiles" or "nEvents" or "ramCount" => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n > 0,
            "priority" => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out _),
            "cliParams" or "site" => v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0,
            _ => v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String),
        };
        if (!ok)
            throw FerryException.Invalid(key switch
            {
                "nFiles" or "nEvents" or "ramCount" => $"Retry parameter '{key}' must be a positive whole number",
                "priority" => "Retry parameter 'priority' must be a whole number",
                "cliParams" or "site" => $"Retry parameter '{key}' must be a non-empty string",
                _ => $"Retry parameter '{key}' must be a list of site names",
            });
        if (key == "cliParams") CommandTemplate.Validate(v.GetString());
    }
}
