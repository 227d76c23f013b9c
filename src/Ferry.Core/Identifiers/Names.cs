using System.Text.RegularExpressions;
using Ferry.Core.Errors;

namespace Ferry.Core.Identifiers;

/// <summary>Validation of the names that reach storage paths or SQL; Rucio's patterns, plus path-trick checks.</summary>
public static partial class Names
{
    [GeneratedRegex("^[a-zA-Z_\\-.0-9]+$")] private static partial Regex ScopeRx();
    [GeneratedRegex("^[/A-Za-z0-9][/A-Za-z0-9.\\-_]*$")] private static partial Regex DidNameRx();
    [GeneratedRegex("^[a-z0-9-_]+$")] private static partial Regex AccountRx();
    [GeneratedRegex("^([A-Z0-9]+([_-][A-Z0-9]+)*)$")] private static partial Regex RseRx();

    public static string Scope(string? scope)
    {
        if (string.IsNullOrEmpty(scope)) throw FerryException.Invalid("Scope must not be empty");
        if (scope.Length > 25 || !ScopeRx().IsMatch(scope) || scope is "." or "..")
            throw FerryException.Invalid($"Invalid scope '{Printable(scope)}': up to 25 characters of letters, digits, '_', '-', '.'");
        return scope;
    }

    public static string DidName(string? name)
    {
        if (string.IsNullOrEmpty(name)) throw FerryException.Invalid("DID name must not be empty");
        if (name.Length > 250) throw FerryException.Invalid($"DID name is {name.Length} characters long; the limit is 250");
        if (!DidNameRx().IsMatch(name))
            throw FerryException.Invalid($"Invalid DID name '{Printable(name)}': it must start with a letter, digit or '/' and contain only letters, digits, '/', '.', '-', '_'");
        // A name becomes a path below the RSE prefix: a '.' or '..' segment could climb out of it.
        foreach (var segment in name.Split('/'))
            if (segment is "." or "..")
                throw FerryException.Invalid($"Invalid DID name '{name}': '.' and '..' path segments are not allowed");
        if (name.Contains("//", StringComparison.Ordinal))
            throw FerryException.Invalid($"Invalid DID name '{name}': empty path segments are not allowed");
        return name;
    }

    public static string Account(string? account)
    {
        if (string.IsNullOrEmpty(account) || account.Length > 25 || !AccountRx().IsMatch(account))
            throw FerryException.Invalid($"Invalid account name '{Printable(account ?? "")}': up to 25 characters of a-z, 0-9, '-', '_'");
        return account;
    }

    public static string Rse(string? rse)
    {
        if (string.IsNullOrEmpty(rse) || rse.Length > 255 || !RseRx().IsMatch(rse))
            throw FerryException.Invalid($"Invalid RSE name '{Printable(rse ?? "")}': upper-case letters and digits, groups joined by single '_' or '-'");
        return rse;
    }

    /// <summary>Messages echo user input; control characters would garble terminals and logs.</summary>
    public static string Printable(string s)
    {
        var t = new string(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return t.Length > 80 ? t[..80] + "..." : t;
    }
}

/// <summary>A data identifier, scope:name.</summary>
public readonly record struct DidRef(string Scope, string Name)
{
    public override string ToString() => $"{Scope}:{Name}";

    public static DidRef Parse(string text, string? defaultScope = null)
    {
        var i = text.IndexOf(':', StringComparison.Ordinal);
        if (i < 0)
        {
            if (defaultScope is null) throw FerryException.Invalid($"'{Names.Printable(text)}' is not a DID: write it as scope:name");
            return new DidRef(Names.Scope(defaultScope), Names.DidName(text));
        }
        return new DidRef(Names.Scope(text[..i]), Names.DidName(text[(i + 1)..]));
    }
}
