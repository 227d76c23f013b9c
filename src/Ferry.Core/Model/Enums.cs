using Ferry.Core.Errors;

namespace Ferry.Core.Model;

public enum DidType { File, Dataset, Container }
public enum ReplicaState { Available, Unavailable, Copying, BeingDeleted, Bad, TemporaryUnavailable }
public enum RuleState { Replicating, Ok, Stuck, Suspended }
public enum LockState { Replicating, Ok, Stuck }
public enum RuleGrouping { All, Dataset, None }
public enum AccountType { User, Group, Service }
public enum RequestState { Queued, Submitted, Done, Failed }

/// <summary>Wire names (as Rucio serialises enums) and the one-letter database codes some inputs use.</summary>
public static class EnumNames
{
    public static string Wire(this DidType t) => t switch { DidType.File => "FILE", DidType.Dataset => "DATASET", _ => "CONTAINER" };
    public static string Wire(this ReplicaState s) => s switch
    {
        ReplicaState.Available => "AVAILABLE", ReplicaState.Unavailable => "UNAVAILABLE", ReplicaState.Copying => "COPYING",
        ReplicaState.BeingDeleted => "BEING_DELETED", ReplicaState.Bad => "BAD", _ => "TEMPORARY_UNAVAILABLE",
    };
    public static string Wire(this RuleState s) => s switch
    {
        RuleState.Replicating => "REPLICATING", RuleState.Ok => "OK", RuleState.Stuck => "STUCK", _ => "SUSPENDED",
    };
    public static string Wire(this LockState s) => s switch { LockState.Replicating => "REPLICATING", LockState.Ok => "OK", _ => "STUCK" };
    public static string Wire(this RuleGrouping g) => g switch { RuleGrouping.All => "ALL", RuleGrouping.Dataset => "DATASET", _ => "NONE" };
    public static string Wire(this AccountType t) => t switch { AccountType.User => "USER", AccountType.Group => "GROUP", _ => "SERVICE" };
    public static string Wire(this RequestState s) => s.ToString().ToUpperInvariant();

    public static char Code(this RuleState s) => s switch { RuleState.Replicating => 'R', RuleState.Ok => 'O', RuleState.Stuck => 'S', _ => 'U' };
    public static char Code(this DidType t) => t switch { DidType.File => 'F', DidType.Dataset => 'D', _ => 'C' };
    public static char Code(this RuleGrouping g) => g switch { RuleGrouping.All => 'A', RuleGrouping.Dataset => 'D', _ => 'N' };

    public static DidType ParseDidType(string s) => s.ToUpperInvariant() switch
    {
        "FILE" or "F" => DidType.File, "DATASET" or "D" => DidType.Dataset, "CONTAINER" or "C" => DidType.Container,
        _ => throw FerryException.Invalid($"Unknown DID type '{s}': expected FILE, DATASET or CONTAINER"),
    };

    public static ReplicaState ParseReplicaState(string s) => s.ToUpperInvariant() switch
    {
        "A" or "AVAILABLE" => ReplicaState.Available, "U" or "UNAVAILABLE" => ReplicaState.Unavailable,
        "C" or "COPYING" => ReplicaState.Copying, "B" or "BEING_DELETED" => ReplicaState.BeingDeleted,
        "D" or "BAD" => ReplicaState.Bad, "T" or "TEMPORARY_UNAVAILABLE" => ReplicaState.TemporaryUnavailable,
        _ => throw FerryException.Invalid($"Unknown replica state '{s}'"),
    };

    public static RuleGrouping ParseGrouping(string s) => s.ToUpperInvariant() switch
    {
        "ALL" or "A" => RuleGrouping.All, "DATASET" or "D" => RuleGrouping.Dataset, "NONE" or "N" => RuleGrouping.None,
        _ => throw FerryException.Invalid($"Unknown grouping '{s}': expected ALL, DATASET or NONE"),
    };

    public static RuleState ParseRuleState(string s) => s.ToUpperInvariant() switch
    {
        "R" or "REPLICATING" => RuleState.Replicating, "O" or "OK" => RuleState.Ok, "S" or "STUCK" => RuleState.Stuck,
        "U" or "SUSPENDED" => RuleState.Suspended,
        _ => throw FerryException.Invalid($"Unknown rule state '{s}'"),
    };

    public static AccountType ParseAccountType(string s) => s.ToUpperInvariant() switch
    {
        "USER" => AccountType.User, "GROUP" => AccountType.Group, "SERVICE" => AccountType.Service,
        _ => throw new FerryException("InvalidAccountType", 400, $"{s} is an invalid account type: choose from USER, GROUP or SERVICE"),
    };
}
