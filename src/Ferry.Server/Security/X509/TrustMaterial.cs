using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Security.X509;

/// <summary>
/// The CAs trusted for client certificates and their CRLs, read from FERRY_TLS_CA / FERRY_TLS_CRL (a PEM bundle, or a
/// directory laid out like /etc/grid-security/certificates: *.0 or *.pem CAs, *.r0 or *.crl CRLs). Read again when
/// older than five minutes, so CRLs refreshed by fetch-crl take effect without a restart.
/// </summary>
public sealed class TrustMaterial(SecurityOptions options, TimeProvider clock, ILogger<TrustMaterial> logger)
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMinutes(5);
    private readonly Lock _gate = new();
    private Snapshot? _current;

    public sealed record Snapshot(X509Certificate2Collection Roots, X509Certificate2Collection Intermediates,
        IReadOnlyList<RevocationList> Crls, DateTimeOffset LoadedAt);

    public Snapshot Current
    {
        get
        {
            lock (_gate)
            {
                var now = clock.GetUtcNow();
                if (_current is null || now - _current.LoadedAt > Refresh) _current = Load(now);
                return _current;
            }
        }
    }

    private Snapshot Load(DateTimeOffset now)
    {
        var roots = new X509Certificate2Collection();
        var intermediates = new X509Certificate2Collection();
        foreach (var file in Files(options.TlsCa, IsCaFile))
        {
            var certs = new X509Certificate2Collection();
            try { certs.ImportFromPemFile(file); }
            catch (CryptographicException e) { logger.LogWarning("Skipping {File}: not a PEM certificate ({Error})", file, e.Message); continue; }
            foreach (var c in certs)
                (c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData) ? roots : intermediates).Add(c);
        }
        var crls = new List<RevocationList>();
        var crlSources = Files(options.TlsCrl, IsCrlFile).Concat(Directory.Exists(options.TlsCa) ? Files(options.TlsCa, IsCrlFile) : []).Distinct();
        foreach (var file in crlSources)
            foreach (var der in CrlBlobs(file))
            {
                try { crls.Add(RevocationList.Parse(der, file)); }
                catch (Exception e) when (e is System.Formats.Asn1.AsnContentException or CryptographicException)
                { logger.LogWarning("Skipping {File}: not a CRL ({Error})", file, e.Message); }
            }
        logger.LogInformation("Client certificate trust: {Roots} CAs, {Intermediates} intermediate CAs, {Crls} CRLs", roots.Count, intermediates.Count, crls.Count);
        return new Snapshot(roots, intermediates, crls, now);
    }

    private static IEnumerable<string> Files(string? path, Func<string, bool> wanted) =>
        path is null ? [] : File.Exists(path) ? [path] : Directory.Exists(path) ? Directory.GetFiles(path).Where(wanted).Order(StringComparer.Ordinal) : [];

    private static bool IsCaFile(string f) => f.EndsWith(".pem", StringComparison.Ordinal) && !f.EndsWith(".crl.pem", StringComparison.Ordinal)
        || f.EndsWith(".crt", StringComparison.Ordinal) || System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(f), @"^[0-9a-f]{8}\.[0-9]$");

    private static bool IsCrlFile(string f) => f.EndsWith(".crl", StringComparison.Ordinal) || f.EndsWith(".crl.pem", StringComparison.Ordinal)
        || System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(f), @"^[0-9a-f]{8}\.r[0-9]$");

    private static IEnumerable<byte[]> CrlBlobs(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        if (!text.Contains("-----BEGIN", StringComparison.Ordinal)) { yield return bytes; yield break; }
        var rest = text.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            if (rest.Span[fields.Label].SequenceEqual("X509 CRL")) yield return Convert.FromBase64String(rest.Span[fields.Base64Data].ToString());
            rest = rest[fields.Location.End..];
        }
    }
}
