using System.Security.Cryptography.X509Certificates;
using Ferry.Server.Security.X509;

namespace Ferry.Server.Tests.Security.X509;

public sealed class DistinguishedNamesTests
{
    [Theory]
    [InlineData("/DC=ch/DC=cern/OU=Users/CN=jdoe/CN=12345", "/DC=ch/DC=cern/OU=Users/CN=jdoe")]
    [InlineData("/DC=ch/DC=cern/OU=Users/CN=jdoe/CN=proxy/CN=limited proxy", "/DC=ch/DC=cern/OU=Users/CN=jdoe")]
    [InlineData("/DC=ch/DC=cern/OU=Users/CN=jdoe", "/DC=ch/DC=cern/OU=Users/CN=jdoe")]
    public void Proxy_cns_are_stripped_from_the_end_only(string dn, string identity)
    {
        Assert.Equal(identity, DistinguishedNames.StripProxy(dn));
    }

    [Fact]
    public void In_the_comma_form_the_proxy_cns_lead()
    {
        Assert.Equal("CN=jdoe,OU=Users,DC=cern,DC=ch", DistinguishedNames.StripProxy("CN=proxy,CN=12345,CN=jdoe,OU=Users,DC=cern,DC=ch"));
    }

    [Fact]
    public void A_name_is_written_in_the_slash_form_in_encoding_order()
    {
        var name = new X500DistinguishedName("CN=jdoe, OU=Users, DC=cern, DC=ch");
        Assert.Equal("/DC=ch/DC=cern/OU=Users/CN=jdoe", DistinguishedNames.Format(name));
    }
}
