using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Ferry.Bench.VsRucio;

/// <summary>Who logs in: the account and its userpass identity.</summary>
internal sealed record Login(string Account, string Username, string Password)
{
    /// <summary>"account:username:password"; a value without colons is rejected so a typo cannot log in as someone else.</summary>
    public static Login Parse(string text) => text.Split(':', 3) is [var a, var u, var p]
        ? new Login(a, u, p) : throw new ArgumentException($"a login is account:username:password, not '{text}'");
}

/// <summary>What one streamed answer held: its line count, and its first line to check (never the whole answer).</summary>
internal readonly record struct StreamedAnswer(long Lines, string FirstLine);

/// <summary>
/// One HTTP client per server, the same code for Ferry and for Rucio so that the client's own cost is identical on
/// both sides. Requests go one at a time on one keep-alive connection, as Rucio's own client sends them.
/// </summary>
internal sealed class DialectClient : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private readonly HttpClient _http;
    private string _token = "";

    public string Label { get; }
    public Login Login { get; }

    private DialectClient(string label, string url, Login login)
    {
        Label = label;
        Login = login;
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(30), UseCookies = false };
        // Rucio's rule on 100,000 files takes minutes: no client-side limit may cut a step short.
        _http = new HttpClient(handler) { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public static async Task<DialectClient> ConnectAsync(string label, string url, Login login)
    {
        var client = new DialectClient(label, url, login);
        await client.AuthenticateAsync();
        return client;
    }

    /// <summary>GET /auth/userpass; a fresh token per run, so a run never meets an expired one (Rucio's last an hour).</summary>
    public async Task AuthenticateAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "auth/userpass");
        request.Headers.Add("X-Rucio-Account", Login.Account);
        request.Headers.Add("X-Rucio-Username", Login.Username);
        request.Headers.Add("X-Rucio-Password", Login.Password);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || !response.Headers.TryGetValues("X-Rucio-Auth-Token", out var tokens))
            throw new BenchFailure($"{Label}: GET /auth/userpass -> {(int)response.StatusCode} {Short(body)}");
        _token = tokens.First();
    }

    /// <summary>Sends a request whose answer is small, reads all of it, and fails the bench on an unexpected status.</summary>
    public async Task<string> SendAsync(HttpMethod method, string path, byte[]? body, params HttpStatusCode[] expected)
    {
        using var request = Request(method, path, body);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        var text = await response.Content.ReadAsStringAsync();
        if (!expected.Contains(response.StatusCode))
            throw new BenchFailure($"{Label}: {method} /{path} -> {(int)response.StatusCode} {Header(response, "ExceptionClass")} {Short(text)}");
        return text;
    }

    /// <summary>
    /// Sends a request whose answer is a stream of JSON lines and reads it to its last byte, counting lines without
    /// parsing them: the client's share of the time stays small and equal on both servers.
    /// </summary>
    public async Task<StreamedAnswer> StreamAsync(HttpMethod method, string path, byte[]? body)
    {
        using var request = Request(method, path, body);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-json-stream"));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var text = await response.Content.ReadAsStringAsync();
            throw new BenchFailure($"{Label}: {method} /{path} -> {(int)response.StatusCode} {Header(response, "ExceptionClass")} {Short(text)}");
        }
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        var first = new MemoryStream();
        var inFirst = true;
        long lines = 0;
        var lastByte = (byte)'\n';
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            var chunk = buffer.AsSpan(0, read);
            if (inFirst)
            {
                var end = chunk.IndexOf((byte)'\n');
                first.Write(end < 0 ? chunk : chunk[..end]);
                inFirst = end < 0;
            }
            lines += chunk.Count((byte)'\n');
            lastByte = chunk[^1];
        }
        if (lastByte != (byte)'\n') lines++;
        return new StreamedAnswer(lines, Encoding.UTF8.GetString(first.ToArray()));
    }

    private HttpRequestMessage Request(HttpMethod method, string path, byte[]? body)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Rucio-Auth-Token", _token);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = JsonType;
        }
        return request;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    private static string Short(string text) => text.Length > 400 ? text[..400] + "…" : text;

    public void Dispose() => _http.Dispose();
}

/// <summary>A server answered wrongly: the bench stops rather than time a broken answer.</summary>
internal sealed class BenchFailure(string message) : Exception(message);
