namespace Ferry.Server;

public static class ServerInfo
{
    /// <summary>Reported by /ping. Clients pick behaviours by the major version, so Ferry reports the Rucio version whose dialect it speaks.</summary>
    public const string Version = "41.0.0";
}
