using System.Data.Common;
using Dapper;
using Ferry.Catalog.Replicas;
using Ferry.Core.Errors;
using Ferry.Core.Model;

namespace Ferry.Catalog.Dids;

/// <summary>
/// Archives: a file (a zip or tarball) whose content is registered as files of their own, its constituents, as Rucio's
/// attach to a file does. A constituent has no replica of its own; the archive's replicas serve it (see
/// <see cref="ReplicaCatalog.ListAsync"/>), and the client extracts it after the download.
/// </summary>
public sealed partial class DidCatalog
{
    /// <summary>
    /// Adds constituents to an archive. A constituent not yet in the catalogue is registered as a file with the size and
    /// checksums given; one that is must agree with them. Listing one twice in a request counts once; adding one the
    /// archive already holds is refused unless <paramref name="ignoreDuplicate"/>.
    /// </summary>
    private async Task AddToArchive(DbConnection c, DbTransaction tx, Did archive, IReadOnlyList<ChildSpec> children, bool ignoreDuplicate)
    {
        var found = await FindMany(c, tx, children.Select(x => (x.Scope, x.Name)));
        var held = (await c.QueryAsync<(string, string)>(
            "SELECT child_scope, child_name FROM archive_contents WHERE scope=@scope AND name=@name", new { scope = archive.Scope, name = archive.Name }, tx)).ToHashSet();
        var now = clock.GetUtcNow();
        var rows = new List<object?[]>();
        foreach (var spec in children.DistinctBy(x => (x.Scope, x.Name)))
        {
            if (spec.Scope == archive.Scope && spec.Name == archive.Name)
                throw FerryException.Conflict("UnsupportedOperation", $"Archive '{archive.Scope}:{archive.Name}' cannot contain itself");
            if (found.GetValueOrDefault((spec.Scope, spec.Name)) is { } existing)
            {
                if (existing.Type != DidType.File)
                    throw FerryException.Conflict("UnsupportedOperation", $"Only files go into archive '{archive.Scope}:{archive.Name}'; '{spec.Scope}:{spec.Name}' is a {existing.Type.Wire()}");
                CheckConsistency(existing, spec);
            }
            else
            {
                ReplicaCatalog.ValidateChecksums(new ReplicaFileSpec(spec.Scope, spec.Name, spec.Bytes, spec.Adler32, spec.Md5, null, ReplicaState.Available));
                if (spec.Bytes is < 0) throw FerryException.Invalid($"'{spec.Scope}:{spec.Name}': bytes must not be negative");
                await RequireScope(c, tx, spec.Scope);
                await c.ExecuteAsync("""
                    INSERT INTO dids(scope,name,type,account,bytes,length,adler32,md5,is_open,created_at,updated_at)
                    VALUES (@Scope,@Name,@type,@account,@Bytes,1,@Adler32,@Md5,0,@now,@now)
                    """, new { spec.Scope, spec.Name, type = DidType.File, account = archive.Account, spec.Bytes, spec.Adler32, spec.Md5, now }, tx);
            }
            if (!held.Add((spec.Scope, spec.Name)))
            {
                if (ignoreDuplicate) continue;
                throw FerryException.Conflict("DuplicateContent", $"'{spec.Scope}:{spec.Name}' is already in archive '{archive.Scope}:{archive.Name}'");
            }
            rows.Add([archive.Scope, archive.Name, spec.Scope, spec.Name, now]);
        }
        await Db.BulkInsert.RunAsync(c, tx, "archive_contents", ["scope", "name", "child_scope", "child_name", "created_at"], rows);
    }
}
