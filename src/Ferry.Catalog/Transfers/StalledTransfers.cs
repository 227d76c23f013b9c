using System.Text.Json;
using Dapper;
using Ferry.Catalog.Db;

namespace Ferry.Catalog.Transfers;

/// <summary>What the stalled-transfer check did with one request: ALERTED (late) or RESET (given back to the queue).</summary>
public sealed record StalledTransfer(string Id, string Scope, string Name, string Destination, DateTimeOffset StartedAt, string Action);

/// <summary>
/// A transfer that was claimed long ago and is neither done nor failed: its worker hangs (storage that never answers)
/// while still renewing its lease, so the lease alone never frees it. After <c>alertAfter</c> it is reported once
/// (a TRANSFER_STALLED message); after <c>resetAfter</c> it goes back to the queue for a fresh attempt (TRANSFER_RESET).
/// The old worker loses its claim, so if it ever finishes its result is not recorded.
/// </summary>
public sealed class StalledTransfers(ICatalogDatabase db, TimeProvider clock)
{
    private sealed record Row(string Id, string Scope, string Name, string Destination, DateTimeOffset StartedAt, DateTimeOffset? StallAlertedAt);

    /// <param name="only">The files a restricted round may touch (`ferry site run --dids`); null for every transfer.</param>
    public Task<IReadOnlyList<StalledTransfer>> CheckAsync(TimeSpan alertAfter, TimeSpan resetAfter, IReadOnlySet<(string Scope, string Name)>? only = null) =>
        db.WriteAsync<IReadOnlyList<StalledTransfer>>(async (c, tx) =>
    {
        if (alertAfter <= TimeSpan.Zero || resetAfter < alertAfter) throw Core.Errors.FerryException.Invalid("Stalled transfers need 0 < alert_after <= reset_after");
        var now = clock.GetUtcNow();
        var rows = (await c.QueryAsync<Row>("""
            SELECT q.id, q.scope, q.name, d.name AS destination, q.started_at AS startedat, q.stall_alerted_at AS stallalertedat
            FROM requests q JOIN rses d ON d.id=q.dest_rse_id
            WHERE q.state=1 AND q.started_at<=@cutoff ORDER BY q.started_at
            """, new { cutoff = now - alertAfter }, tx)).AsList();
        var done = new List<StalledTransfer>();
        foreach (var r in rows)
        {
            if (only is not null && !only.Contains((r.Scope, r.Name))) continue;
            string action;
            if (r.StartedAt <= now - resetAfter)
            {
                await c.ExecuteAsync("""
                    UPDATE requests SET state=0, lease_owner=NULL, lease_until=0, next_attempt_at=@now, stall_alerted_at=NULL,
                        last_error=@error, updated_at=@now WHERE id=@Id AND state=1
                    """, new { now, r.Id, error = $"reset: no outcome {(now - r.StartedAt).TotalSeconds:F0} s after it started" }, tx);
                action = "RESET";
            }
            else if (r.StallAlertedAt is null)
            {
                await c.ExecuteAsync("UPDATE requests SET stall_alerted_at=@now WHERE id=@Id", new { now, r.Id }, tx);
                action = "ALERTED";
            }
            else continue;
            var payload = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["request_id"] = r.Id, ["scope"] = r.Scope, ["name"] = r.Name, ["dst_rse"] = r.Destination,
                ["started_at"] = Core.Time.RucioTime.Format(r.StartedAt), ["seconds"] = (long)(now - r.StartedAt).TotalSeconds,
            });
            await c.ExecuteAsync("INSERT INTO messages(event_type, payload, created_at) VALUES (@type, @payload, @now)",
                new { type = action == "RESET" ? "TRANSFER_RESET" : "TRANSFER_STALLED", payload, now }, tx);
            done.Add(new StalledTransfer(r.Id, r.Scope, r.Name, r.Destination, r.StartedAt, action));
        }
        return done;
    });
}
