using Ferry.Core.Errors;
using Ferry.Core.Model;

namespace Ferry.Catalog.Dids;

public sealed partial class DidCatalog
{
    /// <summary>
    /// The children an attach adds, in request order, after checking each against the catalogue (<paramref name="found"/>:
    /// the children that exist; <paramref name="attached"/>: those already in the collection, grown as children are added):
    /// the first that may not be attached refuses the whole request with its dialect error.
    /// </summary>
    internal static List<Did> CheckAttach(Did parent, IReadOnlyList<ChildSpec> children, IReadOnlyDictionary<(string, string), Did> found,
        HashSet<(string, string)> attached, bool ignoreDuplicate, HashSet<string> ancestors)
    {
        var (scope, name) = (parent.Scope, parent.Name);
        DidType? childKind = null;
        var added = new List<Did>();
        foreach (var spec in children)
        {
            var child = found.GetValueOrDefault((spec.Scope, spec.Name)) ?? throw FerryException.DidNotFound(spec.Scope, spec.Name);
            if (parent.Type == DidType.Dataset && child.Type != DidType.File)
                throw FerryException.Conflict("UnsupportedOperation", $"Only files can be attached to dataset '{scope}:{name}'; '{spec.Scope}:{spec.Name}' is a {child.Type.Wire()}");
            if (parent.Type == DidType.Container)
            {
                if (child.Type == DidType.File)
                    throw FerryException.Conflict("UnsupportedOperation", $"A file cannot be attached directly to container '{scope}:{name}': attach it to a dataset");
                if (childKind is { } k && k != child.Type)
                    throw FerryException.Conflict("UnsupportedOperation", "A container holds either datasets or containers, not both");
                childKind = child.Type;
                if ((child.Scope == scope && child.Name == name) || ancestors.Contains($"{child.Scope}:{child.Name}"))
                    throw FerryException.Conflict("UnsupportedOperation", $"Attaching '{child.Scope}:{child.Name}' to '{scope}:{name}' would make a cycle");
            }
            CheckConsistency(child, spec);
            if (!attached.Add((child.Scope, child.Name)))
            {
                if (ignoreDuplicate) continue;
                throw FerryException.Conflict(parent.Type == DidType.Dataset ? "FileAlreadyExists" : "DuplicateContent",
                    $"'{child.Scope}:{child.Name}' is already attached to '{scope}:{name}'");
            }
            added.Add(child);
        }
        return added;
    }
}
