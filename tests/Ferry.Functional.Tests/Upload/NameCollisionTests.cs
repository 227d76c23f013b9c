using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>Two files that would get the same DID refuse the upload before anything is sent.</summary>
public sealed class NameCollisionTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Basename_collisions_are_refused_before_anything_is_uploaded()
    {
        var tree = new UploadTree();
        var rng = new Random(3);
        tree.Add("a/same.dat", rng, 100);
        tree.Add("b/same.dat", rng, 100);
        tree.Add("b/other.dat", rng, 100);
        var before = UploadTree.OnDisk(Path.Combine(f.Server.Home, "rses", "LOCAL")).Count;
        var r = await tree.UploadAsync(f.Server, "--rse", "LOCAL", "--scope", "user.root", "-r", "--name-from", "basename", "--dataset", "collide");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("user.root:same.dat", r.Stderr);
        Assert.Contains(Path.Combine(tree.Root, "a", "same.dat"), r.Stderr);
        Assert.Contains(Path.Combine(tree.Root, "b", "same.dat"), r.Stderr);
        Assert.Equal(before, UploadTree.OnDisk(Path.Combine(f.Server.Home, "rses", "LOCAL")).Count);

        // The relative names do not collide.
        var ok = await tree.UploadAsync(f.Server, "--rse", "LOCAL", "--scope", "user.root", "-r", "--dataset", "collide");
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Contains("3 uploaded", ok.Stdout);
    }

    [Fact]
    public async Task Sanitized_names_that_collide_are_refused()
    {
        var tree = new UploadTree();
        var rng = new Random(4);
        tree.Add("x y.dat", rng, 10);
        tree.Add("x,y.dat", rng, 10);
        var r = await tree.UploadAsync(f.Server, "--rse", "LOCAL", "--scope", "user.root", "--sanitize-names");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("user.root:x_y.dat", r.Stderr);
        using var did = await f.Api.SendAsync("GET", "/dids/user.root/x_y.dat");
        Assert.Equal(404, (int)did.StatusCode);
    }
}
