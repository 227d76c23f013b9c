using Ferry.Core.Configuration;
using System.Diagnostics;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Microsoft.Extensions.Logging;

namespace Ferry.Engine.Application.Replicas;

/// <summary>
/// The replica operations, whoever asks: POST/PUT/DELETE /replicas, POST /replicas/bad, and the replicas registered with
/// a DID (attach or create with an RSE; bulk upload and `ferry data` take these paths). Each takes the caller, checks
/// the scopes it writes, and goes through <see cref="ReplicaVerifier"/> before anything can become AVAILABLE.
/// </summary>
public sealed class ReplicaRequests(ReplicaCatalog replicas, RseCatalog rses, AccountCatalog accounts, ReplicaVerifier verifier, ILoggerFactory logs)
{
    /// <summary>FERRY_TIMING=1: where a registration's time goes on the server (bulk upload tuning), one line per request.</summary>
    private static readonly bool Timing = FerryEnvironment.Process.Flag("FERRY_TIMING");

    /// <summary>Registers replicas (verified first when AVAILABLE); every scope of the files must be the caller's, or the caller an admin.</summary>
    public async Task AddAsync(Caller caller, string rse, IReadOnlyList<ReplicaFileSpec> files, bool ignoreAvailability, CancellationToken ct)
    {
        await caller.RequireScopeWrite(accounts, files.Select(f => f.Scope));
        await AddCheckedAsync(caller, rse, files, ignoreAvailability, ct);
    }

    /// <summary>
    /// Registers the replicas of files attached to a collection the caller may write (the DID operation checked its
    /// scope; as in Rucio, attaching with an RSE needs no more), verified first when AVAILABLE.
    /// </summary>
    public async Task AddAttachedAsync(Caller caller, string rse, IReadOnlyList<ReplicaFileSpec> files, CancellationToken ct) =>
        await AddCheckedAsync(caller, rse, files, ignoreAvailability: true, ct);

    /// <summary>PUT /replicas: state changes; one to AVAILABLE is verified on storage first.</summary>
    public async Task UpdateStatesAsync(Caller caller, string rse, IReadOnlyList<ReplicaFileSpec> files, CancellationToken ct)
    {
        await caller.RequireScopeWrite(accounts, files.Select(f => f.Scope));
        await verifier.VerifyAvailableAsync(rse, files, ct);
        await replicas.UpdateStatesAsync(rse, files);
    }

    /// <summary>
    /// Beyond Rucio, which keeps this for admins: an account may withdraw replicas in its own scopes that no rule holds
    /// (the catalogue refuses locked ones), so an upload whose rule was refused can take back what it registered.
    /// </summary>
    public async Task DeleteAsync(Caller caller, string rse, IReadOnlyList<(string Scope, string Name)> files)
    {
        if (!caller.IsAdmin) await caller.RequireScopeWrite(accounts, files.Select(f => f.Scope));
        await replicas.DeleteAsync(rse, files);
    }

    /// <summary>POST /replicas/bad: replicas named directly or by PFN; returns, per RSE, those that could not be declared.</summary>
    public async Task<Dictionary<string, List<string>>> DeclareBadAsync(Caller caller, IReadOnlyList<string> pfns,
        IReadOnlyList<(string Scope, string Name, string Rse)> named, string reason)
    {
        var targets = new List<(string Scope, string Name, string Rse)>();
        if (pfns.Count > 0) targets.AddRange(await replicas.ResolvePfnsAsync(pfns, rses));
        targets.AddRange(named);
        await caller.RequireScopeWrite(accounts, targets.Select(t => t.Scope));
        return await replicas.DeclareBadAsync(targets, reason);
    }

    private async Task AddCheckedAsync(Caller caller, string rse, IReadOnlyList<ReplicaFileSpec> files, bool ignoreAvailability, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await verifier.VerifyAvailableAsync(rse, files, ct);
        var verified = Stopwatch.GetTimestamp();
        await replicas.AddAsync(rse, files, caller.Account, ignoreAvailability);
        if (Timing)
            logs.CreateLogger("Ferry.Timing").LogInformation("add replicas: {Files} files on {Rse}: verify {Verify:F0} ms, catalogue {Catalogue:F0} ms",
                files.Count, rse, Stopwatch.GetElapsedTime(started, verified).TotalMilliseconds, Stopwatch.GetElapsedTime(verified).TotalMilliseconds);
    }
}
