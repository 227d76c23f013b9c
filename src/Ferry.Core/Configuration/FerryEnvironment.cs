using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Ferry.Core.Errors;

namespace Ferry.Core.Configuration;

/// <summary>A FERRY_* setting that does not parse: one line naming the variable, for the CLI to print and exit on.</summary>
public sealed class FerryConfigurationException(string message) : FerryException("ConfigurationError", 400, message);

/// <summary>
/// The one reader of environment variables. Everything else takes an instance (the process's, or a dictionary a caller
/// built — an in-process test server gets its own), so that the banned-API analyzer can refuse
/// <c>Environment.GetEnvironmentVariable</c> everywhere but here. Asking for a <c>FERRY_*</c> name that
/// <see cref="FerryVariables"/> does not declare, or for another name not in <see cref="Outside"/>, is a programming
/// error and throws: a knob cannot be added without its documentation. Malformed numbers and durations throw
/// <see cref="FerryConfigurationException"/> naming the variable instead of falling back silently.
/// </summary>
public sealed class FerryEnvironment : IReadOnlyDictionary<string, string?>
{
    /// <summary>Variables Ferry reads that are not its own (the user's home, Rucio's config file).</summary>
    public static readonly IReadOnlyList<string> Outside = ["HOME", "XDG_CACHE_HOME", "RUCIO_CONFIG"];

    private static readonly HashSet<string> Known = [.. FerryVariables.Declared.Select(v => v.Name), .. Outside];
    private static readonly Lazy<FerryEnvironment> ProcessEnvironment = new(ReadProcess);
    private readonly Dictionary<string, string?> _values;

    public FerryEnvironment(IEnumerable<KeyValuePair<string, string?>> values) =>
        _values = values.Where(kv => Known.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>The process's environment, read once.</summary>
    public static FerryEnvironment Process => ProcessEnvironment.Value;

    /// <summary>The value, or null when unset or empty.</summary>
    public string? Get(string name)
    {
        if (!Known.Contains(name))
            throw new InvalidOperationException($"{name} is not declared in FerryVariables (or FerryEnvironment.Outside): declare and document it first");
        return _values.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v : null;
    }

    /// <summary>True when the variable is "1" (the on-switches such as FERRY_TIMING).</summary>
    public bool Flag(string name) => Get(name) == "1";

    /// <summary>A whole number of at least <paramref name="min"/>, or <paramref name="fallback"/> when unset.</summary>
    public int Int(string name, int fallback, int min = 1) =>
        Get(name) is not { } text ? fallback
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min ? v
        : throw new FerryConfigurationException($"{name} is '{text}', not a whole number of at least {min}");

    /// <summary>A whole number of at least <paramref name="min"/>, or <paramref name="fallback"/> when unset.</summary>
    public long Long(string name, long fallback, long min = 1) =>
        Get(name) is not { } text ? fallback
        : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min ? v
        : throw new FerryConfigurationException($"{name} is '{text}', not a whole number of at least {min}");

    /// <summary>A whole number of seconds of at least <paramref name="min"/>, or <paramref name="fallback"/> when unset.</summary>
    public TimeSpan Seconds(string name, TimeSpan fallback, int min = 1) =>
        Get(name) is null ? fallback : TimeSpan.FromSeconds(Int(name, 0, min));

    // Dictionary access, for code that takes the environment as a dictionary (ClientSettings, sync sources). Reads
    // through it are checked like Get but see the raw value; enumeration lists the known variables that are set.
    public string? this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key);
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string? value)
    {
        Get(key);
        return _values.TryGetValue(key, out value);
    }
    public bool ContainsKey(string key) => TryGetValue(key, out _);
    public IEnumerable<string> Keys => _values.Keys;
    public IEnumerable<string?> Values => _values.Values;
    public int Count => _values.Count;
    public IEnumerator<KeyValuePair<string, string?>> GetEnumerator() => _values.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static FerryEnvironment ReadProcess()
    {
        // The one place Ferry reads the process environment (BannedSymbols.txt bans it everywhere else).
#pragma warning disable RS0030
        var all = System.Environment.GetEnvironmentVariables();
#pragma warning restore RS0030
        return new(all.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, string?>((string)e.Key, (string?)e.Value)));
    }
}
