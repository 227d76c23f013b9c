using System.Diagnostics;

namespace Ferry.Testing;

/// <summary>One storage endpoint of the test servers: how an RSE declares it, and the secrets it needs.</summary>
public sealed record TestStorage(string Scheme, string Hostname, int Port, string Prefix, IReadOnlyDictionary<string, string> Credentials)
{
    public string Pfn(string path) => Port == 0 ? $"{Scheme}://{Hostname}{Prefix}{path}" : $"{Scheme}://{Hostname}:{Port}{Prefix}{path}";
}

/// <summary>
/// The real storage servers of the suite (OpenSSH, nginx WebDAV, XRootD, s3rver), started once per test run by the
/// project's own scripts/services/start-all.sh, which also installs them where missing. Outside CI a machine that
/// cannot run them skips these tests with the reason; under CI=true that is a failure.
/// </summary>
public static class StorageServices
{
    public static readonly string Dir = Environment.GetEnvironmentVariable("FERRY_SERVICES_DIR") is { Length: > 0 } d ? d : "/tmp/ferry-test-services";
    public static readonly string[] Schemes = ["file", "http", "s3", "sftp", "root"];
    private static readonly Lazy<string?> Failure = new(Start);

    /// <summary>Skips (or, under CI, fails) the calling test when the servers are not running.</summary>
    public static void Require()
    {
        if (Failure.Value is not { } reason) return;
        if (Environment.GetEnvironmentVariable("CI") == "true") throw new InvalidOperationException("storage servers did not start: " + reason);
        Xunit.Skip.If(true, "storage servers did not start: " + reason);
    }

    /// <summary>A fresh, empty area on the server speaking <paramref name="scheme"/>; <c>file</c> is a local directory.</summary>
    public static TestStorage Area(string scheme, string id) => scheme switch
    {
        "file" => new("file", "localhost", 0, Directory.CreateTempSubdirectory("ferry-posix-").FullName + "/", new Dictionary<string, string>()),
        "http" => new("http", "127.0.0.1", 8081, $"/{id}/", new Dictionary<string, string>()),
        "s3" => new("s3", "127.0.0.1", 4568, $"/ferry-test/{id}/", new Dictionary<string, string> { ["access_key"] = "S3RVER", ["secret_key"] = "S3RVER" }),
        "sftp" => new("sftp", "127.0.0.1", 2222, $"{Dir}/ssh/data/{id}/", new Dictionary<string, string>
        {
            ["user"] = "ferryxfer", ["private_key_file"] = $"{Dir}/ssh/client_key", ["known_hosts_file"] = $"{Dir}/ssh/known_hosts",
        }),
        "root" => new("root", "127.0.0.1", 1094, $"/store/{id}/", new Dictionary<string, string>()),
        _ => throw new ArgumentException($"no test server for {scheme}"),
    };

    /// <summary>Where the files of an area end up on this machine's disk, for tests that corrupt or inspect them.</summary>
    public static string LocalPathOf(TestStorage area, string path) => area.Scheme switch
    {
        "file" or "sftp" => area.Prefix + path,
        "http" => $"{Dir}/webdav/data{area.Prefix}{path}",
        "root" => $"{Dir}/xrootd/data{area.Prefix}{path}",
        _ => throw new ArgumentException($"{area.Scheme} files are not plain files on disk"),
    };

    private static string? Start()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "Ferry.slnx"))) root = Path.GetDirectoryName(root);
        if (root is null) return "cannot find the repository (Ferry.slnx) above " + AppContext.BaseDirectory;
        var psi = new ProcessStartInfo("bash", [Path.Combine(root, "scripts/services/start-all.sh")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.Environment["FERRY_SERVICES_DIR"] = Dir;
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); return "start-all.sh took more than 5 minutes"; }
        return p.ExitCode == 0 ? null : (output.Result + error.Result).Trim();
    }
}
