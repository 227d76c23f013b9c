using System.Diagnostics;

namespace Ferry.Functional.Tests.Tasks;

/// <summary>
/// The single-node Slurm the project's scripts/services/slurm.sh starts (installing munge and Slurm where missing).
/// Outside CI a machine that cannot run it skips the Slurm tests with the reason; under CI=true they fail instead.
/// </summary>
public static class SlurmCluster
{
    private static readonly Lazy<(string? Conf, string? Failure)> Started = new(Start);

    public static string Conf => Started.Value.Conf ?? throw new InvalidOperationException(Started.Value.Failure);

    public static string? Failure => Started.Value.Failure;

    private static (string?, string?) Start()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "Ferry.slnx"))) root = Path.GetDirectoryName(root);
        if (root is null) return (null, "cannot find the repository (Ferry.slnx)");
        var psi = new ProcessStartInfo("bash", [Path.Combine(root, "scripts/services/slurm.sh")]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); return (null, "slurm.sh did not finish in 5 minutes"); }
        var line = stdout.Result.Split('\n').LastOrDefault(l => l.Contains("SLURM_CONF=", StringComparison.Ordinal));
        if (p.ExitCode != 0 || line is null) return (null, $"slurm.sh exited {p.ExitCode}: {stderr.Result.Trim()} {stdout.Result.Trim()}");
        return (line.Split("SLURM_CONF=")[1].Split(' ')[0], null);
    }

    public static async Task<string> RunAsync(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["SLURM_CONF"] = Conf;
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output;
    }
}

public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") == "true") return;
        if (SlurmCluster.Failure is { } reason) Skip = $"no Slurm here ({reason}); under CI=true this test runs and fails instead";
    }
}
