using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Rules;
using Ferry.Server.Http;

namespace Ferry.Server.Endpoints;

/// <summary>
/// A rule as the wire sends it (POST /rules/, a DID's "rules", `ferry data replicate`) read into a <see cref="RuleSpec"/>:
/// names, types and Rucio's spellings only. What is allowed is decided by the application layer
/// (Ferry.Engine.Application.Rules.RuleRequests and <see cref="RuleSpec.Validated"/>).
/// </summary>
internal static class RuleWire
{
    /// <param name="defaultCopies">Copies when the body names none; null means the body must (Rucio's KeyError otherwise).</param>
    public static RuleSpec Spec(JsonObject body, string callerAccount, IReadOnlyList<(string, string)> dids, int? defaultCopies = null)
    {
        var copies = body.OptLong("copies") ?? defaultCopies ?? throw new FerryException("KeyError", 400, "'copies' not defined");
        var notify = body.OptString("notify")?.ToUpperInvariant() switch
        {
            null or "N" or "NO" => "NO", "Y" or "YES" => "YES", "C" or "CLOSE" => "CLOSE", "P" or "PROGRESS" => "PROGRESS",
            var other => throw FerryException.Invalid($"Unknown notify value '{other}': use Y, N, C or P"),
        };
        // Rucio's client sends these on every rule (null and false when unused); Ferry places a rule at once and has no
        // approval workflow, so asking for either is refused rather than silently ignored.
        if (body["delay_injection"] is not null) throw FerryException.Invalid("delay_injection is not supported by Ferry: a rule is placed when it is created");
        if (body.OptBool("ask_approval") == true) throw FerryException.Invalid("ask_approval is not supported by Ferry: rules need no approval");
        return new RuleSpec
        {
            // Out-of-range counts stay out of range (clamped, not wrapped) for the spec's copies check to refuse.
            Dids = dids, Account = body.OptString("account") ?? callerAccount, Copies = (int)Math.Clamp(copies, int.MinValue, int.MaxValue),
            RseExpression = body.RequiredString("rse_expression"),
            Grouping = body.OptString("grouping") is { } g ? EnumNames.ParseGrouping(g) : RuleGrouping.Dataset,
            Weight = body.OptString("weight"), LifetimeSeconds = body.OptLong("lifetime"), Locked = body.OptBool("locked") ?? false,
            SourceReplicaExpression = body.OptString("source_replica_expression"), Activity = body.OptString("activity"),
            Notification = notify, PurgeReplicas = body.OptBool("purge_replicas") ?? false, IgnoreAvailability = body.OptBool("ignore_availability") ?? false,
            Priority = (int)(body.OptLong("priority") ?? 3), Comment = body.OptString("comment"),
            IgnoreAccountLimit = body.OptBool("ignore_account_limit") ?? false, SplitContainer = body.OptBool("split_container") ?? false,
            Meta = MetaText(body["meta"]),
        };
    }

    /// <summary>Rucio keeps a rule's meta as the JSON text of whatever was sent, and returns that text.</summary>
    public static string? MetaText(JsonNode? meta) => RuleSpec.CheckMeta(meta?.ToJsonString());

    /// <summary>The "dids" list of a rule request: Rucio's KeyError when it is missing.</summary>
    public static List<(string, string)> Dids(JsonObject body) =>
        (body.OptArray("dids") ?? throw new FerryException("KeyError", 400, "'dids' not defined"))
            .Select(d => Json.AsObject(d, "Each DID")).Select(o => (Ferry.Core.Identifiers.Names.Scope(o.RequiredString("scope")),
                Ferry.Core.Identifiers.Names.DidName(o.RequiredString("name")))).ToList();
}
