using System.CommandLine;
using Ferry.Client.Http;
using Ferry.Client.Settings;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Time;

namespace Ferry.Cli.Commands;

/// <summary>Pieces every command uses: the client, --json, DID and duration arguments.</summary>
internal static class Common
{
    public static Option<bool> JsonOption() => new("--json") { Description = "Print machine-readable JSON" };

    public static FerryClient Client() => new(ClientSettings.FromEnvironment());

    /// <summary>The CLI's one clock (the banned-API list keeps DateTime.Now and friends out of the code).</summary>
    public static TimeProvider Clock { get; } = TimeProvider.System;

    public static DidRef Did(string text)
    {
        try { return DidRef.Parse(text); }
        catch (FerryException e) { throw new UsageException(e.Message); }
    }

    public static long? Duration(string? text)
    {
        if (text is null) return null;
        try { return Durations.ParseSeconds(text); }
        catch (FerryException e) { throw new UsageException(e.Message); }
    }

    /// <summary>An RSE expression checked for syntax before anything is sent (whether it selects RSEs is the server's to say).</summary>
    public static string Expression(string text)
    {
        try { Ferry.Core.Expressions.RseExpression.Parse(text); return text; }
        catch (FerryException e) { throw new UsageException(e.Message); }
    }

    public static Command With(this Command c, params Symbol[] symbols)
    {
        foreach (var s in symbols)
        {
            if (s is Option o) c.Add(o);
            else if (s is Argument a) c.Add(a);
            else if (s is Command sub) c.Add(sub);
        }
        return c;
    }
}
