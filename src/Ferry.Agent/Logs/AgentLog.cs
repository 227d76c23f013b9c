using Ferry.Agent.State;

namespace Ferry.Agent.Logs;

/// <summary>
/// The agent's logs: "agent" for the process, the server link and the API, and one per dataset named by its DID.
/// Lines go to stderr and into the state database (the last few thousand per log), so GET /logs shows what happened
/// before a restart too. Callers pass messages that never contain a password or token.
/// </summary>
public sealed class AgentLog(AgentStore store, TimeProvider time)
{
    public const string Main = "agent";
    private const int Keep = 2000;

    public void Info(string message, string name = Main) => Write(name, "info", message);

    public void Warn(string message, string name = Main) => Write(name, "warn", message);

    public void Error(string message, string name = Main) => Write(name, "error", message);

    private void Write(string name, string level, string message)
    {
        var now = time.GetUtcNow();
        var line = $"{level}: {message}";
        Console.Error.WriteLine($"{now:yyyy-MM-ddTHH:mm:ss.fffZ} [{name}] {line}");
        try { store.AppendLog(name, now.ToUnixTimeMilliseconds(), line, Keep); }
        catch (Microsoft.Data.Sqlite.SqliteException e) { Console.Error.WriteLine($"(log not stored: {e.Message})"); }
    }

    public List<string> Names() => store.LogNames();

    /// <summary>The recent lines of one log, each prefixed with its UTC time; empty for an unknown name.</summary>
    public List<string> Lines(string name, int last = 500) =>
        store.LogLines(name, last).Select(l => $"{DateTimeOffset.FromUnixTimeMilliseconds(l.At):yyyy-MM-ddTHH:mm:ss.fffZ} {l.Line}").ToList();
}
