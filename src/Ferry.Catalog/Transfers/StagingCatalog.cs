using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Rules;
using Ferry.Core.Paths;

namespace Ferry.Catalog.Transfers;

/// <summary>The disk RSE a TAPE RSE stages through (its <c>staging_buffer</c> attribute).</summary>
public sealed record StagingBuffer(string Id, string Name);

/// <summary>Whether the buffer has the file: a staged copy to read, nothing yet, or a replica in another state (a rule's copy in flight).</summary>
public enum StagedState { Absent, Available, Busy }

/// <summary>
/// Reads from tape go through a disk buffer: the conveyor copies the file there (checksum verified), registers the
/// buffer's replica AVAILABLE with a tombstone (so the reaper removes it once its lifetime passed and no rule holds
/// it), then transfers from the buffer. The attribute is checked when it is set (<see cref="Rses.RseCatalog"/>).
/// </summary>
public sealed class StagingCatalog(ICatalogDatabase db, TimeProvider clock)
{
    public const string Attribute = "staging_buffer";

    public Task<StagingBuffer?> BufferAsync(string tapeRseId) => db.ReadAsync(c => c.QuerySingleOrDefaultAsync<StagingBuffer>("""
        SELECT b.id, b.name FROM rse_attrs a JOIN rses t ON t.id=a.rse_id JOIN rses b ON b.name=a.value
        WHERE a.rse_id=@tapeRseId AND a.key=@key AND t.rse_type='TAPE' AND b.deleted=0 AND b.rse_type='DISK'
        """, new { tapeRseId, key = Attribute }));

    public Task<StagedState> StateAsync(string scope, string name, string bufferRseId) => db.ReadAsync(async c =>
        (await c.ExecuteScalarAsync<long?>("SELECT state FROM replicas WHERE scope=@scope AND name=@name AND rse_id=@bufferRseId", new { scope, name, bufferRseId })) switch
        {
            null => StagedState.Absent,
            0 => StagedState.Available,
            _ => StagedState.Busy,
        });

    /// <summary>
    /// The staged bytes are on the buffer and verified: its replica becomes AVAILABLE with a tombstone
    /// <paramref name="lifetime"/> from now. Returns the state afterwards (Busy when a rule's replica row appeared meanwhile).
    /// </summary>
    public Task<StagedState> RegisterAsync(string scope, string name, long bytes, string bufferRseId, TimeSpan lifetime) => db.WriteAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        var n = await c.ExecuteAsync("""
            INSERT INTO replicas(scope,name,rse_id,state,bytes,path,tombstone,lock_cnt,created_at,updated_at)
            SELECT @scope,@name,@bufferRseId,0,@bytes,@path,@tombstone,0,@now,@now
            WHERE NOT EXISTS (SELECT 1 FROM replicas WHERE scope=@scope AND name=@name AND rse_id=@bufferRseId)
            """, new { scope, name, bufferRseId, bytes, path = Lfn2Pfn.Hash(scope, name), tombstone = now + lifetime, now }, tx);
        if (n == 1)
        {
            await RuleReconciler.OnReplicaAvailable(c, tx, scope, name, bufferRseId, now);
            return StagedState.Available;
        }
        var state = await c.ExecuteScalarAsync<long>("SELECT state FROM replicas WHERE scope=@scope AND name=@name AND rse_id=@bufferRseId", new { scope, name, bufferRseId }, tx);
        return state == 0 ? StagedState.Available : StagedState.Busy;
    });
}
