using System.Text.Json;
using Ferry.Cli.Output;

namespace Ferry.Cli.Tests.Output;

/// <summary>How one JSON value becomes a table cell.</summary>
public sealed class RenderTests
{
    private static readonly JsonElement Row = JsonDocument.Parse("""
        {"s": "text", "n": 42, "z": null, "t": true, "f": false, "a": ["x", 1, null], "o": {"k": 1}}
        """).RootElement;

    [Theory]
    [InlineData("s", "text")]
    [InlineData("n", "42")]
    [InlineData("z", "")]
    [InlineData("t", "true")]
    [InlineData("f", "false")]
    [InlineData("a", "x,1,null")]
    [InlineData("o", """{"k": 1}""")]
    [InlineData("missing", "")]
    public void Cells(string column, string text)
    {
        Assert.Equal(text, Render.Cell(Row, column));
    }

    [Fact]
    public void A_bare_string_row_is_its_own_cell_in_every_column()
    {
        Assert.Equal("SITE_A", Render.Cell(JsonDocument.Parse("\"SITE_A\"").RootElement, "rse"));
        Assert.Equal("", Render.Cell(JsonDocument.Parse("3").RootElement, "rse"));
    }
}
