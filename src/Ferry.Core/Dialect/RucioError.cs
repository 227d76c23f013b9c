using System.Text.Json.Serialization;

namespace Ferry.Core.Dialect;

/// <summary>The body of every error answer, with Rucio's spelling of its two keys (the only keys Rucio does not snake_case).</summary>
public sealed record RucioError(
    [property: JsonPropertyName("ExceptionClass")] string ExceptionClass,
    [property: JsonPropertyName("ExceptionMessage")] string ExceptionMessage);
