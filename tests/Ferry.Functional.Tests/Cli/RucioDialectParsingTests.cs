using System.Net;
using Ferry.Client.Data;
using Ferry.Client.Http;
using Ferry.Transfer.Upload;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Selection;

namespace Ferry.Functional.Tests.Cli;

/// <summary>The pure decisions the client takes on a Rucio server's answers, with the answers as the real Rucio 41 server gives them.</summary>
public sealed class RucioDialectParsingTests
{
    private static readonly Uri Request = new("http://127.0.0.1:18080/scopes/owner");

    [Theory]
    [InlineData(HttpStatusCode.PermanentRedirect, "http://127.0.0.1:18080/scopes/owner/", "http://127.0.0.1:18080/scopes/owner/")]
    [InlineData(HttpStatusCode.TemporaryRedirect, "/scopes/owner/", "http://127.0.0.1:18080/scopes/owner/")]
    [InlineData(HttpStatusCode.PermanentRedirect, "owner/", "http://127.0.0.1:18080/scopes/owner/")]
    public void Only_307_and_308_are_followed_and_relative_locations_resolve_against_the_request(HttpStatusCode status, string location, string expected) =>
        Assert.Equal(new Uri(expected), Redirects.Target(status, Request, new Uri(location, UriKind.RelativeOrAbsolute)));

    [Theory]
    [InlineData(HttpStatusCode.MovedPermanently)]
    [InlineData(HttpStatusCode.Found)]
    [InlineData(HttpStatusCode.SeeOther)]   // whoami's answer: read, not followed
    [InlineData(HttpStatusCode.OK)]
    public void Other_answers_are_not_followed(HttpStatusCode status) =>
        Assert.Null(Redirects.Target(status, Request, new Uri("/elsewhere", UriKind.Relative)));

    [Fact]
    public void A_redirect_to_a_non_http_scheme_is_not_followed() =>
        Assert.Null(Redirects.Target(HttpStatusCode.PermanentRedirect, Request, new Uri("file:///etc/passwd")));

