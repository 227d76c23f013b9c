using System.Text.Json;
using Ferry.Core.Errors;

namespace Ferry.Core.Traces;

/// <summary>What a trace says about one replica: a read of scope:name on the RSE <see cref="Rse"/>.</summary>
public sealed record ReplicaAccess(string Scope, string Name, string Rse);

/// <summary>
/// The trace a Rucio client posts to <c>/traces/</c> after each upload or download (one JSON object: eventType,
/// clientState, scope, filename, remoteSite, filesize, transferStart/End, ...). Rucio's server only logs a trace
/// that fails its schema; Ferry refuses one whose shape is wrong (not an object, no or unknown eventType, a field
/// of the wrong type) so that a broken sender is noticed, and ignores fields it does not know. A successful read
/// (download or get with a DONE-like clientState, or a touch) of a file on a named RSE is a replica access.
/// </summary>
public static class RucioTrace
{
    // Rucio's trace schemas (lib/rucio/core/trace.py) by event type.
    private static readonly HashSet<string> EventTypes =
    [
        "touch", "upload", "download", "get", "get_sm", "sm_get", "get_sm_a", "sm_get_a",
        "put", "put_sm", "put_sm_a", "sm_put", "sm_put_a", "sfo2eos",
    ];

    private static readonly HashSet<string> Reads = ["download", "get", "get_sm", "sm_get", "get_sm_a", "sm_get_a"];

    // States Rucio's clients report for a file that was read (or was already there, so its replica was found).
    private static readonly HashSet<string> ReadStates = ["DONE", "FOUND_ROOT", "ALREADY_DONE", "FILE_DONE"];

    private static readonly string[] StringFields =
    [
        "eventType", "eventVersion", "hostname", "localSite", "remoteSite", "account", "uuid", "scope", "filename", "name",
        "datasetScope", "dataset", "clientState", "stateReason", "protocol", "vo", "usrdn", "url", "pq", "appid",
    ];

    private static readonly string[] NumberFields = ["filesize", "transferStart", "transferEnd", "traceTimeentryUnix"];

    /// <summary>Checks the trace's shape; returns the replica it reports as read, or null when it reports none.</summary>
    public static ReplicaAccess? Parse(JsonElement trace)
    {
        if (trace.ValueKind != JsonValueKind.Object) throw FerryException.Invalid("A trace is one JSON object");
        foreach (var f in StringFields)
            if (trace.TryGetProperty(f, out var v) && v.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                throw FerryException.Invalid($"trace field '{f}' must be a string, got {v.ValueKind.ToString().ToLowerInvariant()}");
        foreach (var f in NumberFields)
            if (trace.TryGetProperty(f, out var v) && v.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null))
                throw FerryException.Invalid($"trace field '{f}' must be a number, got {v.ValueKind.ToString().ToLowerInvariant()}");
        var type = Str(trace, "eventType") ?? throw FerryException.Invalid("A trace needs an 'eventType' (download, get, touch, upload, ...)");
        if (!EventTypes.Contains(type.ToLowerInvariant()))
            throw FerryException.Invalid($"trace eventType '{Identifiers.Names.Printable(type)}' is not one Rucio knows ({string.Join(", ", EventTypes)})");
        type = type.ToLowerInvariant();
        var read = type == "touch" || Reads.Contains(type) && Str(trace, "clientState") is { } state && ReadStates.Contains(state.ToUpperInvariant());
        if (!read) return null;
        var scope = Str(trace, "scope");
        var name = Str(trace, "filename") ?? Str(trace, "name");
        var rse = Str(trace, "remoteSite");
        // No scope, name or RSE holds a control character, so such a trace names no replica (and a NUL must never
        // reach the store: PostgreSQL refuses it in text).
        return Usable(scope) && Usable(name) && Usable(rse) ? new ReplicaAccess(scope!, name!, rse!) : null;
    }

    private static bool Usable(string? s) => s is { Length: > 0 and <= 1000 } && !s.Any(char.IsControl);

    private static string? Str(JsonElement o, string key) => o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
