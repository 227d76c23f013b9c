using System.Text;

namespace Ferry.Functional.Tests.Fuzz;

/// <summary>How the request authenticates: the point of a token defect is that it must be refused.</summary>
public enum TokenKind { Admin, User, None, Empty, Garbage, Expired, Huge }

/// <summary>One generated request: everything needed to send it again (printed with every failure).</summary>
public sealed record FuzzRequest(int Index, string Method, string Template, string Path, TokenKind Token, string? ContentType, byte[]? Body, string Defects)
{
    public string Describe()
    {
        var body = Body is null ? "(no body)" : Preview(Body);
        return $"#{Index} {Method} {Shorten(Path, 300)}  [template {Template}; token {Token}; content-type {ContentType ?? "(none)"}; defects: {Defects}]  body: {body}";
    }

    private static string Preview(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300));
        return $"{body.Length} bytes: {text.ReplaceLineEndings(" ")}{(body.Length > 300 ? "..." : "")}";
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..max] + $"...({s.Length} chars)";
}
