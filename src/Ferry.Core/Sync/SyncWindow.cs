namespace Ferry.Core.Sync;

/// <summary>
/// When a sync entry may run: from <see cref="Since"/> (or from the moment the daemon first saw the entry) until
/// <see cref="Until"/>, and for at most <see cref="For"/> after that start. A campaign ("mirror SITE-A for the two
/// weeks of the migration") is written once and stops by itself, instead of someone having to remember to remove it.
/// </summary>
public sealed record SyncWindow(DateTimeOffset? Since, DateTimeOffset? Until, TimeSpan? For)
{
    public static readonly SyncWindow Always = new(null, null, null);

    public WindowState StateAt(DateTimeOffset now, DateTimeOffset firstSeen)
    {
        if (Since is { } since && now < since) return WindowState.NotYet;
        if (Until is { } until && now >= until) return WindowState.Over;
        if (For is { } length && now >= (Since ?? firstSeen) + length) return WindowState.Over;
        return WindowState.Open;
    }

    public string Describe() =>
        this == Always ? "always" : string.Join(" ", new[]
        {
            Since is { } s ? $"since {s:yyyy-MM-ddTHH:mm:ssZ}" : null,
            Until is { } u ? $"until {u:yyyy-MM-ddTHH:mm:ssZ}" : null,
            For is { } f ? $"for {f.TotalSeconds:F0}s" : null,
        }.Where(p => p is not null));
}

public enum WindowState { NotYet, Open, Over }
