using System.Security.Cryptography;
using System.Text;
using Ferry.Client.Http;

namespace Ferry.Client.Sync;

/// <summary>
/// One service account per RSE on the target, named after the RSE (lower case; names over 25 characters shortened
/// with a hash), which owns the rules a replica sync creates there. Running it again changes nothing.
/// </summary>
public sealed class AccountSync(FerryClient target, SyncFilter filter, bool dryRun)
{
    public static string AccountFor(string rse)
    {
        var name = rse.ToLowerInvariant();
        if (name.Length <= 25) return name;
        var hash = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(rse)))[..8];
        return name[..16] + "-" + hash;
    }

    public async Task<SyncReport> RunAsync(CancellationToken ct)
    {
        var report = new SyncReport { DryRun = dryRun };
        var existing = (await target.ListAccountsAsync(ct)).Select(a => a.Account).ToHashSet();
        foreach (var rse in (await target.ListRsesAsync(ct)).Select(r => r.Rse).Where(filter.Takes).Order(StringComparer.Ordinal))
        {
            var account = AccountFor(rse);
            if (!existing.Contains(account))
            {
                report.Change($"{rse}: account {account} created");
                if (dryRun) continue;
                await target.AddAccountAsync(account, "SERVICE", null, ct);
                await target.SetAccountAttributeAsync(account, "sync_rse", rse, ct);
            }
            // Rules of a non-admin account need quota; the RSE's own account has no limit on its RSE.
            if ((await target.LocalLimitsAsync(account, ct)).ContainsKey(rse)) continue;
            report.Change($"{rse}: account {account} may use all of {rse}");
            if (!dryRun) await target.SetLocalLimitAsync(account, rse, long.MaxValue, ct);
        }
        return report;
    }
}
