using System.Text.Json;

namespace Ferry.Client.Http;

/// <summary>
/// Reads an error answer the way Rucio's own client does: ExceptionClass and ExceptionMessage from the JSON body first,
/// then from the headers of the same names (Rucio cuts the header message at 125 characters, so the body wins). An
/// answer with neither (a web server's HTML 404 or 405 for a route it does not have) gets a message that names the
/// request, never a bare status.
/// </summary>
public static partial class ErrorAnswers
{
    public static (string Class, string Message) Read(int status, string? reason, string? body, string? headerClass, string? headerMessage,
        string? method = null, string? path = null)
    {
        string? cls = null, message = null;
        var text = body?.TrimStart();
        if (text is { Length: > 0 } && text[0] == '{')
        {
            try
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    cls = Field(doc.RootElement, "ExceptionClass");
                    message = Field(doc.RootElement, "ExceptionMessage");
                }
            }
            catch (JsonException) { }
        }
        cls ??= Blank(headerClass);
        message ??= Blank(headerMessage);
        var request = method is null || path is null ? "" : $"{method} /{path.TrimStart('/')}";
        if (cls is null)
        {
            cls = $"HTTP{status}";
            var what = string.IsNullOrEmpty(reason) ? $"HTTP {status}" : $"HTTP {status} {reason}";
            message ??= status is 404 or 405 && request.Length > 0
                ? $"the server has no route for {request} ({what})"
                : request.Length > 0 ? $"{what} for {request}" : what;
        }
        return (cls, OneLine(message ?? reason ?? "request failed"));
    }

    /// <summary>Rucio's messages may span lines (a schema error quotes the schema); errors are printed one a line.</summary>
    public static string OneLine(string message) => WhiteSpace().Replace(message.Trim(), " ");

    [System.Text.RegularExpressions.GeneratedRegex(@"\s+")] private static partial System.Text.RegularExpressions.Regex WhiteSpace();

    private static string? Field(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => Blank(v.GetString()),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => v.GetRawText(),
        } : null;

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
