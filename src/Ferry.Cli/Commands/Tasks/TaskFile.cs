using System.Text.Json.Nodes;
using Ferry.Client.Config;
using Ferry.Core.Errors;

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
        try { return ConfigFile.ReadObject(path, "a task file"); }
        catch (FerryException e) { throw new UsageException(e.Message); }
    }
}
