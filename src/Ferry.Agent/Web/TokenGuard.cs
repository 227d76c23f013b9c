using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Ferry.Agent.Web;

/// <summary>
/// With a token configured, every API call must carry it (<c>Authorization: Bearer T</c> or <c>X-Ferry-Agent-Token: T</c>).
/// The page itself holds no data and is served to anyone; its script sends the token it was given in the URL fragment,
/// which browsers never send to the server or write to its logs.
/// </summary>
public sealed class TokenGuard(RequestDelegate next, string token)
{
    private readonly byte[] _token = Encoding.UTF8.GetBytes(token);

    public async Task InvokeAsync(HttpContext ctx)
    {
        if (ctx.Request.Path == "/" || Matches(Presented(ctx)))
        {
            await next(ctx);
            return;
        }
        ctx.Response.StatusCode = 401;
        await ctx.Response.WriteAsJsonAsync(new { status = "unauthorized", error = "this agent requires its token (Authorization: Bearer ... or X-Ferry-Agent-Token)" });
    }

    private static string Presented(HttpContext ctx)
    {
        var header = ctx.Request.Headers["X-Ferry-Agent-Token"].ToString();
        if (header.Length > 0) return header;
        var auth = ctx.Request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..].Trim() : "";
    }

    private bool Matches(string presented) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token);
}