    [Fact]
    public async Task A_resent_request_keeps_method_and_body_and_credentials_only_on_the_same_origin()
    {
        using var original = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:18080/rules") { Content = new StringContent("""{"copies":1}""") };
        original.Headers.Add("X-Rucio-Auth-Token", "t");
        original.Headers.Add("X-Rucio-Account", "root");
        var body = await original.Content.ReadAsByteArrayAsync();

        using var same = Redirects.Resend(original, original.RequestUri!, new Uri("http://127.0.0.1:18080/rules/"), body);
        Assert.Equal(HttpMethod.Post, same.Method);
        Assert.Equal("""{"copies":1}""", await same.Content!.ReadAsStringAsync());
        Assert.True(same.Headers.Contains("X-Rucio-Auth-Token"));

        using var other = Redirects.Resend(original, original.RequestUri!, new Uri("http://127.0.0.1:18081/rules/"), body);
        Assert.Equal("""{"copies":1}""", await other.Content!.ReadAsStringAsync());
        Assert.False(other.Headers.Contains("X-Rucio-Auth-Token"));
        Assert.False(other.Headers.Contains("X-Rucio-Account"));
    }

    [Fact]
    public void Rucio_errors_are_read_from_the_body_first_then_the_headers()
    {
        // The header message is cut at 125 characters and ends with "..."; the body has it whole.
        var whole = new string('x', 200);
        Assert.Equal(("DataIdentifierNotFound", whole),
            ErrorAnswers.Read(404, "NOT FOUND", $$"""{"ExceptionClass": "DataIdentifierNotFound", "ExceptionMessage": "{{whole}}"}""", "DataIdentifierNotFound", whole[..125] + "..."));
        Assert.Equal(("AccessDenied", "Account root can not add RSE"), ErrorAnswers.Read(401, "UNAUTHORIZED", "", "AccessDenied", "Account root can not add RSE"));
    }

    [Fact]
    public void A_schema_error_spanning_lines_becomes_one_line()
    {
        var (cls, message) = ErrorAnswers.Read(400, "BAD REQUEST",
            """{"ExceptionClass": "InvalidObject", "ExceptionMessage": "Problem validating dids: None is not of type 'string'\n\nFailed validating 'type' in schema['items']['properties']['md5']:\n    {'type': 'string'}"}""", null, null);
        Assert.Equal("InvalidObject", cls);
        Assert.DoesNotContain('\n', message);
        Assert.StartsWith("Problem validating dids: None is not of type 'string' Failed validating", message);
    }

    [Fact]
    public void An_HTML_404_names_the_route_instead_of_a_bare_status()
    {
        var (cls, message) = ErrorAnswers.Read(404, "NOT FOUND", "<!doctype html>\n<title>404 Not Found</title>", null, null, "POST", "ferry/data/select");
        Assert.Equal("HTTP404", cls);
        Assert.Equal("the server has no route for POST /ferry/data/select (HTTP 404 NOT FOUND)", message);
    }

    [Theory]
    [InlineData(404, false, true)]
    [InlineData(405, false, true)]
    [InlineData(404, true, false)]    // a Ferry endpoint's own not-found (SubscriptionNotFound) carries its class
    [InlineData(401, false, false)]
    public void A_missing_route_is_a_404_or_405_without_an_exception_class(int status, bool hasClass, bool missing) =>
        Assert.Equal(missing, FerryExtensions.IsMissingRoute(status, hasClass));

    [Fact]
    public void The_missing_capability_line_names_the_API_and_the_command()
    {
        Assert.True(FerryExtensions.IsExtensionPath("ferry/data/select"));
        Assert.False(FerryExtensions.IsExtensionPath("dids/user.root/ferry"));
        var e = FerryExtensions.Missing("http://127.0.0.1:18080", "ferry/subscriptions/raw/history?x=1");
        Assert.Equal(FerryExtensions.MissingCapability, e.ExceptionClass);
        Assert.Equal("ferry subscription history: the server at http://127.0.0.1:18080 has no /ferry/subscriptions API (it is not a Ferry server; Rucio has no such endpoints), and this command needs it",
            Ferry.Cli.FerryCli.MissingCapabilityLine("ferry subscription history", e.Message));
    }

    [Fact]
    public void Newline_delimited_answers_read_as_a_list()
    {
        var list = Json.ParseValueOrLines("{\"type\": \"USERPASS\", \"identity\": \"ddmlab\"}\n{\"type\": \"X509\", \"identity\": \"CN=Rucio User\"}\n");
        Assert.Equal(2, list.GetArrayLength());
        Assert.Equal(3, Json.ParseValueOrLines("[1,2,3]").GetArrayLength());
    }

    [Fact]
    public void The_DID_search_gets_the_base_filters_as_a_Python_literal_and_refuses_rule_conditions()
    {
        var s = new DataSelection
        {
            Meta = [new("run_number", "it's 42")], CreatedAfter = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), Type = SelectionType.All,
        };
        Assert.Equal("[{'name': '*', 'run_number': 'it\\'s 42', 'created_at.gt': '2026-11-01T00:00:00'}]", RucioSelection.Filters(s));
        Assert.Equal("collection", RucioSelection.SearchType(s.Type));   // Rucio's "all" includes files
        Assert.Null(RucioSelection.Unsupported(s));
        Assert.Equal("--no-rule-on", RucioSelection.Unsupported(s with { NoRuleOn = ["tier=1"] }));
    }

    [Theory]
    [InlineData("file://localhost/srv/rse/user/root/d5/d5/f1.dat", true)]
    [InlineData("file://localhost/srv/rse/../etc/f1.dat", false)]
    [InlineData("file://localhost/srv/other/f1.dat", false)]
    [InlineData("file://localhost/srv/rse/", false)]
    public void A_server_path_is_used_only_below_the_protocol_prefix(string pfn, bool ok)
    {
        var did = new DidRef("user.root", "f1.dat");
        if (ok) Assert.Equal(pfn, Uploader.Inside("file://localhost/srv/rse/", pfn, did));
        else Assert.Equal("InvalidPath", Assert.Throws<FerryException>(() => Uploader.Inside("file://localhost/srv/rse/", pfn, did)).ExceptionClass);
    }
}
