using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Ferry.Cli.Commands.Tasks;

/// <summary>
/// A task file: the fields of POST /ferry/tasks (input, command, files_per_job or bytes_per_job, output_scope,
/// output_dataset, output_rse, executor, max_attempts, max_failed_jobs, priority, name) as YAML or JSON.
/// </summary>
internal static class TaskFile
{
    public static JsonObject Read(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"task file {path} does not exist");
        var text = File.ReadAllText(path);
        try
        {
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith('{'))
                return JsonNode.Parse(text) as JsonObject ?? throw new UsageException($"{path}: a task file holds one object");
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            if (yaml.Documents.Count != 1 || yaml.Documents[0].RootNode is not YamlMappingNode root) throw new UsageException($"{path}: a task file holds one mapping");
            return (JsonObject)ToJson(root)!;
        }
        catch (JsonException e) { throw new UsageException($"{path} is not valid JSON: {e.Message}"); }
        catch (YamlDotNet.Core.YamlException e) { throw new UsageException($"{path} is not valid YAML: {e.Message}"); }
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when long.TryParse(p.Value, out var l) => l,
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when p.Value is "true" or "false" => p.Value == "true",
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when p.Value is "null" or "~" or "" => null,
        YamlScalarNode p => p.Value,
        _ => null,
    };
}
