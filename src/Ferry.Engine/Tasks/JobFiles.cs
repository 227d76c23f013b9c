using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Catalog.Tasks;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Paths;
using Ferry.Engine.Storage;
using Ferry.Storage;
using Ferry.Storage.Verification;

namespace Ferry.Engine.Tasks;

/// <summary>
/// A job's bytes: inputs read in place where a replica sits on a posix RSE this machine sees, otherwise copied from
/// the nearest AVAILABLE replica into the work directory and verified; outputs checksummed here, written to the
/// output RSE through <see cref="VerifiedCopy"/> (which compares what was stored), and only then registered.
/// </summary>
public sealed class JobFiles(ReplicaCatalog replicas, RseCatalog rses, RseStorage storage)
{
    /// <summary>Local paths of the job's inputs, in the job's file order.</summary>
    public async Task<IReadOnlyList<string>> InputsAsync(TaskRecord t, IReadOnlyList<JobFile> files, string workDir, CancellationToken ct)
    {
        var found = await replicas.ListAsync(files.Select(f => (f.Scope, f.Name)).ToList(), allStates: false, null, withParents: false);
        var paths = new List<string>();
        foreach (var f in found)
        {
            var candidates = new List<(ReplicaView Replica, RseEndpoint Endpoint, int Rank)>();
            foreach (var r in f.Replicas.Where(r => r.AvailabilityRead))
            {
                RseEndpoint endpoint;
                try { endpoint = await storage.OpenAsync(r.RseId, StorageOperation.Read); }
                catch (FerryException) { continue; }
                var distance = (await rses.DistancesAsync(r.Rse, t.OutputRse)).FirstOrDefault()?.Distance ?? (r.Rse == t.OutputRse ? 0 : 100);
                candidates.Add((r, endpoint, (int)Math.Min(distance, 10_000)));
            }
            var local = candidates.FirstOrDefault(c => LocalPath(c.Endpoint, c.Replica) is { } p && File.Exists(p));
            if (local.Endpoint is not null)
            {
                paths.Add(LocalPath(local.Endpoint, local.Replica)!);
                continue;
            }
            string? lastError = null;
            var staged = Path.Combine(AttemptFiles.Inputs(workDir), f.File.Name);
            Directory.CreateDirectory(AttemptFiles.Inputs(workDir));
            foreach (var c in candidates.OrderBy(c => c.Rank).ThenBy(c => c.Replica.Rse, StringComparer.Ordinal))
            {
                try
                {
                    await using var input = await c.Endpoint.Backend.OpenReadAsync(c.Endpoint.Pfn(c.Replica.Path ?? Lfn2Pfn.Hash(f.File.Scope, f.File.Name)), 0, ct);
                    await using (var output = File.Create(staged + VerifiedCopy.TempSuffix))
                        VerifiedCopy.Verify($"{f.File.Scope}:{f.File.Name} from {c.Replica.Rse}", await VerifiedCopy.CopyAsync(input, output, false, null, ct),
                            new ExpectedChecksums(f.File.Bytes, f.File.Adler32, f.File.Adler32 is null ? f.File.Md5 : null));
                    File.Move(staged + VerifiedCopy.TempSuffix, staged, overwrite: true);
                    lastError = null;
                    break;
                }
                catch (Exception e) when (e is IOException or FerryException)
                {
                    lastError = $"{c.Replica.Rse}: {e.Message}";
                }
            }
            if (lastError is not null || !File.Exists(staged))
                throw new IOException($"input {f.File.Scope}:{f.File.Name} could not be read from any replica{(lastError is null ? "" : $" (last: {lastError})")}");
            paths.Add(staged);
        }
        if (paths.Count != files.Count) throw new IOException($"{files.Count - paths.Count} of the job's inputs have no AVAILABLE replica");
        return paths;
    }

    private static string? LocalPath(RseEndpoint e, ReplicaView r) =>
        e.Protocol.Scheme is "file" or "posix" && Directory.Exists(e.Protocol.Prefix)
            ? Path.Combine(e.Protocol.Prefix, r.Path ?? Lfn2Pfn.Hash(r.Scope, r.Name)) : null;

    /// <summary>Each file the job left in its output directory, copied to the output RSE and verified there.</summary>
    public async Task<IReadOnlyList<OutputFile>> UploadOutputsAsync(TaskRecord t, AttemptRecord a, CancellationToken ct)
    {
        var dir = AttemptFiles.Outputs(a.WorkDir);
        var files = Directory.Exists(dir) ? Directory.GetFiles(dir).Where(f => !f.EndsWith(VerifiedCopy.TempSuffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList() : [];
        if (Directory.Exists(dir) && Directory.GetDirectories(dir).Length > 0)
            throw FerryException.Invalid($"the job left directories in its output directory; only files become outputs");
        var target = await storage.OpenAsync((await rses.GetAsync(t.OutputRse)).Id, StorageOperation.Write);
        var outputs = new List<OutputFile>();
        foreach (var path in files)
        {
            var name = Names.DidName(OutputName(t, a.Job, Path.GetFileName(path)));
            Checksums local;
            await using (var read = File.OpenRead(path)) local = await VerifiedCopy.CopyAsync(read, Stream.Null, false, null, ct);
            await using (var read = File.OpenRead(path))
                await VerifiedCopy.WriteAsync(read, target.Backend, target.Pfn(Lfn2Pfn.Hash(t.OutputScope, name)), new ExpectedChecksums(local.Bytes, local.Adler32, null), false, null, ct);
            outputs.Add(new OutputFile(t.OutputScope, name, local.Bytes, local.Adler32));
        }
        return outputs;
    }

    /// <summary>PanDA's convention: the output dataset's name, the job number, the file's own name.</summary>
    public static string OutputName(TaskRecord t, int job, string file) => $"{t.OutputDataset}._{job:D5}.{file}";
}
