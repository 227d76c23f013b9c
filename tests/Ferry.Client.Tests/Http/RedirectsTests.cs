using System.Net;
using Ferry.Client.Http;

namespace Ferry.Client.Tests.Http;

/// <summary>Only 307 and 308 are followed, and credentials never leave the server they were meant for.</summary>
public sealed class RedirectsTests
{
    private static readonly Uri Request = new("https://ferry.example.org/scopes/owner");

    [Fact]
    public void A_relative_308_resolves_against_the_request()
    {
        Assert.Equal(new Uri("https://ferry.example.org/scopes/owner/"), Redirects.Target(HttpStatusCode.PermanentRedirect, Request, new Uri("/scopes/owner/", UriKind.Relative)));
    }

    [Theory]
    [InlineData(HttpStatusCode.MovedPermanently)]
    [InlineData(HttpStatusCode.Found)]
    [InlineData(HttpStatusCode.SeeOther)]
    [InlineData(HttpStatusCode.OK)]
    public void Redirects_that_may_change_the_method_are_not_followed(HttpStatusCode status)
    {
        Assert.Null(Redirects.Target(status, Request, new Uri("https://ferry.example.org/x")));
    }

    [Fact]
    public void Only_http_targets_and_only_with_a_location()
    {
        Assert.Null(Redirects.Target(HttpStatusCode.TemporaryRedirect, Request, new Uri("file:///etc/passwd")));
        Assert.Null(Redirects.Target(HttpStatusCode.TemporaryRedirect, Request, null));
    }

    [Fact]
    public void Credentials_stay_with_the_same_scheme_host_and_port()
    {
        Assert.True(Redirects.KeepsCredentials(Request, new Uri("https://FERRY.example.org/other")));
        Assert.False(Redirects.KeepsCredentials(Request, new Uri("http://ferry.example.org/scopes/owner")));
        Assert.False(Redirects.KeepsCredentials(Request, new Uri("https://ferry.example.org:8443/scopes/owner")));
        Assert.False(Redirects.KeepsCredentials(Request, new Uri("https://evil.example.org/scopes/owner")));
    }

    [Theory]
    [InlineData("Authorization", true)]
    [InlineData("authorization", true)]
    [InlineData("x-rucio-auth-token", true)]
    [InlineData("X-Rucio-Account", true)]
    [InlineData("COOKIE", true)]
    [InlineData("Accept", false)]
    [InlineData("X-Request-Id", false)]
    public void Credential_headers_are_recognised_in_any_case(string header, bool credential)
    {
        Assert.Equal(credential, Redirects.IsCredential(header));
    }

    [Fact]
    public void A_resent_request_drops_credentials_off_server_but_keeps_method_body_and_content_type()
    {
        using var original = new HttpRequestMessage(HttpMethod.Post, Request) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        original.Headers.TryAddWithoutValidation("X-Rucio-Auth-Token", "tok");
        original.Headers.TryAddWithoutValidation("Authorization", "Bearer tok");
        original.Headers.TryAddWithoutValidation("Accept", "application/json");
        var target = new Uri("https://mirror.example.org/scopes/owner/");
        using var next = Redirects.Resend(original, Request, target, "{}"u8.ToArray());
        Assert.Equal(HttpMethod.Post, next.Method);
        Assert.Equal(target, next.RequestUri);
        Assert.False(next.Headers.Contains("X-Rucio-Auth-Token"));
        Assert.False(next.Headers.Contains("Authorization"));
        Assert.True(next.Headers.Contains("Accept"));
        Assert.Equal("application/json", next.Content!.Headers.ContentType!.MediaType);
        using var same = Redirects.Resend(original, Request, new Uri("https://ferry.example.org/scopes/owner/"), null);
        Assert.True(same.Headers.Contains("X-Rucio-Auth-Token"));
        Assert.Null(same.Content);
    }
}
