using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ferry.Server.Security.X509;

/// <summary>
/// A DER structure signed by an issuer (a certificate or a CRL): the signed bytes, the algorithm and the signature,
/// checked against the issuer's public key. .NET verifies signatures only inside X509Chain, which refuses proxy
/// certificates and knows no CRL files, so Ferry checks those two itself.
/// </summary>
public sealed class SignedAsn
{
    public ReadOnlyMemory<byte> Tbs { get; }
    public string Algorithm { get; }
    public byte[] Signature { get; }

    private SignedAsn(ReadOnlyMemory<byte> tbs, string algorithm, byte[] signature) => (Tbs, Algorithm, Signature) = (tbs, algorithm, signature);

    public static SignedAsn Parse(ReadOnlyMemory<byte> der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var tbs = outer.ReadEncodedValue();
        var alg = outer.ReadSequence().ReadObjectIdentifier();
        var sig = outer.ReadBitString(out _);
        return new SignedAsn(tbs, alg, sig);
    }

    /// <summary>True when <see cref="Signature"/> over <see cref="Tbs"/> verifies with the issuer's key; RSA PKCS#1 v1.5 and ECDSA with SHA-2 only.</summary>
    public bool VerifiedBy(X509Certificate2 issuer)
    {
        HashAlgorithmName? rsaHash = Algorithm switch
        {
            "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256, "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
            "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512, _ => null,
        };
        if (rsaHash is { } h)
        {
            using var rsa = issuer.GetRSAPublicKey();
            return rsa is not null && rsa.VerifyData(Tbs.Span, Signature, h, RSASignaturePadding.Pkcs1);
        }
        HashAlgorithmName? ecHash = Algorithm switch
        {
            "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256, "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
            "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512, _ => null,
        };
        if (ecHash is { } e)
        {
            using var ec = issuer.GetECDsaPublicKey();
            return ec is not null && ec.VerifyData(Tbs.Span, Signature, e, DSASignatureFormat.Rfc3279DerSequence);
        }
        return false;
    }

    public static DateTimeOffset ReadTime(AsnReader r) =>
        r.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? r.ReadUtcTime() : r.ReadGeneralizedTime();

    public static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);
}

/// <summary>A certificate revocation list: its issuer, validity and revoked serial numbers (hex, no leading zeros).</summary>
public sealed class RevocationList
{
    public required X500DistinguishedName Issuer { get; init; }
    public required DateTimeOffset ThisUpdate { get; init; }
    public DateTimeOffset? NextUpdate { get; init; }
    public required HashSet<string> RevokedSerials { get; init; }
    public required SignedAsn Signed { get; init; }
    public required string Source { get; init; }

    public static RevocationList Parse(byte[] der, string source)
    {
        var signed = SignedAsn.Parse(der);
        var tbs = new AsnReader(signed.Tbs, AsnEncodingRules.DER).ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer)) tbs.ReadInteger();
        tbs.ReadSequence();
        var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
        var thisUpdate = SignedAsn.ReadTime(tbs);
        DateTimeOffset? nextUpdate = tbs.HasData && SignedAsn.IsTime(tbs.PeekTag()) ? SignedAsn.ReadTime(tbs) : null;
        var revoked = new HashSet<string>(StringComparer.Ordinal);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                revoked.Add(SerialKey(entry.ReadIntegerBytes().Span));
            }
        }
        return new RevocationList { Issuer = issuer, ThisUpdate = thisUpdate, NextUpdate = nextUpdate, RevokedSerials = revoked, Signed = signed, Source = source };
    }

    public static string SerialKey(ReadOnlySpan<byte> serial)
    {
        var i = 0;
        while (i < serial.Length - 1 && serial[i] == 0) i++;
        return Convert.ToHexString(serial[i..]);
    }
}
