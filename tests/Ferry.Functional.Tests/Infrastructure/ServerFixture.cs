namespace Ferry.Functional.Tests.Infrastructure;

/// <summary>One server per test class; the class's tests share it (each uses its own names).</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public FerryServer Server { get; private set; } = null!;
    public RawApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FerryServer.StartAsync();
        Api = new RawApi(Server);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
    }
}
