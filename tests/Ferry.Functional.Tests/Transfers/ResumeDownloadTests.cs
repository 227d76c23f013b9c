using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;
using Ferry.Testing;

namespace Ferry.Functional.Tests.Transfers;

/// <summary>An interrupted download keeps its bytes and fetches only the rest, and the whole file is verified at the end.</summary>
public sealed class ResumeDownloadTests
{
    private static async Task<(FerryServer Server, TestFile File, string Into, string Part)> SetUpAsync(string scheme, string stem)
    {
        StorageServices.Require();
        var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        await StorageSites.AddAsync(server, api, "RESUME_SITE", scheme);
        var file = Site.MakeFiles("user.root", stem, 1, _ => 8_000_000)[0];
        var local = Path.Combine(TempDirs.Create("resume-src"), file.Name);
        await File.WriteAllBytesAsync(local, file.Content);
        await Infrastructure.Cli.OkAsync(server, "upload", local, "--rse", "RESUME_SITE", "--scope", "user.root");
        var into = TempDirs.Create("resume-into");
        var part = Path.Combine(into, "user.root", file.Name + ".ferry.part");
        Directory.CreateDirectory(Path.GetDirectoryName(part)!);
        return (server, file, into, part);
    }

    private static async Task<JsonElement> DownloadAsync(FerryServer server, TestFile file, string into)
    {
        var output = await Infrastructure.Cli.OkAsync(server, "download", $"user.root:{file.Name}", "--dir", into, "--json");
        return JsonDocument.Parse(output).RootElement.EnumerateArray().Single();
    }

    [SkippableTheory, InlineData("http"), InlineData("s3"), InlineData("sftp")]
    public async Task A_partial_file_is_continued_from_where_it_stopped(string scheme)
    {
        var (server, file, into, part) = await SetUpAsync(scheme, "resume_" + scheme);
        await using var _ = server;
        await File.WriteAllBytesAsync(part, file.Content[..3_000_000]);

        var result = await DownloadAsync(server, file, into);
        Assert.Equal("DOWNLOADED", result.GetProperty("status").GetString());
        Assert.Equal(3_000_000, result.GetProperty("resumed_from").GetInt64());
        Assert.Equal(file.Content, await File.ReadAllBytesAsync(Path.Combine(into, "user.root", file.Name)));
        Assert.False(File.Exists(part));
    }

    [SkippableFact]
    public async Task A_partial_file_with_wrong_bytes_is_fetched_again_in_full_never_kept()
    {
        var (server, file, into, part) = await SetUpAsync("http", "resume_garbage");
        await using var _ = server;
        await File.WriteAllBytesAsync(part, new byte[1_000_000]);

        var result = await DownloadAsync(server, file, into);
        Assert.Equal(0, result.GetProperty("resumed_from").GetInt64());
        Assert.Equal(file.Content, await File.ReadAllBytesAsync(Path.Combine(into, "user.root", file.Name)));
    }
}
