using System.Text.Json;
using Ferry.Agent.Downloads;
using Ferry.Agent.Listing;
using Ferry.Agent.Logs;
using Ferry.Agent.Server;
using Ferry.Agent.State;
using Ferry.Agent.Web;
using Ferry.Client.Http;
using Ferry.Client.Settings;
using Ferry.Core.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ferry.Agent.Hosting;

/// <summary>Starts the agent: its state, its server link, its downloads and its HTTP API, until cancelled or SIGTERM.</summary>
public static class AgentHost
{
    public static async Task RunAsync(AgentOptions options, ClientSettings settings, Random random, CancellationToken ct)
    {
        options.Validate();
        options = options with { Dir = Path.GetFullPath(options.Dir) };
        PrepareDir(options);
        // One agent per DIR: two would fetch the same files into the same .part names.
        await using var exclusive = AcquireLock(options.StateDir);
        var time = TimeProvider.System;
        var store = new AgentStore(Path.Combine(options.StateDir, "agent.db"));
        var log = new AgentLog(store, time);
        using var client = new FerryClient(settings);
        var link = new ServerLink(client, time, random, options.RetryCap, log);
        var listings = new Listings(store, link, log, time, options.ListingTtl, options.NegativeCacheTtl);
        var downloads = new DownloadManager(store, listings, link, new LocalLayout(options.Dir), log, time, options);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(k => k.Listen(options.Endpoint));
        builder.Services.AddSingleton(options).AddSingleton(store).AddSingleton(log).AddSingleton(link).AddSingleton(listings)
            .AddSingleton(downloads).AddSingleton<DatasetView>().AddSingleton<AgentStatus>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = null);

        var app = builder.Build();
        app.Use(async (ctx, next) =>
        {
            // Whatever goes wrong in a handler is answered as JSON and logged; the agent keeps running.
            try { await next(ctx); }
            catch (Exception e) when (e is not OperationCanceledException && !ctx.Response.HasStarted)
            {
                log.Error($"{ctx.Request.Method} {ctx.Request.Path}: {e.GetType().Name}: {e.Message}");
                ctx.Response.StatusCode = e is FerryException f ? f.Status : 500;
                await ctx.Response.WriteAsJsonAsync(new { status = "error", error = e.Message });
            }
        });
        if (!string.IsNullOrEmpty(options.Token)) app.UseMiddleware<TokenGuard>(options.Token);
        app.MapAgentApi();

        await app.StartAsync(ct);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await WriteAgentInfo(options.StateDir, url);
        log.Info($"agent listening on {url}, files in {options.Dir}, server {settings.Url} (settings from {settings.Source})");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, app.Lifetime.ApplicationStopping);
        link.Stopping(stop.Token);
        listings.Stopping(stop.Token);
        downloads.Resume(stop.Token);
        _ = link.CheckCredentialsAsync(stop.Token);
        try { await Task.Delay(Timeout.Infinite, stop.Token); }
        catch (OperationCanceledException) { }
        log.Info("agent stopping; unfinished downloads resume at the next start");
        await downloads.DrainAsync(TimeSpan.FromSeconds(10));
        await app.StopAsync(CancellationToken.None);
    }

    private static void PrepareDir(AgentOptions options)
    {
        try
        {
            Directory.CreateDirectory(options.StateDir);
            var probe = Path.Combine(options.StateDir, $".probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FerryException("DirectoryNotWritable", 400, $"--dir {options.Dir} is not writable: {e.Message}");
        }
    }

    private static FileStream AcquireLock(string stateDir)
    {
        try { return new FileStream(Path.Combine(stateDir, "agent.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException)
        {
            throw new FerryException("AgentAlreadyRunning", 409, $"another ferry agent is already using {Path.GetDirectoryName(stateDir)}");
        }
    }

    /// <summary>Where the agent listens, for scripts and tests that started it on port 0.</summary>
    private static async Task WriteAgentInfo(string stateDir, string url)
    {
        var path = Path.Combine(stateDir, "agent.json");
        await File.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(new Dictionary<string, object> { ["url"] = url, ["pid"] = Environment.ProcessId }));
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
