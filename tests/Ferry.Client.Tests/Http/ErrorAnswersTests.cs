using Ferry.Client.Http;

namespace Ferry.Client.Tests.Http;

public sealed class ErrorAnswersTests
{
    [Fact]
    public void The_body_wins_over_the_headers_which_rucio_cuts_short()
    {
        var (cls, message) = ErrorAnswers.Read(404, "Not Found", """{"ExceptionClass": "DataIdentifierNotFound", "ExceptionMessage": "Data identifier 'a:b' not found"}""",
            "DataIdentifierNotFound", "Data identifier 'a:...");
        Assert.Equal("DataIdentifierNotFound", cls);
        Assert.Equal("Data identifier 'a:b' not found", message);
    }

    [Fact]
    public void Without_a_json_body_the_headers_are_read()
    {
        Assert.Equal(("AccessDenied", "no"), ErrorAnswers.Read(401, "Unauthorized", "<html>", "AccessDenied", "no"));
    }

    [Fact]
    public void An_answer_with_neither_names_the_request()
    {
        Assert.Equal(("HTTP404", "the server has no route for GET /ferry/data/select (HTTP 404 Not Found)"),
            ErrorAnswers.Read(404, "Not Found", "<html>nope</html>", null, null, "GET", "ferry/data/select"));
        Assert.Equal(("HTTP500", "HTTP 500 for POST /rules"), ErrorAnswers.Read(500, null, "", " ", "", "POST", "/rules"));
        Assert.Equal(("HTTP502", "HTTP 502 Bad Gateway"), ErrorAnswers.Read(502, "Bad Gateway", null, null, null));
    }

    [Fact]
    public void Non_string_fields_are_kept_as_their_json_and_messages_become_one_line()
    {
        var (cls, message) = ErrorAnswers.Read(400, null, """{"ExceptionClass": "InvalidObject", "ExceptionMessage": {"schema": 1}}""", null, null);
        Assert.Equal("InvalidObject", cls);
        Assert.Equal("""{"schema": 1}""", message);
        Assert.Equal("a b c", ErrorAnswers.OneLine("  a\n  b\t\tc \n"));
    }
}
