namespace Ferry.Core.Errors;

/// <summary>
/// An error a person or a Rucio client can act on. <see cref="ExceptionClass"/> is the Rucio exception name,
/// because the official client looks exceptions up by that name; <see cref="Status"/> is the HTTP status Rucio uses.
/// </summary>
public class FerryException(string exceptionClass, int status, string message) : Exception(message)
{
    public string ExceptionClass { get; } = exceptionClass;
    public int Status { get; } = status;

    public static FerryException NotFound(string cls, string message) => new(cls, 404, message);
    public static FerryException Invalid(string message) => new("InvalidObject", 400, message);
    public static FerryException Conflict(string cls, string message) => new(cls, 409, message);
    public static FerryException Denied(string message) => new("AccessDenied", 401, message);

    public static FerryException DidNotFound(string scope, string name) =>
        NotFound("DataIdentifierNotFound", $"Data identifier '{scope}:{name}' not found");
    public static FerryException RseNotFound(string rse) => NotFound("RSENotFound", $"RSE '{rse}' not found");
    public static FerryException ScopeNotFound(string scope) => NotFound("ScopeNotFound", $"Scope '{scope}' does not exist");
    public static FerryException AccountNotFound(string account) => NotFound("AccountNotFound", $"Account '{account}' does not exist");
    public static FerryException RuleNotFound(string id) => NotFound("RuleNotFound", $"No replication rule found with the id {id}");
}
