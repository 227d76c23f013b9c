using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json.Nodes;
using Ferry.Client.Settings;
using Ferry.Core.Errors;
using Polly;
using Polly.Retry;

namespace Ferry.Client.Http;

/// <summary>
/// The client SDK: the Rucio REST dialect over HTTP. It logs in with userpass, keeps the token, logs in again when the
/// server answers 401, and retries connection failures and 502/503/504 with capped exponential backoff.
/// Works against `ferry server` and against a Rucio server.
/// </summary>
public sealed partial class FerryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ClientSettings _settings;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private string? _token;
    /// <summary>Whether the server has Ferry's /ferry/ routes: unknown until a /ferry/ request was answered.</summary>
    private bool? _hasExtensions;

    public ClientSettings Settings => _settings;
    public string? Account { get; private set; }
    /// <summary>The token of the current session, once logged in; storage Ferry serves itself accepts it.</summary>
    public string? CurrentToken => _token;

    public FerryClient(ClientSettings settings, HttpMessageHandler? handler = null)
    {
        _settings = settings;
        _token = settings.Token;
        Account = settings.Account;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri(settings.Url + "/"), Timeout = TimeSpan.FromMinutes(10),
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("ferry-client/0.1");
        _retry = new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = 4, Delay = TimeSpan.FromMilliseconds(250), BackoffType = DelayBackoffType.Exponential, UseJitter = true,
            MaxDelay = TimeSpan.FromSeconds(10),
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>().Handle<HttpRequestException>()
                .HandleResult(r => r.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout),
        }).Build();
    }

    public FerryClient(string url, string account, string password) : this(new ClientSettings { Url = url.TrimEnd('/'), Account = account, Username = account, Password = password }) { }

    public async Task LoginAsync(CancellationToken ct = default)
    {
        if (_settings.Password is null)
            throw new FerryException("CannotAuthenticate", 401, $"No password or token for the client (settings from {_settings.Source}): set FERRY_PASSWORD or FERRY_TOKEN");
        using var resp = await _retry.ExecuteAsync(async t =>
        {
            var req = new HttpRequestMessage(HttpMethod.Get, "auth/userpass");
            req.Headers.Add("X-Rucio-Username", _settings.Username ?? _settings.Account ?? "root");
            req.Headers.Add("X-Rucio-Password", _settings.Password);
            if (_settings.Account is not null) req.Headers.Add("X-Rucio-Account", _settings.Account);
            return await SendRaw(req, t);
        }, ct);
        if (!resp.IsSuccessStatusCode) throw await ErrorFrom(resp);
        _token = resp.Headers.GetValues("X-Rucio-Auth-Token").First();
        Account = resp.Headers.TryGetValues("X-Rucio-Auth-Account", out var a) ? a.First() : _settings.Account;
    }

    /// <summary>Sends once, following 307/308 with the same method and body (see <see cref="Redirects"/>).</summary>
    private async Task<HttpResponseMessage> SendRaw(HttpRequestMessage req, CancellationToken ct)
    {
        // The body is kept before the first send: a redirect sends it again.
        var body = req.Content is null ? null : await req.Content.ReadAsByteArrayAsync(ct);
        var uri = req.RequestUri is { IsAbsoluteUri: true } abs ? abs : new Uri(_http.BaseAddress!, req.RequestUri!);
        req.RequestUri = uri;
        for (var hop = 0; ; hop++)
        {
            HttpResponseMessage resp;
            try { resp = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct); }
            catch (HttpRequestException e) when (e.InnerException is System.Net.Sockets.SocketException)
            {
                throw new HttpRequestException($"cannot reach the server at {_settings.Url}: {e.InnerException.Message}", e);
            }
            if (hop >= Redirects.MaxHops || Redirects.Target(resp.StatusCode, uri, resp.Headers.Location) is not { } target) return resp;
            resp.Dispose();
            req = Redirects.Resend(req, uri, target, body);
            uri = target;
        }
    }

    /// <summary>
    /// Sends an authenticated request; a 401 triggers one fresh login and a retry. A /ferry/ route the server does not
    /// have throws <see cref="FerryExtensions.Missing"/>, and later /ferry/ requests of this client throw it unsent.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, CancellationToken ct = default)
    {
        var extension = FerryExtensions.IsExtensionPath(path);
        if (extension && _hasExtensions == false) throw FerryExtensions.Missing(_settings.Url, path);
        if (_token is null) await LoginAsync(ct);
        for (var attempt = 0; ; attempt++)
        {
            var resp = await _retry.ExecuteAsync(async t =>
            {
                var req = new HttpRequestMessage(method, path.TrimStart('/'));
                req.Headers.Add("X-Rucio-Auth-Token", _token);
                if (Account is not null) req.Headers.Add("X-Rucio-Account", Account);
                if (body is not null)
                    req.Content = new ByteArrayContent(body is JsonNode n ? Encoding.UTF8.GetBytes(n.ToJsonString()) : JsonSerializer.SerializeToUtf8Bytes(body, Json.Options));
                return await SendRaw(req, t);
            }, ct);
            if (resp.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && _settings.Password is not null)
            {
                var error = await ErrorFrom(resp);
                resp.Dispose();
                if (error.ExceptionClass is "AccessDenied" or "UnsupportedOperation") throw error;
                await LoginAsync(ct);
                continue;
            }
            if (extension && FerryExtensions.IsMissingRoute((int)resp.StatusCode, resp.Headers.Contains("ExceptionClass")))
            {
                resp.Dispose();
                _hasExtensions = false;
                throw FerryExtensions.Missing(_settings.Url, path);
            }
            if (extension && resp.IsSuccessStatusCode) _hasExtensions = true;
            return resp;
        }
    }

    public async Task<JsonElement> JsonAsync(HttpMethod method, string path, object? body = null, CancellationToken ct = default)
    {
        using var resp = await SendAsync(method, path, body, ct);
        if (!resp.IsSuccessStatusCode) throw await ErrorFrom(resp);
        var text = await resp.Content.ReadAsStringAsync(ct);
        return text.Length == 0 ? default : Json.ParseValueOrLines(text);
    }

    public async Task NoContentAsync(HttpMethod method, string path, object? body = null, CancellationToken ct = default)
    {
        using var resp = await SendAsync(method, path, body, ct);
        if (!resp.IsSuccessStatusCode) throw await ErrorFrom(resp);
    }

    /// <summary>Newline-delimited JSON, one element per line, read as it arrives.</summary>
    public IAsyncEnumerable<JsonElement> StreamAsync(HttpMethod method, string path, object? body = null, CancellationToken ct = default) =>
        LinesAsync(method, path, body, Json.Parse, ct);

    public Task<List<JsonElement>> ListAsync(HttpMethod method, string path, object? body = null, CancellationToken ct = default) =>
        ToListAsync(StreamAsync(method, path, body, ct));

    /// <summary>One dialect object, read with its record's generated metadata (<see cref="Ferry.Core.Dialect.DialectJson"/>).</summary>
    public async Task<T> GetAsync<T>(HttpMethod method, string path, JsonTypeInfo<T> info, object? body = null, CancellationToken ct = default)
    {
        using var resp = await SendAsync(method, path, body, ct);
        if (!resp.IsSuccessStatusCode) throw await ErrorFrom(resp);
        return Json.Read(await resp.Content.ReadAsStringAsync(ct), info) ?? throw new FerryApiException("DataIdentifierNotFound", 404, $"{path} answered null");
    }

    /// <summary>A dialect listing (newline-delimited JSON) as records, read as it arrives.</summary>
    public IAsyncEnumerable<T> StreamAsync<T>(HttpMethod method, string path, JsonTypeInfo<T> info, object? body = null, CancellationToken ct = default) =>
        LinesAsync(method, path, body, line => Json.Read(line, info)!, ct);

    public Task<List<T>> ListAsync<T>(HttpMethod method, string path, JsonTypeInfo<T> info, object? body = null, CancellationToken ct = default) =>
        ToListAsync(StreamAsync(method, path, info, body, ct));

    /// <summary>The one reader of newline-delimited answers, typed or not: each non-empty line as it arrives.</summary>
    private async IAsyncEnumerable<T> LinesAsync<T>(HttpMethod method, string path, object? body, Func<string, T> read,
        [EnumeratorCancellation] CancellationToken ct)
    {
        using var resp = await SendAsync(method, path, body, ct);
        if (!resp.IsSuccessStatusCode) throw await ErrorFrom(resp);
        using var reader = new StreamReader(await resp.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
            if (line.Length > 0) yield return read(line);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items) list.Add(item);
        return list;
    }

    /// <summary>Rucio puts the error in the body first and the headers second; both are read (<see cref="ErrorAnswers"/>).</summary>
    public static async Task<FerryApiException> ErrorFrom(HttpResponseMessage resp)
    {
        var status = (int)resp.StatusCode;
        string? text;
        try { text = await resp.Content.ReadAsStringAsync(); }
        catch (HttpRequestException) { text = null; }
        string? Header(string name) => resp.Headers.TryGetValues(name, out var v) ? v.First() : null;
        var (cls, message) = ErrorAnswers.Read(status, resp.ReasonPhrase, text, Header("ExceptionClass"), Header("ExceptionMessage"),
            resp.RequestMessage?.Method.Method, resp.RequestMessage?.RequestUri?.AbsolutePath);
        return new FerryApiException(cls, status, message);
    }

    /// <summary>
    /// Whether the server has Ferry's /ferry/ API (a Ferry server) or not (Rucio), asked once per client with a request
    /// every Ferry answers: the permission table.
    /// </summary>
    public async Task<bool> HasFerryExtensionsAsync(CancellationToken ct = default)
    {
        if (_hasExtensions is { } known) return known;
        try
        {
            using var resp = await SendAsync(HttpMethod.Get, "ferry/permissions", ct: ct);
            _hasExtensions = resp.IsSuccessStatusCode;
        }
        catch (FerryApiException e) when (e.ExceptionClass == FerryExtensions.MissingCapability) { }
        return _hasExtensions ?? false;
    }

    public static string Escape(string segment) => Uri.EscapeDataString(segment);

    public void Dispose() => _http.Dispose();
}

