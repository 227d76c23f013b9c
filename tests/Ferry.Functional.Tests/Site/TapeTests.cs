using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.SitePolicies;

/// <summary>A copy to a TAPE RSE is AVAILABLE only after the conveyor read it back and it matched.</summary>
public sealed class TapeTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Writes_to_tape_are_read_back_before_the_replica_counts()
    {
        var disk = await Site.AddPosixRseAsync(f.Api, "TAPE-SRC");
        var tape = TempDirs.Create("tape");
        using (var add = await f.Api.SendAsync("POST", "/rses/TAPE-T", """{"rse_type":"TAPE"}""")) Assert.Equal(201, (int)add.StatusCode);
        var protocol = JsonSerializer.Serialize(new
        {
            hostname = "localhost", port = 0, prefix = tape, impl = "rucio.rse.protocols.posix.Default",
            domains = new { lan = new { read = 1, write = 1, delete = 1 }, wan = new { read = 1, write = 1, delete = 1 } },
        });
        using (var p = await f.Api.SendAsync("POST", "/rses/TAPE-T/protocols/file", protocol)) Assert.Equal(201, (int)p.StatusCode);
        var files = Site.MakeFiles("user.root", "tape", 2, _ => 5000);
        await Site.UploadAsync(f.Api, "TAPE-SRC", disk, "tape_ds", files);
        await Site.WaitForRuleAsync(f.Api, await Site.AddRuleAsync(f.Api, "user.root", "tape_ds", "TAPE-T"), "OK", TimeSpan.FromSeconds(30));
        foreach (var file in files)
        {
            Assert.Contains($"Read back user.root:{file.Name} from tape: 5000 bytes, adler32 {file.Adler32}", f.Server.Log);
            Assert.Equal(file.Content, await File.ReadAllBytesAsync(Path.Combine(tape, file.HashPath)));
        }
    }
}
