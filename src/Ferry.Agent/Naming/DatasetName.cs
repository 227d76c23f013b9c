using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Agent.Naming;

/// <summary>
/// ds_name as scripts send it: <c>scope:name</c>, or a bare ATLAS-style name whose scope is the part before the first
/// dot (<c>data18_13TeV.00348885...</c> is in scope <c>data18_13TeV</c>). For <c>user.</c> and <c>group.</c> names the
/// scope is the first two parts (<c>user.jdoe.mydata</c> is in <c>user.jdoe</c>), as ATLAS names its user scopes.
/// </summary>
public static class DatasetName
{
    public static DidRef Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw FerryException.Invalid("ds_name is missing: give scope:name, or a name whose scope is the part before its first dot");
        text = text.Trim();
        if (text.Contains(':', StringComparison.Ordinal)) return DidRef.Parse(text);
        var parts = text.Split('.');
        if (parts.Length < 2 || parts[0].Length == 0)
            throw FerryException.Invalid($"'{Names.Printable(text)}' has no scope and none can be inferred (no '.' in it): write it as scope:name");
        var scope = parts[0] is "user" or "group" && parts.Length > 2 ? $"{parts[0]}.{parts[1]}" : parts[0];
        return new DidRef(Names.Scope(scope), Names.DidName(text));
    }
}
