using Ferry.Core.Paths;

namespace Ferry.Core.Tests.Paths;

public sealed class Lfn2PfnTests
{
    [Theory]
    [InlineData("user.jdoe", "file1.root", "user/jdoe/20/48/file1.root")]
    [InlineData("test", "probe_file_2.txt", "test/59/14/probe_file_2.txt")]
    [InlineData("data18_13TeV", "AOD.12345._000001.pool.root.1", "data18_13TeV/d3/fe/AOD.12345._000001.pool.root.1")]
    [InlineData("group.phys-higgs", "ntuple.root", "group/phys-higgs/32/dd/ntuple.root")]
    public void Hash_algorithm_matches_rucio(string scope, string name, string path) => Assert.Equal(path, Lfn2Pfn.Hash(scope, name));

    [Fact]
    public void Hash_of_any_name_is_the_md5_of_scope_colon_name_whatever_its_length_or_characters()
    {
        var random = new Random(25);
        foreach (var length in new[] { 1, 10, 200, 511, 512, 513, 1000, 3000 })
        {
            var name = string.Concat(Enumerable.Range(0, length).Select(_ => "aZ9._-éü€𝄞"[random.Next(10)]));
            if (char.IsHighSurrogate(name[^1])) name = name[..^1];
            var digest = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes("user.x:" + name)));
            Assert.Equal($"user/x/{digest[..2]}/{digest[2..4]}/{name}", Lfn2Pfn.Hash("user.x", name));
        }
    }

    [Fact]
    public void Pfns_have_no_port_for_posix_and_a_port_otherwise()
    {
        Assert.Equal("file://localhost/srv/rse/test/59/14/x", Lfn2Pfn.Pfn("file", "localhost", 0, "/srv/rse", "test/59/14/x"));
        Assert.Equal("davs://se.example.org:443/dpm/data/user/jdoe/20/48/file1.root",
            Lfn2Pfn.Pfn("davs", "se.example.org", 443, "dpm/data", "user/jdoe/20/48/file1.root"));
    }
}
