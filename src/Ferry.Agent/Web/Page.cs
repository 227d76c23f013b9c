namespace Ferry.Agent.Web;

/// <summary>The web page, read once from the assembly (Web/index.html, plain HTML and JavaScript, no build step).</summary>
public static class Page
{
    public static string Html { get; } = Load();

    private static string Load()
    {
        using var stream = typeof(Page).Assembly.GetManifestResourceStream("Ferry.Agent.index.html")
            ?? throw new InvalidOperationException("the agent's web page is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
