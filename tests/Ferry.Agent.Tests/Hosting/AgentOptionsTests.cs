using System.Net;
using Ferry.Agent.Hosting;
using Ferry.Core.Errors;

namespace Ferry.Agent.Tests.Hosting;

public sealed class AgentOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1:8000", "127.0.0.1", 8000)]
    [InlineData("localhost:9001", "127.0.0.1", 9001)]
    [InlineData("[::1]:8000", "::1", 8000)]
    [InlineData("0.0.0.0:80", "0.0.0.0", 80)]
    public void Listen_takes_ip_and_port(string listen, string address, int port)
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), AgentOptions.ParseListen(listen));
    }

    [Theory]
    [InlineData("8000")]
    [InlineData("127.0.0.1")]
    [InlineData("example.org:8000")]
    [InlineData("127.0.0.1:99999")]
    public void Anything_else_is_refused_with_an_example(string listen)
    {
        var e = Assert.ThrowsAny<FerryException>(() => AgentOptions.ParseListen(listen));
        Assert.Contains(AgentOptions.DefaultListen, e.Message);
    }

    [Fact]
    public void Loopback_needs_no_token_but_any_other_address_does()
    {
        new AgentOptions { Dir = "/d" }.Validate();
        var open = new AgentOptions { Dir = "/d", Listen = "0.0.0.0:8000" };
        Assert.Contains("FERRY_AGENT_TOKEN", Assert.ThrowsAny<FerryException>(open.Validate).Message);
        (open with { Token = "t" }).Validate();
    }

    [Fact]
    public void Limits_must_be_usable()
    {
        Assert.Contains("--max-parallel", Assert.ThrowsAny<FerryException>(new AgentOptions { Dir = "/d", MaxParallel = 0 }.Validate).Message);
        Assert.Contains("--bandwidth-limit", Assert.ThrowsAny<FerryException>(new AgentOptions { Dir = "/d", BandwidthLimit = 0 }.Validate).Message);
        Assert.Contains("--retry-cap", Assert.ThrowsAny<FerryException>(new AgentOptions { Dir = "/d", RetryCap = TimeSpan.FromMilliseconds(50) }.Validate).Message);
        Assert.Equal("/d/.ferry-agent", new AgentOptions { Dir = "/d" }.StateDir);
    }
}
