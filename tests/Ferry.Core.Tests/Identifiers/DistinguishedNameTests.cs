using Ferry.Core.Identifiers;

namespace Ferry.Core.Tests.Identifiers;

public sealed class DistinguishedNameTests
{
    [Theory]
    [InlineData("CN=Rucio User", "/CN=Rucio User")]
    [InlineData("CN=John Doe,OU=Users,DC=example,DC=com", "/DC=com/DC=example/OU=Users/CN=John Doe")]
    [InlineData("CN=Doe\\, John,O=Lab", "/O=Lab/CN=Doe, John")]
    [InlineData("/DC=org/DC=example/CN=Jane Doe", "/DC=org/DC=example/CN=Jane Doe")]
    [InlineData("jdoe@CERN.CH", "jdoe@CERN.CH")]
    public void The_comma_form_becomes_the_slash_form_most_significant_first(string given, string expected) =>
        Assert.Equal(expected, DistinguishedName.ToSlashForm(given));
}
