using Ferry.Core.Configuration;

namespace Ferry.Engine.Tests;

/// <summary>A FerryEnvironment built from pairs, so that option parsing is tested without the process's environment.</summary>
internal static class Env
{
    public static FerryEnvironment Of(params (string Name, string? Value)[] values) =>
        new(values.Select(v => KeyValuePair.Create(v.Name, v.Value)));
}
