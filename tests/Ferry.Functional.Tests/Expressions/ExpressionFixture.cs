using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Expressions;

/// <summary>A server with a small grid of RSEs and attributes, built through the dialect, to evaluate expressions against.</summary>
public sealed class ExpressionFixture : IAsyncLifetime
{
    public FerryServer Server { get; private set; } = null!;
    public RawApi Api { get; private set; } = null!;

    public static readonly (string Rse, (string Key, string Value)[] Attrs)[] Grid =
    [
        ("CERN-PROD-DISK", [("tier", "0"), ("type", "DISK"), ("country", "ch"), ("cloud", "CERN"), ("freespace", "900"), ("site", "CERN-PROD")]),
        ("CERN-PROD-TAPE", [("tier", "0"), ("type", "TAPE"), ("country", "ch"), ("cloud", "CERN"), ("istape", "true"), ("site", "CERN-PROD")]),
        ("RAL-LCG2-DISK", [("tier", "1"), ("type", "DISK"), ("country", "uk"), ("cloud", "UK"), ("freespace", "300"), ("site", "RAL-LCG2")]),
        ("RAL-LCG2-TAPE", [("tier", "1"), ("type", "TAPE"), ("country", "uk"), ("cloud", "UK"), ("istape", "True"), ("site", "RAL-LCG2")]),
        ("FZK-LCG2-DISK", [("tier", "1"), ("type", "DISK"), ("country", "de"), ("cloud", "DE"), ("freespace", "120"), ("site", "FZK-LCG2")]),
        ("DESY-HH-SCRATCH", [("tier", "2"), ("type", "DISK"), ("country", "de"), ("cloud", "DE"), ("freespace", "15"), ("scratch", "true"), ("site", "DESY-HH")]),
        ("UKI-QMUL-DISK", [("tier", "2"), ("type", "DISK"), ("country", "uk"), ("cloud", "UK"), ("freespace", "not-a-number"), ("site", "UKI-QMUL")]),
        ("LAPTOP-1", [("tier", "3"), ("type", "DISK"), ("freespace", "-5")]),
    ];

    public async Task InitializeAsync()
    {
        Server = await FerryServer.StartAsync();
        Api = new RawApi(Server);
        foreach (var (rse, attrs) in Grid)
        {
            await Site.AddPosixRseAsync(Api, rse);
            foreach (var (k, v) in attrs)
                Assert.Equal(201, (int)(await Api.SendAsync("POST", $"/rses/{rse}/attr/{k}", $$"""{"value":"{{v}}"}""")).StatusCode);
        }
        await Api.SendAsync("PUT", "/rses/LAPTOP-1", """{"availability_write":false}""");
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
    }
}
