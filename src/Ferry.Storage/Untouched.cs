using Ferry.Storage.Verification;

namespace Ferry.Storage;

internal static class Untouched
{
    /// <summary>Whether nothing has been read from <paramref name="content"/> yet, so a refused write can be tried again.</summary>
    public static bool Stream(Stream content) => content switch
    {
        ChecksumReadStream c => c.BytesRead == 0,
        { CanSeek: true } => content.Position == 0,
        _ => false,
    };
}
