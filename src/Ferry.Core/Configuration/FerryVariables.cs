namespace Ferry.Core.Configuration;

/// <summary>One environment variable Ferry reads: its name, who reads it, its default and what it does.</summary>
public sealed record FerryVariable(string Name, string ReadBy, string Default, string Meaning);

/// <summary>
/// Every <c>FERRY_*</c> environment variable, declared once. docs/configuration.md is generated from this list, and a
/// test fails when the code reads a variable that is not here (or this lists one nothing reads), so a new knob cannot
/// ship undocumented. Every read goes through <see cref="FerryEnvironment"/>, which refuses a name not listed here;
/// the options that parse them (EngineOptions, TaskOptions, SecurityOptions, ClientSettings) live with their users.
/// </summary>
public static class FerryVariables
{
    private const string Server = "server", Worker = "server, worker", Client = "CLI, agent", All = "every command";

    public static readonly IReadOnlyList<FerryVariable> Declared =
    [
        // Where things are
        new("FERRY_HOME", All, "~/.ferry", "Ferry's home: the embedded catalogue, credentials, client settings and task work directories."),
        new("FERRY_DATABASE", Worker, "the SQLite file FERRY_HOME/catalog.db", "The catalogue: a postgres://user:password@host:port/db[?schema=NAME] URL or an Npgsql connection string."),
        new("FERRY_CONFIG", Client, "~/.config/ferry/config.json", "The client settings file (server URL, account, credentials)."),
        new("FERRY_RSE_CREDENTIALS", Client, "rse-credentials.json beside the config file", "Storage credentials per RSE for client-side transfers (S3 keys, SSH keys, tokens); the server reads FERRY_HOME/rse-credentials.json."),
        // The client's server and login
        new("FERRY_URL", Client, "http://127.0.0.1:7878", "The server to talk to: a Ferry server or a Rucio server."),
        new("FERRY_ACCOUNT", Client, "root, with the local server's root-password file", "The account to act as."),
        new("FERRY_USERNAME", Client, "(none)", "Userpass login name."),
        new("FERRY_PASSWORD", Client, "(none)", "Userpass password."),
        new("FERRY_TOKEN", Client, "(none)", "A token to use instead of logging in (an OIDC access token or a Ferry token)."),
        new("FERRY_SCHEMES", Client, "every scheme the RSE offers", "Comma-separated protocol schemes uploads and downloads may use, in order of preference."),
        new("FERRY_UPLOAD_REGISTRARS", Client, "3", "Parallel registration batches in a bulk upload."),
        new("FERRY_UPLOAD_RETRIES", Client, "5", "Retries of a failed upload step (copy, registration) with backoff."),
        new("FERRY_RANGED_STREAMS", Client, "4", "Parallel ranged reads per large file in a download."),
        new("FERRY_RANGED_MIN_BYTES", Client, "67108864", "Files at least this large are downloaded in ranged parallel reads."),
        new("FERRY_TIMING", All, "off", "1 prints per-step timings of uploads, downloads and replica listings (for benchmarks)."),
        new("FERRY_SOURCE_USERNAME", Client, "the source account", "`ferry sync --from`: userpass login name at the source server."),
        new("FERRY_SOURCE_PASSWORD", Client, "(none)", "`ferry sync --from`: userpass password at the source server."),
        new("FERRY_SOURCE_TOKEN", Client, "(none)", "`ferry sync --from`: a token for the source server."),
        new("FERRY_AGENT_TOKEN", Client, "a token made at start", "The desktop agent's API token."),
        new("FERRY_AGENT_TOKEN_FILE", Client, "(none)", "A file holding the desktop agent's API token."),
        // The server
        new("FERRY_ROOT_PASSWORD", Server, "generated and printed once", "root's userpass password when a new catalogue is made."),
        new("FERRY_AUTH_RATE_LIMIT", Server, "120/10s", "Login attempts per client address and window."),
        new("FERRY_AUTH_LOCKOUT", Server, "5/15m", "Failed logins of one identity before it is locked for the window."),
        new("FERRY_TLS_LISTEN", Server, "(off)", "host:port of the TLS listener (X.509 client certificates)."),
        new("FERRY_TLS_CERT", Server, "(none)", "The TLS listener's certificate (PEM)."),
        new("FERRY_TLS_KEY", Server, "(none)", "The TLS listener's private key (PEM)."),
        new("FERRY_TLS_CA", Server, "(none)", "CA certificates client certificates must chain to (PEM file or directory)."),
        new("FERRY_TLS_CRL", Server, "(none)", "Certificate revocation lists (PEM file or directory)."),
        new("FERRY_OIDC_ISSUER", Server, "(off)", "The OIDC issuer whose bearer tokens are accepted."),
        new("FERRY_OIDC_AUDIENCE", Server, "(none)", "The audience an OIDC token must carry."),
        new("FERRY_OIDC_KEYS", Server, "(none)", "The issuer's signing keys (a JWKS file)."),
        new("FERRY_OIDC_CLOCK_SKEW", Server, "30s", "Clock skew allowed when checking OIDC token times."),
        // The daemons
        new("FERRY_CONVEYOR_PARALLELISM", Worker, "4", "Transfers one conveyor copies at once."),
        new("FERRY_PER_DESTINATION_LIMIT", Worker, "4", "Transfers at once into one destination RSE."),
        new("FERRY_PER_LINK_LIMIT", Worker, "4", "Transfers at once on one source-destination link."),
        new("FERRY_TRANSFER_ATTEMPTS", Worker, "3", "Attempts of a transfer before its lock goes STUCK."),
        new("FERRY_TRANSFER_TIMEOUT_SECONDS", Worker, "120", "Base timeout of one copy (plus one second per MiB)."),
        new("FERRY_TRANSFER_LEASE_SECONDS", Worker, "120", "A conveyor's lease on a claimed transfer; renewed every third of it while copying."),
        new("FERRY_STUCK_RETRY_SECONDS", Worker, "600", "When the judge retries a STUCK rule's locks."),
        new("FERRY_STAGING_LIFETIME_SECONDS", Worker, "3600", "How long a file staged from tape stays pinned on its buffer."),
        new("FERRY_TASK_SLOTS", Worker, "max(2, cores)", "Jobs the local task executor runs at once."),
        new("FERRY_TASK_RETRY_SECONDS", Worker, "10", "Delay before a failed task job is retried."),
        new("FERRY_SLURM_CONF", Worker, "(off)", "slurm.conf of the cluster task jobs are submitted to; without it jobs run locally."),
        new("FERRY_SLURM_MAX_QUEUED", Worker, "20", "Task jobs queued in Slurm at once."),
    ];
}
