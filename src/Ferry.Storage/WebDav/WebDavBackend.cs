using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml.Linq;

namespace Ferry.Storage.WebDav;

/// <summary>
/// WebDAV over HTTP(S): nginx dav, XrdHttp, dCache, Ferry's own storage endpoint. Ranged GET, PUT with parents
/// created on demand (MKCOL), MOVE for the rename after verification, and the RFC 3230 <c>Want-Digest</c> header
/// for a server-side adler32 where the server offers one.
/// Credentials: <c>user</c>+<c>password</c> (basic) or <c>token</c> (a Rucio/Ferry auth token).
/// </summary>
public sealed class WebDavBackend : IStorageBackend, IServerSideChecksum, IRangedRead
{
    private static readonly HttpMethod Propfind = new("PROPFIND"), Mkcol = new("MKCOL"), Move = new("MOVE");
    private static readonly XNamespace Dav = "DAV:";
    private readonly HttpClient _http;
    private readonly string _base;
    private readonly TimeSpan _operationTimeout = TimeSpan.FromSeconds(60);
    private bool _digestUnsupported;

    public WebDavBackend(ProtocolSpec protocol, IReadOnlyDictionary<string, string> credentials)
    {
        Scheme = protocol.Scheme;
        var web = protocol.Scheme is "davs" or "https" ? "https" : "http";
        _base = protocol.Port == 0 ? $"{web}://{protocol.Hostname}" : $"{web}://{protocol.Hostname}:{protocol.Port}";
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 64,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (credentials.GetValueOrDefault("insecure") == "true")
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        if (credentials.TryGetValue("user", out var user))
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + credentials.GetValueOrDefault("password", ""))));
        if (credentials.TryGetValue("token", out var token))
            _http.DefaultRequestHeaders.Add("X-Rucio-Auth-Token", token);
    }

    public string Scheme { get; }
    public string Algorithm => "adler32";

    /// <summary>The HTTP URL of a PFN, each path segment percent-encoded.</summary>
    public string Url(string pfn)
    {
        var parts = PfnParts.Parse(pfn);
        return _base + string.Join('/', parts.Path.Split('/').Select(Uri.EscapeDataString));
    }

    public async Task<StorageObject?> StatAsync(string pfn, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Head, Url(pfn)), pfn, ct, allowNotFound: true);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        return new StorageObject(response.Content.Headers.ContentLength ?? throw new StorageException($"{pfn}: the server gave no Content-Length", permanent: false),
            response.Content.Headers.LastModified);
    }

    public async Task<StorageChecksum?> ChecksumAsync(string pfn, CancellationToken ct)
    {
        if (_digestUnsupported) return null;
        var request = new HttpRequestMessage(HttpMethod.Head, Url(pfn));
        request.Headers.Add("Want-Digest", "adler32");
        using var response = await SendAsync(request, pfn, ct, allowNotFound: true);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (response.Headers.TryGetValues("Digest", out var digests))
            foreach (var item in digests.SelectMany(d => d.Split(',')))
            {
                var eq = item.IndexOf('=');
                if (eq > 0 && item[..eq].Trim().Equals("adler32", StringComparison.OrdinalIgnoreCase))
                    return new StorageChecksum("adler32", item[(eq + 1)..].Trim().PadLeft(8, '0').ToLowerInvariant(), response.Content.Headers.ContentLength);
            }
        _digestUnsupported = true;
        return null;
    }

    public async Task<Stream> OpenReadAsync(string pfn, long offset, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url(pfn));
        if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
        var response = await SendAsync(request, pfn, ct, allowNotFound: false, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync(ct);
        // A server that ignores Range answers 200 with the whole object: skip to the offset ourselves.
        if (offset > 0 && response.StatusCode == HttpStatusCode.OK) await SkipAsync(body, offset, ct);
        return new IdleTimeoutStream(body, response, _operationTimeout, pfn);
    }

    public async Task<Stream> OpenRangeAsync(string pfn, long offset, long length, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var request = new HttpRequestMessage(HttpMethod.Get, Url(pfn));
        request.Headers.Range = new RangeHeaderValue(offset, offset + length - 1);
        var response = await SendAsync(request, pfn, ct, allowNotFound: false, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange is not { } range
            || range.From != offset || range.To != offset + length - 1)
        {
            response.Dispose();
            throw new StorageException($"GET {pfn} bytes {offset}-{offset + length - 1}: the server did not answer with that range", permanent: false);
        }
        return new IdleTimeoutStream(await response.Content.ReadAsStreamAsync(ct), response, _operationTimeout, pfn);
    }

    public async Task<StorageChecksum?> WriteAsync(string pfn, Stream content, long? length, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, Url(pfn)) { Content = new StreamContent(content, 1 << 20) };
            if (length is { } n) request.Content.Headers.ContentLength = n;
            // Lets a server refuse (409: no parent collection) before we send the body, so the body can still be sent after MKCOL.
            request.Headers.ExpectContinue = true;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_operationTimeout + TimeSpan.FromSeconds((length ?? 0) / (1 << 20)));
            HttpResponseMessage response;
            try { response = await _http.SendAsync(request, timeout.Token); }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                throw new StorageException($"PUT {pfn}: {Describe(e)}", permanent: false, e);
            }
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Conflict && attempt == 0 && Untouched.Stream(content))
                {
                    await MakeDirectoryAsync(pfn[..(pfn.LastIndexOf('/') + 1)], ct);
                    continue;
                }
                await EnsureSuccessAsync(response, "PUT", pfn, ct);
                return null;
            }
        }
    }

    public async Task MoveAsync(string fromPfn, string toPfn, CancellationToken ct)
    {
        var request = new HttpRequestMessage(Move, Url(fromPfn));
        request.Headers.Add("Destination", Url(toPfn));
        request.Headers.Add("Overwrite", "T");
        using var _ = await SendAsync(request, fromPfn, ct, allowNotFound: false);
    }

    public async Task DeleteAsync(string pfn, CancellationToken ct)
    {
        using var _ = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, Url(pfn)), pfn, ct, allowNotFound: true);
    }

    public async Task MakeDirectoryAsync(string directoryPfn, CancellationToken ct)
    {
        var path = PfnParts.Parse(directoryPfn).Path.TrimEnd('/');
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var root = PfnParts.Parse(directoryPfn).Root;
        for (var i = 1; i <= segments.Length; i++)
        {
            var dir = root + "/" + string.Join('/', segments.Take(i)) + "/";
            using var response = await SendRawAsync(new HttpRequestMessage(Mkcol, Url(dir)), dir, ct);
            // 405: exists already; 409 cannot happen as parents are made first; anything else is a real error.
            if (response.IsSuccessStatusCode || response.StatusCode is HttpStatusCode.MethodNotAllowed) continue;
            await EnsureSuccessAsync(response, "MKCOL", dir, ct);
        }
    }

    public async IAsyncEnumerable<string> ListAsync(string directoryPfn, [EnumeratorCancellation] CancellationToken ct)
    {
        var pending = new Queue<string>([directoryPfn.TrimEnd('/') + "/"]);
        var root = PfnParts.Parse(directoryPfn).Root;
        while (pending.TryDequeue(out var dir))
        {
            var request = new HttpRequestMessage(Propfind, Url(dir));
            request.Headers.Add("Depth", "1");
            using var response = await SendAsync(request, dir, ct, allowNotFound: true);
            if (response.StatusCode == HttpStatusCode.NotFound) continue;
            var doc = XDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var self = PfnParts.Parse(dir).Path;
            foreach (var r in doc.Descendants(Dav + "response"))
            {
                var href = Uri.UnescapeDataString(r.Element(Dav + "href")?.Value ?? "");
                if (href.StartsWith("http", StringComparison.Ordinal)) href = new Uri(href).AbsolutePath is var p ? Uri.UnescapeDataString(p) : href;
                if (href.TrimEnd('/') == self.TrimEnd('/')) continue;
                var isCollection = r.Descendants(Dav + "collection").Any();
                if (isCollection) pending.Enqueue(root + href.TrimEnd('/') + "/");
                else yield return root + href;
            }
        }
    }

    private static async Task SkipAsync(Stream body, long count, CancellationToken ct)
    {
        var buffer = new byte[81920];
        while (count > 0)
        {
            var n = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), ct);
            if (n == 0) throw new StorageException("the object is shorter than the requested offset", permanent: true);
            count -= n;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string pfn, CancellationToken ct, bool allowNotFound,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var method = request.Method.Method;
        var response = await SendRawAsync(request, pfn, ct, completion);
        if (allowNotFound && response.StatusCode == HttpStatusCode.NotFound) return response;
        await EnsureSuccessAsync(response, method, pfn, ct);
        return response;
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, string pfn, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_operationTimeout);
        try { return await _http.SendAsync(request, completion, timeout.Token); }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new StorageException($"{request.Method} {pfn}: {Describe(e)}", permanent: false, e);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string method, string pfn, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = "";
        try { body = (await response.Content.ReadAsStringAsync(ct)).Trim(); } catch (HttpRequestException) { }
        if (body.Length > 200 || body.StartsWith('<')) body = "";
        var code = (int)response.StatusCode;
        response.Dispose();
        var permanent = code is 400 or 401 or 403 or 404 or 405 or 409 or 411 or 412 or 413 or 414 or 501;
        var what = code switch
        {
            401 or 403 => "the storage refused the credentials",
            404 => "no such object",
            405 or 501 => "the server does not support this WebDAV operation",
            507 => "the storage is full",
            _ => response.ReasonPhrase ?? "error",
        };
        throw new StorageException($"{method} {pfn}: HTTP {code}, {what}{(body.Length > 0 ? ": " + body : "")}", permanent);
    }

    private static string Describe(Exception e) => e is OperationCanceledException ? "timed out" : e.InnerException?.Message ?? e.Message;
}
