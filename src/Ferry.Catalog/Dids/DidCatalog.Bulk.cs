using System.Data.Common;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;

namespace Ferry.Catalog.Dids;

public sealed partial class DidCatalog
{
    /// <summary>A file to make sure of: created when absent, checked against the catalogue when present.</summary>
    internal sealed record FileSpec(string Scope, string Name, long Bytes, string? Adler32, string? Md5, string? Guid);

    /// <summary>
    /// <see cref="EnsureFile"/> for a batch in a few statements: one lookup per scope, one bulk insert of the new files.
    /// Returns the files that already existed (only they can have locks or rules already).
    /// </summary>
    internal async Task<HashSet<(string Scope, string Name)>> EnsureFiles(DbConnection c, DbTransaction tx, IReadOnlyList<FileSpec> files, string account)
    {
        ValidateNames(files);
        var existing = await FindMany(c, tx, files.Select(f => (f.Scope, f.Name)));
        var fresh = Unknown(files, existing);
        foreach (var f in files)
            if (existing.TryGetValue((f.Scope, f.Name), out var d) && d.Md5 is null && f.Md5 is not null)
                await c.ExecuteAsync("UPDATE dids SET md5=@Md5 WHERE scope=@Scope AND name=@Name", f, tx);
        foreach (var scope in fresh.Select(f => f.Scope).Distinct()) await RequireScope(c, tx, scope);
        var now = clock.GetUtcNow();
        await BulkInsert.RunAsync(c, tx, "dids", ["scope", "name", "type", "account", "bytes", "length", "adler32", "md5", "guid", "is_open", "created_at", "updated_at"],
            fresh.Select(f => new object?[] { f.Scope, f.Name, DidType.File, account, f.Bytes, 1L, f.Adler32, f.Md5, f.Guid, 0L, now, now }));
        return existing.Keys.ToHashSet();
    }

    internal static void ValidateNames(IReadOnlyList<FileSpec> files)
    {
        foreach (var f in files)
        {
            Names.Scope(f.Scope);
            Names.DidName(f.Name);
        }
    }

    /// <summary>
    /// The files of a batch that do not exist yet (each once), after checking those that do, in request order, as
    /// <see cref="EnsureFile"/> checks them: a DID of another type or one that disagrees on size or checksums refuses the batch.
    /// </summary>
    internal static List<FileSpec> Unknown(IReadOnlyList<FileSpec> files, IReadOnlyDictionary<(string, string), Did> existing)
    {
        var fresh = new List<FileSpec>();
        var seen = new HashSet<(string, string)>();
        foreach (var f in files)
        {
            if (existing.TryGetValue((f.Scope, f.Name), out var d))
            {
                if (d.Type != DidType.File) throw FerryException.Conflict("UnsupportedOperation", $"'{f.Scope}:{f.Name}' is a {d.Type.Wire()}, not a file");
                CheckConsistency(d, new ChildSpec(f.Scope, f.Name, f.Bytes, f.Adler32, f.Md5));
            }
            else if (seen.Add((f.Scope, f.Name))) fresh.Add(f);
        }
        return fresh;
    }
}
