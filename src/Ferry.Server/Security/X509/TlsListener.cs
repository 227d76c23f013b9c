using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Security.X509;

/// <summary>
/// The HTTPS listener. Client certificates are requested but not required (userpass and bearer tokens work over HTTPS
/// too); a presented chain is checked once per connection by <see cref="ClientCertificateValidator"/>, with the
/// intermediate and proxy certificates the client sent, and the outcome kept with the connection for /auth/x509.
/// A refused certificate does not break the handshake, so the client gets a Rucio error that says why.
/// </summary>
public static class TlsListener
{
    private const string ItemKey = "ferry.x509";

    public static void Listen(KestrelServerOptions kestrel, SecurityOptions options, System.Net.IPAddress ip, int port)
    {
        var serverCerts = new X509Certificate2Collection();
        serverCerts.ImportFromPemFile(options.TlsCert!);
        var leaf = X509Certificate2.CreateFromPemFile(options.TlsCert!, options.TlsKey!);
        var context = SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(serverCerts.Skip(1).ToArray()), offline: true);
        kestrel.Listen(ip, port, listen => listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = hello =>
            {
                var connection = hello.Connection;
                var validator = kestrel.ApplicationServices.GetRequiredService<ClientCertificateValidator>();
                return ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = context,
                    ClientCertificateRequired = true,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = (_, cert, chain, _) =>
                    {
                        if (cert is null) return true;
                        var leafCert = cert as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
                        var presented = new List<X509Certificate2> { leafCert };
                        if (chain is not null) presented.AddRange(chain.ChainPolicy.ExtraStore.Where(c => !c.RawData.AsSpan().SequenceEqual(leafCert.RawData)));
                        try { connection.Items[ItemKey] = validator.Validate(leafCert, presented); }
                        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or System.Formats.Asn1.AsnContentException or ArgumentException)
                        {
                            connection.Items[ItemKey] = CertificateCheck.Refused($"the certificate could not be verified ({e.Message})");
                        }
                        return true;
                    },
                });
            },
        }));
    }

    /// <summary>The check of the certificate presented on this request's connection, or null when none was presented.</summary>
    public static CertificateCheck? Of(HttpContext ctx) =>
        ctx.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out var v) == true ? v as CertificateCheck : null;
}
