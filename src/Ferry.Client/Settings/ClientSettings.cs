using System.Text.Json;
using Ferry.Core.Configuration;

namespace Ferry.Client.Settings;

/// <summary>
/// Where the server is and who we are. Resolved from, in order: FERRY_* environment variables, the Ferry config file
/// ($FERRY_CONFIG or ~/.config/ferry/config.json), a Rucio rucio.cfg, and finally the embedded default (the
/// server.json and root-password files a local `ferry server` writes into FERRY_HOME).
/// </summary>
public sealed record ClientSettings
{
    public const string DefaultUrl = "http://127.0.0.1:7878";

    public required string Url { get; init; }
    public string? Account { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? Token { get; init; }
    /// <summary>Where the values came from, for error messages.</summary>
    public string Source { get; init; } = "defaults";

    public static string FerryHome(IReadOnlyDictionary<string, string?> env) =>
        env.GetValueOrDefault("FERRY_HOME") is { Length: > 0 } h ? h : Path.Combine(Home(env), ".ferry");

    private static string Home(IReadOnlyDictionary<string, string?> env) =>
        env.GetValueOrDefault("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>Storage secrets for client-side transfers: $FERRY_RSE_CREDENTIALS, else rse-credentials.json beside the config file.</summary>
    public static string RseCredentialsPath(IReadOnlyDictionary<string, string?> env)
    {
        if (env.GetValueOrDefault("FERRY_RSE_CREDENTIALS") is { Length: > 0 } explicitPath) return explicitPath;
        var config = env.GetValueOrDefault("FERRY_CONFIG") is { Length: > 0 } c ? c : Path.Combine(Home(env), ".config", "ferry", "config.json");
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(config))!, "rse-credentials.json");
    }

    public static ClientSettings FromEnvironment() => Resolve(FerryEnvironment.Process);

    public static ClientSettings Resolve(IReadOnlyDictionary<string, string?> env)
    {
        string? url = env.GetValueOrDefault("FERRY_URL"), account = env.GetValueOrDefault("FERRY_ACCOUNT");
        string? username = env.GetValueOrDefault("FERRY_USERNAME"), password = env.GetValueOrDefault("FERRY_PASSWORD");
        var token = env.GetValueOrDefault("FERRY_TOKEN");
        var sources = new List<string>();
        if (url is not null || account is not null || username is not null || password is not null || token is not null) sources.Add("environment");

        var configPath = env.GetValueOrDefault("FERRY_CONFIG") is { Length: > 0 } c ? c : Path.Combine(Home(env), ".config", "ferry", "config.json");
        if (File.Exists(configPath))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(configPath));
            string? Get(string k) => doc.RootElement.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            url ??= Get("url"); account ??= Get("account"); username ??= Get("username"); password ??= Get("password");
            sources.Add(configPath);
        }

        var rucioCfg = new[] { env.GetValueOrDefault("RUCIO_CONFIG"), Path.Combine(Home(env), ".config", "rucio", "rucio.cfg"), "/opt/rucio/etc/rucio.cfg" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));
        if (rucioCfg is not null && (url is null || password is null))
        {
            var client = IniFile.Section(File.ReadAllText(rucioCfg), "client");
            url ??= client.GetValueOrDefault("rucio_host");
            account ??= client.GetValueOrDefault("account");
            username ??= client.GetValueOrDefault("username");
            password ??= client.GetValueOrDefault("password");
            sources.Add(rucioCfg);
        }

        // The embedded default: a server started with `ferry server` on this machine leaves its address and root password.
        var home = FerryHome(env);
        if (url is null && File.Exists(Path.Combine(home, "server.json")))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(home, "server.json")));
            url = doc.RootElement.GetProperty("url").GetString();
            sources.Add(Path.Combine(home, "server.json"));
        }
        if (password is null && token is null && (account is null or "root") && File.Exists(Path.Combine(home, "root-password")))
        {
            password = File.ReadAllText(Path.Combine(home, "root-password")).Trim();
            account ??= "root";
            sources.Add(Path.Combine(home, "root-password"));
        }
        return new ClientSettings
        {
            Url = (url ?? DefaultUrl).TrimEnd('/'), Account = account, Username = username ?? account, Password = password, Token = token,
            Source = sources.Count == 0 ? "defaults" : string.Join(", ", sources),
        };
    }
}

/// <summary>Just enough INI reading for rucio.cfg: [sections], key = value, # and ; comments.</summary>
public static class IniFile
{
    public static Dictionary<string, string> Section(string text, string section)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? current = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line[0] == '[' && line[^1] == ']') { current = line[1..^1].Trim(); continue; }
            if (!string.Equals(current, section, StringComparison.OrdinalIgnoreCase)) continue;
            var eq = line.IndexOfAny(['=', ':']);
            if (eq > 0) result[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return result;
    }
}
