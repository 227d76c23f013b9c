using Ferry.Catalog.Tasks;

namespace Ferry.Engine.Tasks;

/// <summary>What an executor knows of an attempt it was given.</summary>
public abstract record JobProbe
{
    public sealed record Running : JobProbe;
    public sealed record Exited(int Code) : JobProbe;
    /// <summary>Gone without an exit code: killed, the node lost, the batch system's own failure.</summary>
    public sealed record Lost(string Reason) : JobProbe;
}

/// <summary>
/// Runs attempts. Every attempt runs the same wrapper in its work directory (<see cref="AttemptFiles"/>), which
/// records the command's exit code in a file, so a result survives the server and the executor's own bookkeeping.
/// </summary>
public interface IJobExecutor
{
    string Name { get; }
    /// <summary>How many more attempts may be submitted now, given those of this executor still active.</summary>
    Task<int> CapacityAsync(int active, CancellationToken ct);
    /// <summary>Starts the attempt unless it already runs (a restart after a submission that was not recorded); returns its id.</summary>
    Task<string> SubmitAsync(AttemptRecord a, int? ramMb, bool mayExist, CancellationToken ct);
    Task<IReadOnlyDictionary<AttemptRecord, JobProbe>> PollAsync(IReadOnlyList<AttemptRecord> attempts, CancellationToken ct);
    Task CancelAsync(AttemptRecord a, CancellationToken ct);
}

/// <summary>The files of one attempt's work directory.</summary>
public static class AttemptFiles
{
    public static string Script(string dir) => Path.Combine(dir, "job.sh");
    public static string Wrapper(string dir) => Path.Combine(dir, "run.sh");
    public static string Stdout(string dir) => Path.Combine(dir, "stdout");
    public static string Stderr(string dir) => Path.Combine(dir, "stderr");
    public static string ExitCode(string dir) => Path.Combine(dir, "exit");
    public static string Pid(string dir) => Path.Combine(dir, "pid");
    public static string Outputs(string dir) => Path.Combine(dir, "out");
    public static string Inputs(string dir) => Path.Combine(dir, "in");

    /// <summary>The command's exit code once it was recorded (written to a temporary name, then renamed).</summary>
    public static int? ReadExit(string dir) =>
        File.Exists(ExitCode(dir)) && int.TryParse(File.ReadAllText(ExitCode(dir)).Trim(), out var code) ? code : null;

    /// <summary>Writes job.sh (the rendered command) and run.sh (the wrapper that runs it and records its exit code).</summary>
    public static void Write(string dir, string command)
    {
        Directory.CreateDirectory(Outputs(dir));
        File.WriteAllText(Script(dir), "#!/bin/bash\n" + command + "\n");
        File.WriteAllText(Wrapper(dir), $$"""
            #!/bin/bash
            cd {{Q(dir)}} || exit 111
            echo $$ > pid.part && mv pid.part pid
            bash ./job.sh > stdout 2> stderr < /dev/null
            echo $? > exit.part && mv exit.part exit

            """);
    }

    private static string Q(string s) => Ferry.Core.Tasks.CommandTemplate.Quote(s);
}
