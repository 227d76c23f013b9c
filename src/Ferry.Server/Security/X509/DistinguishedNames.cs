using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Ferry.Server.Security.X509;

/// <summary>
/// DNs the way Rucio stores X.509 identities: OpenSSL's one-line form as mod_ssl's LegacyDNStringFormat prints it,
/// most significant attribute first (<c>/DC=ch/DC=cern/OU=Users/CN=jdoe</c>), with proxy CNs stripped.
/// </summary>
public static partial class DistinguishedNames
{
    private static readonly Dictionary<string, string> ShortNames = new()
    {
        ["2.5.4.6"] = "C", ["2.5.4.8"] = "ST", ["2.5.4.7"] = "L", ["2.5.4.10"] = "O", ["2.5.4.11"] = "OU", ["2.5.4.3"] = "CN",
        ["2.5.4.5"] = "serialNumber", ["2.5.4.4"] = "SN", ["2.5.4.42"] = "GN", ["2.5.4.12"] = "title", ["2.5.4.9"] = "street",
        ["2.5.4.17"] = "postalCode", ["0.9.2342.19200300.100.1.25"] = "DC", ["0.9.2342.19200300.100.1.1"] = "UID",
        ["1.2.840.113549.1.9.1"] = "emailAddress",
    };

    /// <summary>The slash form of a name, in the order its attributes are encoded.</summary>
    public static string Format(X500DistinguishedName name)
    {
        var parts = new List<string>();
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames(reversed: false))
            parts.Add(string.Join('+', Attributes(rdn).Select(a => $"{ShortNames.GetValueOrDefault(a.Oid, a.Oid)}={a.Value}")));
        return "/" + string.Join('/', parts);
    }

    /// <summary>Removes trailing proxy CNs (numeric, "proxy", "limited proxy"), as Rucio does before matching an identity.</summary>
    public static string StripProxy(string dn) => dn.StartsWith('/') ? SlashProxyCns().Replace(dn, "") : CommaProxyCns().Replace(dn, "");

    public static IEnumerable<(string Oid, string Value)> Attributes(X500RelativeDistinguishedName rdn)
    {
        if (!rdn.HasMultipleElements)
        {
            yield return (rdn.GetSingleElementType().Value ?? "?", rdn.GetSingleElementValue() ?? "");
            yield break;
        }
        var set = new AsnReader(rdn.RawData, AsnEncodingRules.DER).ReadSetOf();
        while (set.HasData)
        {
            var atv = set.ReadSequence();
            var oid = atv.ReadObjectIdentifier();
            var tag = atv.PeekTag();
            var value = tag.TagClass == TagClass.Universal && Enum.IsDefined((UniversalTagNumber)tag.TagValue)
                ? TryString(atv, (UniversalTagNumber)tag.TagValue) : null;
            yield return (oid, value ?? Convert.ToHexString(atv.ReadEncodedValue().Span));
        }
    }

    private static string? TryString(AsnReader r, UniversalTagNumber tag)
    {
        try { return r.ReadCharacterString(tag); }
        catch (Exception e) when (e is ArgumentException or AsnContentException) { return null; }
    }

    [GeneratedRegex("(/CN=(limited proxy|proxy|[0-9]+))+$")] private static partial Regex SlashProxyCns();
    [GeneratedRegex("^(CN=(limited proxy|proxy|[0-9]+),)+")] private static partial Regex CommaProxyCns();
}
