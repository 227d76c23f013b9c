using Ferry.Client.Http;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Paths;

namespace Ferry.Transfer.Upload;

/// <summary>
/// Where the bytes go is the server's to say: a Rucio server maps names with the RSE's lfn2pfn algorithm (its
/// configuration may name another than hash), and a replica is found later only at the path the server computes.
/// The client asks GET /rses/{rse}/lfns2pfns for a first batch; when the server's paths are the hash paths the client
/// computes itself, the rest are computed locally (one request, not one per hundred files); otherwise every path is asked.
/// </summary>
public sealed partial class Uploader
{
    private const int PfnBatch = 50;

    private async Task ServerPfnsAsync(List<FileOutcome> files, CancellationToken ct)
    {
        if (files.Count == 0) return;
        var root = _endpoint.Pfn("");
        var first = true;
        foreach (var chunk in files.Chunk(PfnBatch))
        {
            Dictionary<string, string> answer;
            try
            {
                answer = await _retry.ExecuteAsync(async t => await client.Lfns2PfnsAsync(_o.WriteRse, chunk.Select(f => f.Entry.Did), _endpoint.Scheme, t, "write"), ct);
            }
            catch (FerryApiException e) when (first && e.ExceptionClass.StartsWith("HTTP", StringComparison.Ordinal))
            {
                return; // a server without lfns2pfns: the hash paths computed locally stand
            }
            var agree = true;
            foreach (var f in chunk)
            {
                var pfn = answer.GetValueOrDefault($"{f.Entry.Did.Scope}:{f.Entry.Did.Name}")
                    ?? throw new FerryException("RSEProtocolNotSupported", 502, $"the server gave no path on {_o.WriteRse} for {f.Entry.Did}; nothing was written");
                f.Pfn = Inside(root, pfn, f.Entry.Did);
                agree &= f.Pfn == _endpoint.Pfn(Lfn2Pfn.Hash(f.Entry.Did.Scope, f.Entry.Did.Name));
            }
            if (first && agree) return;
            first = false;
        }
    }

    /// <summary>The server's path, as long as it lies below the protocol's prefix: nothing is written outside an RSE.</summary>
    public static string Inside(string root, string pfn, DidRef did)
    {
        var relative = pfn.StartsWith(root, StringComparison.Ordinal) ? pfn[root.Length..] : null;
        if (relative is null || relative.Length == 0 || relative.Split('/').Any(s => s is "" or "." or ".."))
            throw new FerryException("InvalidPath", 502, $"the server maps {did} to {pfn}, which is not below {root}; nothing was written");
        return pfn;
    }
}
