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
    public void Pfns_have_no_port_for_posix_and_a_port_otherwise()
    {
        Assert.Equal("file://localhost/srv/rse/test/59/14/x", Lfn2Pfn.Pfn("file", "localhost", 0, "/srv/rse", "test/59/14/x"));
        Assert.Equal("davs://se.example.org:443/dpm/data/user/jdoe/20/48/file1.root",
            Lfn2Pfn.Pfn("davs", "se.example.org", 443, "dpm/data", "user/jdoe/20/48/file1.root"));
    }
}
