namespace Ferry.Engine.Daemons;

/// <summary>
/// Lease owners are written "machine:pid:tag". A daemon starting on a machine may free at once the leases of dead
/// processes on the same machine (it can see they are gone); leases of other machines wait until they run out.
/// </summary>
public static class LeaseOwner
{
    public static string For(string tag) => $"{Environment.MachineName}:{Environment.ProcessId}:{tag}";

    public static bool IsDeadOnThisMachine(string owner)
    {
        var parts = owner.Split(':');
        if (parts.Length != 3 || parts[0] != Environment.MachineName || !int.TryParse(parts[1], out var pid)) return false;
        if (pid == Environment.ProcessId) return false;
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return p.HasExited;
        }
        catch (ArgumentException) { return true; }
    }
}