/// <summary>JSON as the dialect writes it; Rucio's Python server may emit the bare token Infinity for unlimited quotas.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static JsonElement Parse(string text) => JsonDocument.Parse(QuoteInfinity(text)).RootElement.Clone();

    /// <summary>One value read into a dialect record, Rucio's bare Infinity included (records read it as a string).</summary>
    public static T? Read<T>(string text, JsonTypeInfo<T> info) => JsonSerializer.Deserialize(QuoteInfinity(text), info);

    // Python's json.dumps writes Infinity; turn it into a JSON string so System.Text.Json can read the document.
    private static string QuoteInfinity(string text) => !text.Contains("Infinity", StringComparison.Ordinal) ? text
        : System.Text.RegularExpressions.Regex.Replace(text, @"(?<=[:\[,]\s*)-?Infinity(?=\s*[,}\]])", m => $"\"{m.Value}\"");

    /// <summary>
    /// One JSON value, or newline-delimited values read as one array: where Ferry answers a JSON list Rucio may stream
    /// the same items one a line (an account's identities).
    /// </summary>
    public static JsonElement ParseValueOrLines(string text)
    {
        try { return Parse(text); }
        catch (JsonException) when (text.Contains('\n'))
        {
            var items = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();
            return JsonSerializer.SerializeToElement(items);
        }
    }

    public static string? Str(this JsonElement e, string key) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static long? Long(this JsonElement e, string key) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
}
