using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ferry.Server.Security.X509;

/// <summary>The outcome of checking a client certificate: the user's DN, or why it was refused.</summary>
public sealed record CertificateCheck(string? Dn, string? Error, int ProxyDepth)
{
    public static CertificateCheck Refused(string error) => new(null, error, 0);
}

/// <summary>
/// Checks a client certificate chain against the configured CAs only (never the system store):
/// 1. proxy certificates (RFC 3820, with the proxyCertInfo extension; and legacy Globus proxies named CN=proxy or
///    CN=limited proxy) are peeled off one by one: each must be signed by the next certificate sent (signature
///    checked with that certificate's key), be named after it plus one CN, be within its validity, and respect the
///    proxy path length; "independent" proxies (no rights inherited) are refused;
/// 2. the end-entity certificate left is verified with X509Chain in custom-root mode (validity, signatures, CA
///    constraints, client-auth usage), with intermediate CAs from the configuration or sent by the client;
/// 3. each certificate of that chain is looked up in the CRL of its issuer when one is configured (CRL signature
///    checked; an expired CRL refuses the CA's certificates, as fetch-crl setups do).
/// The DN returned is the end entity's, in Rucio's slash form.
/// </summary>
public sealed class ClientCertificateValidator(TrustMaterial trust, TimeProvider clock)
{
    public const int MaxProxyDepth = 10;
    private const string ProxyCertInfoOid = "1.3.6.1.5.5.7.1.14";
    private const string IndependentPolicy = "1.3.6.1.5.5.7.21.2";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    public CertificateCheck Validate(X509Certificate2 leaf, IReadOnlyCollection<X509Certificate2> presented)
    {
        var now = clock.GetUtcNow();
        var current = leaf;
        var depth = 0;
        while (IsProxy(current, out var pathLen, out var policy))
        {
            if (depth >= MaxProxyDepth) return CertificateCheck.Refused($"more than {MaxProxyDepth} proxy certificates in the chain");
            if (policy == IndependentPolicy) return CertificateCheck.Refused($"proxy {Dn(current)} is an independent proxy (it inherits no rights)");
            if (pathLen is { } max && max < depth) return CertificateCheck.Refused($"proxy {Dn(current)} allows {max} proxies below it, the chain has {depth}");
            var signer = presented.FirstOrDefault(c => !ReferenceEquals(c, current) && c.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData));
            if (signer is null) return CertificateCheck.Refused($"proxy {Dn(current)} was sent without the certificate that signed it ({DistinguishedNames.Format(current.IssuerName)})");
            if (!NamedAfter(current, signer)) return CertificateCheck.Refused($"proxy {Dn(current)} is not named after its signer {Dn(signer)} plus one CN");
            if (!SignedAsn.Parse(current.RawData).VerifiedBy(signer)) return CertificateCheck.Refused($"the signature of proxy {Dn(current)} does not verify with the key of {Dn(signer)}");
            if (now < current.NotBefore.ToUniversalTime() || now > current.NotAfter.ToUniversalTime())
                return CertificateCheck.Refused($"proxy {Dn(current)} is valid from {current.NotBefore.ToUniversalTime():u} to {current.NotAfter.ToUniversalTime():u}, not now");
            if (signer.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } ku && !ku.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
                return CertificateCheck.Refused($"{Dn(signer)} may not sign proxies (its key usage lacks digitalSignature)");
            current = signer;
            depth++;
        }
        if (depth > 0 && current.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true })
            return CertificateCheck.Refused($"the proxy chain ends at a CA certificate ({Dn(current)}), not a user certificate");

        var material = trust.Current;
        if (material.Roots.Count == 0) return CertificateCheck.Refused("the server trusts no CA for client certificates (FERRY_TLS_CA)");
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(material.Roots);
        chain.ChainPolicy.ExtraStore.AddRange(material.Intermediates);
        foreach (var c in presented) if (!IsProxy(c, out _, out _)) chain.ChainPolicy.ExtraStore.Add(c);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthOid));
        if (!chain.Build(current))
        {
            var reasons = chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}").Distinct();
            return CertificateCheck.Refused($"certificate {Dn(current)} is not trusted: {string.Join("; ", reasons)}");
        }
        for (var i = 0; i < chain.ChainElements.Count - 1; i++)
        {
            var cert = chain.ChainElements[i].Certificate;
            var issuer = chain.ChainElements[i + 1].Certificate;
            var crl = material.Crls.FirstOrDefault(l => l.Issuer.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData) && l.Signed.VerifiedBy(issuer));
            if (crl is null) continue;
            if (crl.NextUpdate is { } next && next < now)
                return CertificateCheck.Refused($"the CRL of {Dn(issuer)} ({crl.Source}) expired at {next:u}; certificates of that CA are refused until it is refreshed");
            if (crl.RevokedSerials.Contains(RevocationList.SerialKey(cert.SerialNumberBytes.Span)))
                return CertificateCheck.Refused($"certificate {Dn(cert)} (serial {cert.SerialNumber}) was revoked by {Dn(issuer)}");
        }
        return new CertificateCheck(DistinguishedNames.Format(current.SubjectName), null, depth);
    }

    private static string Dn(X509Certificate2 c) => DistinguishedNames.Format(c.SubjectName);

    /// <summary>RFC 3820 proxies carry proxyCertInfo; legacy Globus proxies are recognised by their last CN.</summary>
    public static bool IsProxy(X509Certificate2 c, out int? pathLen, out string? policy)
    {
        pathLen = null;
        policy = null;
        if (c.Extensions[ProxyCertInfoOid] is { } ext)
        {
            var seq = new AsnReader(ext.RawData, AsnEncodingRules.DER).ReadSequence();
            if (seq.PeekTag().HasSameClassAndValue(Asn1Tag.Integer)) pathLen = seq.TryReadInt32(out var n) ? n : int.MaxValue;
            policy = seq.ReadSequence().ReadObjectIdentifier();
            return true;
        }
        if (c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData)) return false;
        var last = c.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).LastOrDefault();
        return last is { HasMultipleElements: false } && last.GetSingleElementType().Value == "2.5.4.3"
            && last.GetSingleElementValue() is "proxy" or "limited proxy";
    }

    private static bool NamedAfter(X509Certificate2 proxy, X509Certificate2 signer)
    {
        var p = proxy.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).ToList();
        var s = signer.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).ToList();
        if (p.Count != s.Count + 1 || p[^1].HasMultipleElements || p[^1].GetSingleElementType().Value != "2.5.4.3") return false;
        return p.Take(s.Count).Zip(s).All(x => x.First.RawData.Span.SequenceEqual(x.Second.RawData.Span));
    }
}
