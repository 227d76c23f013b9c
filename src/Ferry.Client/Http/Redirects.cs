using System.Net;

namespace Ferry.Client.Http;

/// <summary>
/// Which redirects the SDK follows and how. Rucio's Flask server answers 308 when a route is spelled with or without
/// its trailing slash the other way round (GET /scopes/owner goes to /scopes/owner/), so a client that stops at 3xx
/// cannot list scopes there. Only 307 and 308 are followed: they promise the same method and body at the new place;
/// 301/302/303 would turn a POST into a GET, and the dialect uses 303 for whoami's answer.
/// </summary>
public static class Redirects
{
    /// <summary>More hops than any route spelling needs; a loop ends here instead of spinning.</summary>
    public const int MaxHops = 5;

    /// <summary>Where to send the same request again, or null when the answer is not a redirect to follow.</summary>
    public static Uri? Target(HttpStatusCode status, Uri requestUri, Uri? location)
    {
        if (status is not (HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect) || location is null) return null;
        var target = location.IsAbsoluteUri ? location : new Uri(requestUri, location);
        return target.Scheme is "http" or "https" ? target : null;
    }

    /// <summary>Credentials (the token, the password, the account) go only to the same scheme, host and port.</summary>
    public static bool KeepsCredentials(Uri from, Uri to) =>
        Uri.Compare(from, to, UriComponents.SchemeAndServer, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>Headers that carry who the caller is; dropped when a redirect leaves the server.</summary>
    public static bool IsCredential(string header) =>
        header.StartsWith("X-Rucio-", StringComparison.OrdinalIgnoreCase) || header.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
        || header.Equals("Cookie", StringComparison.OrdinalIgnoreCase);

    /// <summary>The same method, body and content headers at <paramref name="target"/>; other headers as <see cref="KeepsCredentials"/> allows.</summary>
    public static HttpRequestMessage Resend(HttpRequestMessage original, Uri from, Uri target, byte[]? body)
    {
        var next = new HttpRequestMessage(original.Method, target) { Version = original.Version };
        var keep = KeepsCredentials(from, target);
        foreach (var (name, values) in original.Headers)
            if (keep || !IsCredential(name)) next.Headers.TryAddWithoutValidation(name, values);
        if (body is not null)
        {
            next.Content = new ByteArrayContent(body);
            if (original.Content is not null)
                foreach (var (name, values) in original.Content.Headers)
                    if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) next.Content.Headers.TryAddWithoutValidation(name, values);
        }
        return next;
    }
}
