using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Ferry.Functional.Tests.Infrastructure;

/// <summary>Plain HTTP against the server, for checking the wire format byte for byte (no SDK in between).</summary>
public sealed class RawApi(FerryServer server) : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(server.Url) };
    private string? _token;

    public async Task<string> TokenAsync(string user = "root", string password = FerryServer.RootPassword)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, "/auth/userpass");
        req.Headers.Add("X-Rucio-Username", user);
        req.Headers.Add("X-Rucio-Password", password);
        using var resp = await _http.SendAsync(req);
        Assert.Equal(200, (int)resp.StatusCode);
        return resp.Headers.GetValues("X-Rucio-Auth-Token").Single();
    }

    public async Task<HttpResponseMessage> SendAsync(string method, string path, string? body = null, string? token = null, bool auth = true)
    {
        var req = new HttpRequestMessage(new HttpMethod(method), path);
        if (auth) req.Headers.Add("X-Rucio-Auth-Token", token ?? (_token ??= await TokenAsync()));
        // The Rucio client sends bodies with no Content-Type at all.
        if (body is not null)
        {
            req.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            req.Content.Headers.ContentType = null;
        }
        return await _http.SendAsync(req);
    }

    public async Task<JsonElement> JsonAsync(string method, string path, string? body = null)
    {
        using var resp = await SendAsync(method, path, body);
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.IsSuccessStatusCode, $"{method} {path} -> {(int)resp.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<List<JsonElement>> StreamAsync(string method, string path, string? body = null)
    {
        using var resp = await SendAsync(method, path, body);
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.IsSuccessStatusCode, $"{method} {path} -> {(int)resp.StatusCode}: {text}");
        Assert.Equal("application/x-json-stream", resp.Content.Headers.ContentType?.ToString());
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    /// <summary>Asserts a Rucio-style error: the status, the ExceptionClass header and body, and a message.</summary>
    public static async Task<string> AssertError(HttpResponseMessage resp, int status, string exceptionClass)
    {
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True((int)resp.StatusCode == status, $"expected {status} {exceptionClass}, got {(int)resp.StatusCode}: {text}");
        Assert.Equal(exceptionClass, resp.Headers.GetValues("ExceptionClass").Single());
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(exceptionClass, doc.RootElement.GetProperty("ExceptionClass").GetString());
        var message = doc.RootElement.GetProperty("ExceptionMessage").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message!;
    }

    public void Dispose() => _http.Dispose();
}

public static class ContentTypes
{
    public static string? Of(HttpResponseMessage r) => r.Content.Headers.ContentType is MediaTypeHeaderValue v ? v.ToString() : null;
}
