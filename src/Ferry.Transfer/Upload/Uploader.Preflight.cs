using System.Text.Json;
using Ferry.Client.Http;
using Ferry.Core.Errors;

namespace Ferry.Transfer.Upload;

/// <summary>Checks made before any byte moves, so that a file that cannot be registered is never copied.</summary>
public sealed partial class Uploader
{
    /// <summary>The RSE exists, is not blocked for writes and offers a protocol this client writes with; otherwise every file fails.</summary>
    private async Task<bool> PreflightRseAsync(List<FileOutcome> outcomes, CancellationToken ct)
    {
        try
        {
            if (_o.TempRse is not null) await client.GetRseAsync(_o.Rse, ct);
            var rse = await client.GetRseAsync(_o.WriteRse, ct);
            if (!rse.AvailabilityWrite)
                throw new FerryException("RSEWriteBlocked", 503, $"RSE {_o.WriteRse} is blocked for writes");
            _endpoint = RseAccess.Choose(rse, "write", client);
            return true;
        }
        catch (FerryException e)
        {
            FailAll(outcomes, ErrorKind.RseNotWritable, UploadErrors.Describe(e));
            return false;
        }
    }

    private async Task<bool> IsAdminAsync(string account, CancellationToken ct)
    {
        try
        {
            var attrs = await client.JsonAsync(HttpMethod.Get, $"accounts/{FerryClient.Escape(account)}/attr", ct: ct);
            return attrs.ValueKind == JsonValueKind.Array && attrs.EnumerateArray().Any(a => a.Str("key") == "admin"
                && a.TryGetProperty("value", out var v) && (v.ValueKind == JsonValueKind.True || v.ValueKind == JsonValueKind.String && v.GetString() is "true" or "True"));
        }
        catch (FerryApiException) { return false; }
    }

    /// <summary>The scope exists and the account may write in it (it owns it or is an admin).</summary>
    private async Task<bool> PreflightScopeAsync(List<FileOutcome> outcomes, string scope, string account, bool admin, CancellationToken ct)
    {
        var owners = await client.ScopesWithOwnersAsync(ct);
        var owner = owners.FirstOrDefault(s => s.Scope == scope)?.Account;
        string? error = owner is null ? $"ScopeNotFound: scope {scope} does not exist"
            : owner != account && !admin ? $"AccessDenied: account {account} can not write in scope {scope}, which belongs to {owner}" : null;
        if (error is null) return true;
        FailAll(outcomes, ErrorKind.PermissionDenied, error);
        return false;
    }

    /// <summary>
    /// The account's quota where the upload's rules will charge it (the target RSE, and the temporary one): files are
    /// taken in catalogue order while their bytes fit; the rest fail with the numbers. Admins and mock RSEs are exempt,
    /// as on the server; where the limits cannot be read, the server decides alone.
    /// </summary>
    private async Task PreflightQuotaAsync(List<FileOutcome> toCopy, string account, CancellationToken ct)
    {
        long? left = null;
        try
        {
            var usage = await client.AccountUsageAsync(account, ct);
            var globals = await client.GlobalLimitsAsync(account, ct);
            foreach (var rse in new[] { _o.Rse, _o.TempRse }.OfType<string>().Distinct())
            {
                var attrs = await client.RseAttributesAsync(rse, ct);
                if (attrs.TryGetValue("mock", out var m) && (m.ValueKind == JsonValueKind.True || m.ToString() is "true" or "True")) continue;
                var row = usage.FirstOrDefault(u => u.Rse == rse);
                long? remaining = row is null ? 0 : row.BytesRemaining != long.MaxValue ? row.BytesRemaining : null;
                foreach (var g in globals.Values)
                {
                    if (!g.ResolvedRses.Contains(rse) || g.Limit == long.MaxValue) continue;
                    var used = usage.Where(u => g.ResolvedRses.Contains(u.Rse)).Sum(u => u.Bytes);
                    remaining = Math.Min(remaining ?? long.MaxValue, g.Limit - used);
                }
                if (remaining is { } x) left = Math.Min(left ?? long.MaxValue, x);
            }
        }
        catch (FerryApiException e)
        {
            Warn($"could not read the quota of {account} ({UploadErrors.Describe(e)}); the server will enforce it");
            return;
        }
        if (left is not { } budget) return;
        foreach (var f in toCopy)
        {
            if (f.Entry.Bytes <= budget) budget -= f.Entry.Bytes;
            else f.Fail(ErrorKind.QuotaExceeded, $"InsufficientAccountLimit: {f.Entry.Bytes} bytes do not fit in what is left of account {account}'s quota ({Math.Max(0, budget)} bytes) on {string.Join(" and ", new[] { _o.Rse, _o.TempRse }.OfType<string>().Distinct())}");
        }
    }
}
