using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ferry.Functional.Tests.Security;

/// <summary>
/// A small grid PKI made by the test itself: a CA (with a CRL), the server's certificate, user certificates (good,
/// revoked, expired), an RFC 3820 proxy signed by a user certificate, and a certificate from a CA the server does not
/// trust. Everything is written as PEM files in <see cref="Dir"/>.
/// </summary>
public sealed class TestPki
{
    public string Dir { get; }
    public string CaFile => Path.Combine(Dir, "ca.pem");
    public string CrlFile => Path.Combine(Dir, "ca.crl.pem");
    public string ServerCert => Path.Combine(Dir, "server.pem");
    public string ServerKey => Path.Combine(Dir, "server.key");
    public X509Certificate2 Ca { get; }
    private readonly RSA _caKey;
    private readonly X509Certificate2 _caWithKey;

    private TestPki(string dir, string caName)
    {
        Dir = dir;
        _caKey = RSA.Create(2048);
        var name = Name(b => { b.AddDomainComponent("org"); b.AddDomainComponent("ferrytest"); b.AddCommonName(caName); });
        var req = new CertificateRequest(name, _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        _caWithKey = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-120), DateTimeOffset.UtcNow.AddYears(1));
        Ca = X509CertificateLoader.LoadCertificate(_caWithKey.RawData);
        File.WriteAllText(CaFile, Ca.ExportCertificatePem());
    }

    public static TestPki Create(string dir, string caName = "Ferry Test CA")
    {
        Directory.CreateDirectory(dir);
        var pki = new TestPki(dir, caName);
        pki.Issue("server", b => b.AddCommonName("localhost"), server: true); // server.pem, server.key
        return pki;
    }

    public sealed record Issued(X509Certificate2 Cert, string CertFile, string KeyFile);

    /// <summary>A user certificate under DC=org/DC=ferrytest/OU=Users.</summary>
    public Issued User(string file, string commonName, DateTimeOffset? notAfter = null) =>
        Issue(file, b => { b.AddDomainComponent("org"); b.AddDomainComponent("ferrytest"); b.AddOrganizationalUnitName("Users"); b.AddCommonName(commonName); },
            notAfter: notAfter);

    /// <summary>Writes the CA's CRL listing <paramref name="revoked"/>.</summary>
    public void WriteCrl(params X509Certificate2[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var c in revoked) builder.AddEntry(c, DateTimeOffset.UtcNow.AddMinutes(-5));
        var der = builder.Build(_caWithKey, BigInteger.One, DateTimeOffset.UtcNow.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        File.WriteAllText(CrlFile, PemEncoding.WriteString("X509 CRL", der));
    }

    /// <summary>
    /// A proxy of <paramref name="user"/>; with <paramref name="rfc3820"/> false a legacy Globus proxy (CN=proxy, no proxyCertInfo).
    /// An RFC 3820 proxy of <paramref name="user"/>: named after it plus CN=&lt;number&gt;, with a critical proxyCertInfo
    /// (inherit all), signed by the user's key. The cert file holds the proxy then the user certificate, as voms-proxy-init writes it.
    /// </summary>
    public Issued Proxy(string file, Issued user, RSA userKey, bool rfc3820 = true)
    {
        var key = RSA.Create(2048);
        var serial = RandomNumberGenerator.GetInt32(100_000, int.MaxValue);
        var names = user.Cert.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).Select(r => r.RawData.ToArray()).ToList();
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var rdn in names) writer.WriteEncodedValue(rdn);
            using (writer.PushSetOf())
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("2.5.4.3");
                writer.WriteCharacterString(UniversalTagNumber.UTF8String, rfc3820 ? serial.ToString(System.Globalization.CultureInfo.InvariantCulture) : "proxy");
            }
        }
        var subject = new X500DistinguishedName(writer.Encode());
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var info = new AsnWriter(AsnEncodingRules.DER);
        using (info.PushSequence())
        using (info.PushSequence())
            info.WriteObjectIdentifier("1.3.6.1.5.5.7.21.1");
        if (rfc3820) req.CertificateExtensions.Add(new X509Extension("1.3.6.1.5.5.7.1.14", info.Encode(), true));
        var proxy = req.Create(user.Cert.SubjectName, X509SignatureGenerator.CreateForRSA(userKey, RSASignaturePadding.Pkcs1),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12), BitConverter.GetBytes(serial).Reverse().ToArray());
        return Write(file, proxy, key, user.Cert);
    }

    public RSA KeyOf(Issued issued) { var k = RSA.Create(); k.ImportFromPem(File.ReadAllText(issued.KeyFile)); return k; }

    private Issued Issue(string file, Action<X500DistinguishedNameBuilder> name, bool server = false, DateTimeOffset? notAfter = null)
    {
        var key = RSA.Create(2048);
        var req = new CertificateRequest(Name(name), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            san.AddDnsName("localhost");
            req.CertificateExtensions.Add(san.Build());
        }
        var end = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        var cert = req.Create(_caWithKey, end.AddDays(-60), end, RandomNumberGenerator.GetBytes(12).Prepend((byte)0x11).ToArray());
        return Write(file, cert, key);
    }

    private Issued Write(string file, X509Certificate2 cert, RSA key, params X509Certificate2[] chain)
    {
        var certFile = Path.Combine(Dir, file + ".pem");
        var keyFile = Path.Combine(Dir, file + ".key");
        File.WriteAllText(certFile, cert.ExportCertificatePem() + "\n" + string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n")));
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return new Issued(cert, certFile, keyFile);
    }

    private static X500DistinguishedName Name(Action<X500DistinguishedNameBuilder> build)
    {
        var b = new X500DistinguishedNameBuilder();
        build(b);
        return b.Build();
    }
}
