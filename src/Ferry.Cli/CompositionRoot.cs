namespace Ferry.Cli;

/// <summary>
/// The chance every command hands to what it builds (server, worker, agent, catalogue): code below the CLI takes a
/// Random from its caller so that tests can seed it, and the banned-API analyzer refuses Random.Shared everywhere else.
/// </summary>
internal static class CompositionRoot
{
    // The one allowed use: Random.Shared is thread-safe, which the server's concurrent requests and daemons need.
#pragma warning disable RS0030
    public static Random Random => Random.Shared;
#pragma warning restore RS0030
}
