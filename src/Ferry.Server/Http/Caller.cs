using Ferry.Core.Errors;
using Ferry.Engine.Application;
using Microsoft.AspNetCore.Http;

namespace Ferry.Server.Http;

/// <summary>
/// Where a request's <see cref="Caller"/> (the application layer's, Ferry.Engine.Application) is kept: the auth
/// middleware stores it, endpoints read it with <c>Caller.Of(ctx)</c> and hand it to the application operations.
/// </summary>
public static class CallerHttp
{
    extension(Caller)
    {
        public static string ItemKey => "ferry.caller";

        public static Caller Of(HttpContext ctx) =>
            ctx.Items[Caller.ItemKey] as Caller ?? throw new FerryException("CannotAuthenticate", 401, "Authentication required");
    }
}
