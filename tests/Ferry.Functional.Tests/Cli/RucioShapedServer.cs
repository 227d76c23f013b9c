using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Ferry.Functional.Tests.Cli;

/// <summary>
/// A listener that answers a few requests the way the real Rucio 41 server does (recorded with curl against it): 308 to
/// the trailing-slash spelling of a route, a Werkzeug HTML 404 for routes it lacks (every /ferry/ one), errors with
/// ExceptionClass/ExceptionMessage in headers and body, and a userpass login as ddmlab. CI cannot run Rucio; Ferry never
/// answers like this, so this is how the client's handling of those answers is pinned. It is reached as 127.0.0.1 and
/// as localhost: the same listener, two origins.
/// </summary>
internal sealed class RucioShapedServer : IDisposable
{
    private readonly HttpListener _listener = new();
    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public const string Token = "root-ddmlab-rucio-token";
    /// <summary>Every request: host, method, path, the token header (or null), the body.</summary>
    public ConcurrentQueue<(string Host, string Method, string Path, string? Token, string Body)> Seen { get; } = new();

    public RucioShapedServer()
    {
        Port = Infrastructure.FerryServer.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Prefixes.Add($"http://localhost:{Port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); } catch (HttpListenerException) { return; } catch (ObjectDisposedException) { return; } catch (InvalidOperationException) { return; }
            try { await AnswerAsync(ctx); } catch (HttpListenerException) { } finally { ctx.Response.Close(); }
        }
    }

    private async Task AnswerAsync(HttpListenerContext ctx)
    {
        var req = ctx.Request;
        var body = await new StreamReader(req.InputStream).ReadToEndAsync();
        var path = req.Url!.AbsolutePath;
        var token = req.Headers["X-Rucio-Auth-Token"];
        Seen.Enqueue((req.Url.Host, req.HttpMethod, path, token, body));
        var res = ctx.Response;
        if (path == "/auth/userpass")
        {
            if (req.Headers["X-Rucio-Username"] == "ddmlab" && req.Headers["X-Rucio-Password"] == "secret")
            {
                res.Headers["X-Rucio-Auth-Token"] = Token;
                return;
            }
            await Error(res, 401, "CannotAuthenticate", "Cannot authenticate to account root with given credentials");
            return;
        }
        if (token != Token) { await Error(res, 401, "CannotAuthenticate", "Cannot authenticate with given credentials"); return; }
        switch (req.HttpMethod, path)
        {
            case (_, var p) when p.StartsWith("/ferry/", StringComparison.Ordinal):
                res.StatusCode = 404;
                res.ContentType = "text/html; charset=utf-8";
                await Write(res, "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server.</p>\n");
                return;
            case ("GET", "/scopes/owner"):
            case ("GET", "/rses/"):
                res.StatusCode = 308;
                // Werkzeug writes an absolute Location; the /rses/ one points at the other origin of the same listener.
                res.Headers["Location"] = path == "/rses/" ? $"http://localhost:{Port}/rses" : $"http://127.0.0.1:{Port}{path}/";
                return;
            case ("POST", "/rules/"):
                // The client already spells this route as Rucio does; a relative 307 elsewhere pins that a POST keeps its body.
                res.StatusCode = 307;
                res.Headers["Location"] = "/rules/moved";
                return;
            case ("GET", "/scopes/owner/"):
                await Write(res, """[{"scope": "user.root", "account": "root"}]""", "application/json");
                return;
            case ("POST", "/rules/moved"):
                res.StatusCode = 201;
                await Write(res, """["4aeb0a36c78d4ed7a288c15c7a74d6a7"]""", "application/json");
                return;
            case ("GET", "/dids/user.root/missing"):
                await Error(res, 404, "DataIdentifierNotFound", "Data identifier 'user.root:missing' not found");
                return;
            default:
                await Error(res, 500, "RucioException", $"not recorded: {req.HttpMethod} {path}");
                return;
        }
    }

    private static async Task Error(HttpListenerResponse res, int status, string cls, string message)
    {
        res.StatusCode = status;
        res.Headers["ExceptionClass"] = cls;
        res.Headers["ExceptionMessage"] = message;
        await Write(res, $$"""{"ExceptionClass": "{{cls}}", "ExceptionMessage": "{{message}}"}""", "application/octet-stream");
    }

    private static async Task Write(HttpListenerResponse res, string text, string? type = null)
    {
        if (type is not null) res.ContentType = type;
        var bytes = Encoding.UTF8.GetBytes(text);
        res.ContentLength64 = bytes.Length;
        await res.OutputStream.WriteAsync(bytes);
    }

    public void Dispose() => _listener.Close();
}
