using System.Diagnostics;

namespace Ferry.Bench;

/// <summary>
/// CPU seconds used so far by this process and by every PostgreSQL process on the machine (from /proc), so a benchmark
/// can say how much of the machine a figure took and where its ceiling is.
/// </summary>
internal readonly record struct ProcessCpu(double Bench, double Postgres)
{
    public static ProcessCpu operator -(ProcessCpu a, ProcessCpu b) => new(a.Bench - b.Bench, a.Postgres - b.Postgres);

    public static ProcessCpu Snapshot() => new(Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, PostgresSeconds());

    private static double PostgresSeconds()
    {
        var ticks = 0L;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // The command sits in parentheses and may hold spaces; the fields after it are numbered from 3.
                var close = stat.LastIndexOf(')');
                if (!stat[(stat.IndexOf('(') + 1)..close].StartsWith("postgres", StringComparison.Ordinal)) continue;
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11]) + long.Parse(fields[12]);
            }
            catch (IOException) { }
        }
        // USER_HZ is 100 on Linux.
        return ticks / 100.0;
    }
}
