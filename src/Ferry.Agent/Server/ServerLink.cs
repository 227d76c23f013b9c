using System.Net.Sockets;
using Ferry.Agent.Logs;
using Ferry.Client.Http;
using Ferry.Core.Errors;

namespace Ferry.Agent.Server;

/// <summary>What /status says about the server and the credentials.</summary>
public sealed record LinkStatus(string Url, bool Reachable, int Failures, string? LastError, DateTimeOffset? NextAttempt,
    bool? CredentialsValid, string? Account, DateTimeOffset? TokenExpires);

/// <summary>
/// The agent's one way to the server (through the client SDK). A call that fails because the server cannot be
/// reached marks the link down; every caller then waits on the same recovery, which probes with capped exponential
/// backoff and releases them all when the server answers again. Nothing spins while the server is away.
/// </summary>
public sealed class ServerLink(FerryClient client, TimeProvider time, Random random, TimeSpan cap, AgentLog log)
{
    private readonly Lock _lock = new();
    private Task? _recovery;
    private int _failures;
    private string? _lastError;
    private DateTimeOffset? _nextAttempt;
    private bool? _credentialsValid;
    private TokenInfo? _token;
    private CancellationToken _stopping = CancellationToken.None;

    public void Stopping(CancellationToken ct) => _stopping = ct;

    public LinkStatus Status()
    {
        lock (_lock)
            return new LinkStatus(client.Settings.Url, _recovery is null, _failures, _lastError, _nextAttempt, _credentialsValid,
                _token?.Account ?? client.Account, _token?.Expires);
    }

    /// <summary>Runs <paramref name="call"/>, waiting out server outages as often as needed; other errors are the caller's.</summary>
    public async Task<T> CallAsync<T>(Func<FerryClient, CancellationToken, Task<T>> call, CancellationToken ct)
    {
        while (true)
        {
            Task? recovery;
            lock (_lock) recovery = _recovery;
            if (recovery is not null) await recovery.WaitAsync(ct);
            try
            {
                var result = await call(client, ct);
                lock (_lock) _credentialsValid ??= true;
                return result;
            }
            catch (Exception e) when (!ct.IsCancellationRequested && IsOutage(e))
            {
                MarkDown(e);
            }
        }
    }

    /// <summary>A read's trace, sent at once and never waiting out an outage: it is best effort, like Rucio's.</summary>
    public Task<bool> TraceReadAsync(Core.Identifiers.DidRef file, string rse, long bytes, DateTimeOffset started, CancellationToken ct) =>
        client.TraceReadAsync(file, rse, bytes, started, time.GetUtcNow(), ct);

    /// <summary>Checks the credentials now (at start, and for the first /status); an outage starts the recovery.</summary>
    public async Task CheckCredentialsAsync(CancellationToken ct)
    {
        try
        {
            var info = await client.ValidateTokenAsync(ct);
            lock (_lock) { _token = info; _credentialsValid = true; }
            log.Info($"connected to {client.Settings.Url} as {info.Account}");
        }
        catch (Exception e) when (!ct.IsCancellationRequested && IsOutage(e)) { MarkDown(e); }
        catch (FerryException e) when (e.Status is 401 or 403)
        {
            lock (_lock) { _credentialsValid = false; _lastError = $"{e.ExceptionClass}: {e.Message}"; }
            log.Error($"the server refused the credentials from {client.Settings.Source}: {e.ExceptionClass}");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or System.Text.Json.JsonException)
        {
            // A server that answers garbage: say so in /status and the log, and let each request fail with its own status.
            lock (_lock) _lastError = $"unexpected answer from {client.Settings.Url}: {e.Message}";
            log.Error($"unexpected answer from {client.Settings.Url} when checking the credentials: {e.Message}");
        }
    }

    /// <summary>Connection refused or reset, a timeout, a gateway error, or refused credentials (they may be fixed server-side).</summary>
    public static bool IsOutage(Exception e) => e switch
    {
        HttpRequestException or SocketException or TimeoutException => true,
        TaskCanceledException => true,
        FerryException f => f.Status is 401 or >= 500 && f.ExceptionClass is not "AccessDenied",
        IOException io => io.InnerException is SocketException,
        _ => false,
    };

    private void MarkDown(Exception e)
    {
        lock (_lock)
        {
            _lastError = e.Message;
            if (e is FerryException { Status: 401 }) _credentialsValid = false;
            if (_recovery is not null) return;
            log.Warn($"server {client.Settings.Url} unreachable: {e.Message}; retrying with backoff up to {cap}");
            _recovery = Task.Run(RecoverAsync);
        }
    }

    private async Task RecoverAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TimeSpan delay;
            lock (_lock)
            {
                _failures++;
                delay = Backoff.Delay(_failures, cap, random.NextDouble());
                _nextAttempt = time.GetUtcNow() + delay;
            }
            try { await Task.Delay(delay, time, _stopping); }
            catch (OperationCanceledException) { return; }
            try
            {
                var info = await client.ValidateTokenAsync(_stopping);
                lock (_lock)
                {
                    _token = info; _credentialsValid = true; _failures = 0; _lastError = null; _nextAttempt = null;
                    _recovery = null;
                }
                log.Info($"server {client.Settings.Url} reachable again");
                return;
            }
            catch (Exception e) when (IsOutage(e) || e is FerryException)
            {
                lock (_lock)
                {
                    _lastError = e.Message;
                    if (e is FerryException { Status: 401 }) _credentialsValid = false;
                }
            }
        }
    }
}
