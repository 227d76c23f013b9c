using Ferry.Cli.Output;

namespace Ferry.Cli.Tests.Output;

/// <summary>Sizes as people write them (decimal and binary units), and sizes as the CLI prints them.</summary>
public sealed class SizesTests
{
    [Theory]
    [InlineData("500GB", 500_000_000_000L)]
    [InlineData("2TiB", 2L << 40)]
    [InlineData("1.5KiB", 1536L)]
    [InlineData("10kB", 10_000L)]
    [InlineData("1000000", 1_000_000L)]
    [InlineData("7B", 7L)]
    [InlineData(" 3MB ", 3_000_000L)]
    [InlineData("unlimited", -1L)]
    [InlineData("UNLIMITED", -1L)]
    [InlineData("-1", -1L)]
    public void Sizes_parse(string text, long bytes)
    {
        Assert.Equal(bytes, Sizes.Parse(text));
    }

    [Theory]
    [InlineData("5 apples")]
    [InlineData("-5GB")]
    [InlineData("-2")]
    [InlineData("1.5")]
    [InlineData("GB")]
    [InlineData("5gb")]
    public void Anything_else_is_a_usage_error_with_examples(string text)
    {
        var e = Assert.Throws<UsageException>(() => Sizes.Parse(text));
        Assert.Contains("500GB", e.Message);
    }

    [Theory]
    [InlineData(-1L, "unlimited")]
    [InlineData(long.MaxValue, "unlimited")]
    [InlineData(512L, "512 B")]
    [InlineData(1536L, "1.5 KiB")]
    [InlineData(5L << 20, "5.0 MiB")]
    [InlineData(3L << 30, "3.00 GiB")]
    [InlineData(2L << 40, "2048.00 GiB")]
    public void Sizes_print_in_binary_units(long bytes, string text)
    {
        Assert.Equal(text, Sizes.Format(bytes));
    }
}
