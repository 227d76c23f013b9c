namespace Ferry.Core.Sync;

/// <summary>
/// One file replica as a sync source or target states it: the file, its size and adler32, and the dataset
/// (<c>scope:name</c>) it belongs to on that RSE, or null for a file in no dataset.
/// </summary>
public sealed record CatalogueEntry(string Scope, string Name, long Bytes, string? Adler32, string? Dataset)
{
    public string Did => $"{Scope}:{Name}";
}

/// <summary>A line of an input file that could not be read, by its 1-based number.</summary>
public sealed record BadLine(int Line, string Problem)
{
    public override string ToString() => $"line {Line}: {Problem}";
}
