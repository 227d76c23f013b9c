using System.Security.Cryptography;
using System.Text.Json;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Db;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Hosting;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Catalog.Rules;
using Ferry.Catalog.Transfers;
using Ferry.Core.Configuration;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Engine;
using Ferry.Engine.Hosting;
using Ferry.Server.Endpoints;
using Ferry.Server.Http;
using Ferry.Server.Ui;
using Ferry.Server.Security;
using Ferry.Storage.Credentials;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Hosting;

/// <summary>
/// How to start a server: the data directory and the address to listen on (127.0.0.1 by default), and what the caller
/// hands in — its settings, clock and chance — so that a test can run a server in its own process on a fake clock.
/// </summary>
public sealed record ServerOptions(string Home, string Listen)
{
    /// <summary>The FERRY_* settings: the process's for `ferry server`, a test's own for an in-process server.</summary>
    public FerryEnvironment Environment { get; init; } = FerryEnvironment.Process;
    public required EngineOptions Engine { get; init; }
    public required Security.SecurityOptions Security { get; init; }
    public TimeProvider Clock { get; init; } = TimeProvider.System;
    public required Random Random { get; init; }
}

public static class FerryServerHost
{
    public const int DefaultPort = 7878;
    public const string DefaultRse = "LOCAL";

    /// <summary>Runs the server with its daemons until <paramref name="ct"/> is cancelled.</summary>
    public static async Task RunAsync(ServerOptions options, CancellationToken ct)
    {
        Directory.CreateDirectory(options.Home);
        var home = Path.GetFullPath(options.Home);
        // One server per data directory: the embedded catalogue and its leases assume a single process.
        await using var exclusive = AcquireLock(home);
        var (host, port) = ParseListen(options.Listen);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Parse(host), port);
            if (options.Security.TlsListen is { } tls)
            {
                var (tlsHost, tlsPort) = ParseListen(tls);
                Security.X509.TlsListener.Listen(k, options.Security, System.Net.IPAddress.Parse(tlsHost), tlsPort);
            }
            // Replica reads from /storage write 1 MiB blocks; a 64 KiB output buffer would stall each block 16 times.
            k.Limits.MaxResponseBufferSize = 1 << 20;
        });
        var catalog = CatalogStore.Open(home, options.Environment.Get, options.Random);
        // The same catalogue and engine parts as `ferry worker`, then the HTTP ones; the daemons unless --no-daemons.
        builder.Services.AddFerryCatalog(catalog, options.Clock, options.Random).AddFerryEngine(home, options.Engine, options.Environment)
            .AddFerryServer(options.Security);
        if (options.Engine.RunDaemons) builder.Services.AddFerryDaemons(EngineServices.Daemons);

        var app = builder.Build();
        Metrics.MetricsEndpoints.StartFerryMetrics(app.Services);
        await BootstrapAsync(app.Services, home, options.Environment, app.Logger);
        app.UseMiddleware<AuditMiddleware>();
        app.UseMiddleware<ErrorMiddleware>();
        app.UseFerryUi();
        app.UseRouting();
        // Only /auth/* is limited: other requests skip the limiter's partition lookup, which takes a lock per request.
        app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/auth"), auth => auth.UseRateLimiter());
        app.UseMiddleware<AuthMiddleware>();
        app.UseMiddleware<PermissionMiddleware>();
        app.MapOpenApi("/openapi/v1.json");
        app.MapGet("/health", () => Results.Text("{\"status\":\"ok\"}", "application/json")).WithName("Health").WithTags("Health");
        Metrics.MetricsEndpoints.MapFerryMetrics(app);
        app.MapAccounts();
        app.MapRses();
        app.MapRseProtocols();
        app.MapRseUsage();
        app.MapDids();
        app.MapReplicas();
        app.MapRedirects();
        app.MapDatasetReplicas();
        app.MapRules();
        app.MapStorage();
        app.MapData();
        app.MapReports();
        app.MapTasks();
        app.MapSync();
        app.MapSubscriptions();
        app.MapRucioSubscriptions();
        app.MapRequests();
        app.MapImportExport();
        app.MapSitePolicies();
        app.MapConfig();
        app.MapUi();
        app.MapSecurity();
        app.MapTraces();
        app.MapGet("/ferry/transfers/links", async (TransferCatalog t) => Results.Json(await t.LinkStatsAsync(), Wire.Options))
            .WithName("TransferLinks").WithTags("Transfers");
        app.Map("GET", "/ferry/messages", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("read the message queue");
            var since = long.TryParse(ctx.Query("since"), out var s) ? s : 0;
            var limit = int.TryParse(ctx.Query("limit"), out var l) && l is > 0 and <= 10_000 ? l : 1000;
            var messages = await ctx.RequestServices.GetRequiredService<Ferry.Catalog.Messages.MessageCatalog>().ListAsync(since, limit);
            await Wire.WriteJson(ctx, messages.Select(m => new Dictionary<string, object?>
            {
                ["id"] = m.Id, ["event_type"] = m.EventType, ["payload"] = m.Payload, ["created_at"] = Ferry.Core.Time.RucioTime.Format(m.CreatedAt),
            }));
        }, "Messages", "Messages");

        await app.StartAsync(ct);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => a.StartsWith("http:", StringComparison.Ordinal));
        await WriteServerInfo(home, url);
        app.Logger.LogInformation("Ferry {Version} listening on {Url}, data in {Home}, catalogue {Catalog}{Daemons}", ServerInfo.Version, url, home,
            CatalogStore.Describe(catalog), options.Engine.RunDaemons ? "" : " (no daemons)");
        // SIGTERM stops the host through its lifetime; Ctrl-C or the caller cancel through ct.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, app.Lifetime.ApplicationStopping);
        try { await Task.Delay(Timeout.Infinite, stop.Token); }
        catch (OperationCanceledException) { }
        await app.StopAsync(CancellationToken.None);
        File.Delete(Path.Combine(home, "server.json"));
    }

    private static async Task BootstrapAsync(IServiceProvider services, string home, FerryEnvironment env, ILogger logger)
    {
        var accounts = services.GetRequiredService<AccountCatalog>();
        if (await accounts.FindAsync("root") is null)
        {
            var password = env.Get("FERRY_ROOT_PASSWORD");
            if (string.IsNullOrEmpty(password))
            {
                password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
                var file = Path.Combine(home, "root-password");
                await File.WriteAllTextAsync(file, "");
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                await File.WriteAllTextAsync(file, password + "\n");
                logger.LogInformation("Created account root; its password is in {File}", file);
            }
            await accounts.BootstrapRootAsync(password);
            await accounts.AddScopeAsync("user.root", "root");
        }
        var rses = services.GetRequiredService<RseCatalog>();
        if ((await rses.ListAsync()).Count == 0 && !File.Exists(Path.Combine(home, ".default-rse-created")))
        {
            var prefix = Path.Combine(home, "rses", DefaultRse);
            Directory.CreateDirectory(prefix);
            await rses.AddAsync(DefaultRse, new RseSettings());
            await rses.AddProtocolAsync(DefaultRse, PosixProtocol(prefix));
            await File.WriteAllTextAsync(Path.Combine(home, ".default-rse-created"), "");
        }
    }

    public static RseProtocol PosixProtocol(string prefix) => new()
    {
        Scheme = "file", Hostname = "localhost", Port = 0, Prefix = prefix, Impl = "rucio.rse.protocols.posix.Default",
        Domains = """{"lan":{"read":1,"write":1,"delete":1},"wan":{"read":1,"write":1,"delete":1,"third_party_copy_read":1,"third_party_copy_write":1}}""",
    };

    private static async Task WriteServerInfo(string home, string url)
    {
        var path = Path.Combine(home, "server.json");
        await File.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(new Dictionary<string, object> { ["url"] = url, ["pid"] = Environment.ProcessId }));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public static (string Host, int Port) ParseListen(string listen)
    {
        var i = listen.LastIndexOf(':');
        var host = i < 0 ? "127.0.0.1" : listen[..i];
        var portText = i < 0 ? listen : listen[(i + 1)..];
        if (host is "localhost" or "") host = "127.0.0.1";
        if (!System.Net.IPAddress.TryParse(host, out _) || !int.TryParse(portText, out var port) || port is < 0 or > 65535)
            throw FerryException.Invalid($"--listen takes IP:PORT, e.g. 127.0.0.1:{DefaultPort}; got '{listen}'");
        return (host, port);
    }

    private static FileStream AcquireLock(string home)
    {
        try
        {
            return new FileStream(Path.Combine(home, "server.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new FerryException("ServerAlreadyRunning", 409, $"Another ferry server is already using {home}");
        }
    }
}
