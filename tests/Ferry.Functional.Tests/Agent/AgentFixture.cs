using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Agent;

/// <summary>One server with a posix RSE and one agent per test class; each test uses its own dataset names.</summary>
public sealed class AgentFixture : IAsyncLifetime
{
    public FerryServer Server { get; private set; } = null!;
    public RawApi Api { get; private set; } = null!;
    public AgentProcess Agent { get; private set; } = null!;
    public string Rse => "AGENT-SRC";
    public string Prefix { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FerryServer.StartAsync();
        Api = new RawApi(Server);
        Prefix = await Site.AddPosixRseAsync(Api, Rse);
        Agent = await AgentProcess.StartAsync(Server, ["--retry-cap", "1s", "--negative-cache-ttl", "2s"]);
    }

    public async Task DisposeAsync()
    {
        await Agent.DisposeAsync();
        Api.Dispose();
        await Server.DisposeAsync();
    }
}
