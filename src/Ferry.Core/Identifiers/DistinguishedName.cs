namespace Ferry.Core.Identifiers;

/// <summary>X.509 distinguished names as identities: Ferry stores them in OpenSSL's slash form, as Rucio does.</summary>
public static class DistinguishedName
{
    /// <summary>
    /// The slash form of a DN given in RFC 4514's comma form (least significant first, as Rucio's own tools and
    /// <c>openssl -nameopt RFC2253</c> print it): <c>CN=Jane,OU=Users,DC=org</c> becomes <c>/DC=org/OU=Users/CN=Jane</c>.
    /// A DN already in slash form is returned unchanged. Escaped commas (<c>\,</c>) stay inside their attribute.
    /// </summary>
    public static string ToSlashForm(string dn)
    {
        if (dn.StartsWith('/') || !dn.Contains('=')) return dn;
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < dn.Length; i++)
        {
            if (dn[i] == '\\' && i + 1 < dn.Length) { current.Append(dn[++i]); continue; }
            if (dn[i] == ',') { parts.Add(current.ToString().Trim()); current.Clear(); continue; }
            current.Append(dn[i]);
        }
        parts.Add(current.ToString().Trim());
        parts.Reverse();
        return "/" + string.Join('/', parts);
    }
}
