using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using YamlDotNet.RepresentationModel;

namespace Ferry.Client.Config;

/// <summary>
/// Daemon and task configuration files, as YAML or JSON (a file that starts with '{' or ends in .json is JSON).
/// YAML is turned into the same JSON tree, so one validator serves both and the messages name the same keys.
/// </summary>
public static class ConfigFile
{
    public static JsonObject ReadObject(string path, string what)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw FerryException.Invalid($"{what} {path} does not exist"); }
        return ParseObject(text, path, what);
    }

    public static JsonObject ParseObject(string text, string path, string what)
    {
        try
        {
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith('{'))
                return JsonNode.Parse(text) as JsonObject ?? throw FerryException.Invalid($"{path}: {what} holds one object");
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            if (yaml.Documents.Count != 1 || yaml.Documents[0].RootNode is not YamlMappingNode root)
                throw FerryException.Invalid($"{path}: {what} holds one mapping");
            return (JsonObject)ToJson(root)!;
        }
        catch (JsonException e) { throw FerryException.Invalid($"{path} is not valid JSON: {e.Message}"); }
        catch (YamlDotNet.Core.YamlException e) { throw FerryException.Invalid($"{path} is not valid YAML: {e.Message}"); }
        // YamlDotNet's scanner throws this on some unterminated flow collections at the end of the text.
        catch (InvalidOperationException) { throw FerryException.Invalid($"{path} is not valid YAML: it ends inside an unclosed [ ] or {{ }}"); }
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(Key(kv.Key), ToJson(kv.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when long.TryParse(p.Value, out var l) => l,
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when double.TryParse(p.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when p.Value is "true" or "false" => p.Value == "true",
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when p.Value is "null" or "~" or "" => null,
        YamlScalarNode p => p.Value,
        _ => null,
    };

    private static string Key(YamlNode key) =>
        key is YamlScalarNode { Value: { } v } ? v : throw FerryException.Invalid($"only plain keys are allowed (line {key.Start.Line})");
}
