namespace Ferry.Agent.Server;

/// <summary>Capped exponential backoff with jitter: 1 s, 2 s, 4 s ... up to the cap, each shortened by up to 20%.</summary>
public static class Backoff
{
    public static TimeSpan Delay(int failures, TimeSpan cap, double jitter01)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var seconds = Math.Min(cap.TotalSeconds, Math.Pow(2, exponent));
        // Jitter only shortens, so the cap stays a cap; many agents restarted together do not retry in lockstep.
        return TimeSpan.FromSeconds(seconds * (1 - 0.2 * Math.Clamp(jitter01, 0, 1)));
    }
}
