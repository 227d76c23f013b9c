using System.Globalization;
using Ferry.Core.Errors;

namespace Ferry.Core.Expressions;

/// <summary>What an RSE expression can see of one RSE: attribute values (stored as text, booleans as true/false) and table properties.</summary>
public sealed record RseFacts(string Name, IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string?> Properties);

/// <summary>
/// Rucio's RSE expression language: primitives (NAME, key=value, key&lt;n, key&gt;n, *), operators | &amp; \ with no
/// precedence (strictly left to right) and parentheses. Only the final set must be non-empty.
/// </summary>
public sealed class RseExpression
{
    private readonly Node _root;
    public string Text { get; }

    private RseExpression(string text, Node root) { Text = text; _root = root; }

    public static RseExpression Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) throw Error("the expression is empty", text ?? "", 0);
        var parser = new Parser(text);
        var node = parser.ParseExpression();
        if (parser.Pos != text.Length)
            throw Error(text[parser.Pos] == ')' ? "unbalanced ')'" : $"unexpected '{text[parser.Pos]}'", text, parser.Pos);
        return new RseExpression(text, node);
    }

    /// <summary>The RSE names selected; throws InvalidRSEExpression when the result is empty.</summary>
    public IReadOnlyList<string> Evaluate(IReadOnlyCollection<RseFacts> rses)
    {
        var result = _root.Eval(rses);
        if (result.Count == 0) throw new FerryException("InvalidRSEExpression", 400, $"RSE Expression resulted in an empty set: '{Text}' selects no RSE.");
        return result.Order(StringComparer.Ordinal).ToList();
    }

    internal static FerryException Error(string what, string text, int pos) =>
        new("InvalidRSEExpression", 400, $"Invalid RSE expression '{text}' at position {pos + 1}: {what}");

    private abstract record Node { public abstract HashSet<string> Eval(IReadOnlyCollection<RseFacts> rses); }

    private sealed record Binary(char Op, Node Left, Node Right) : Node
    {
        public override HashSet<string> Eval(IReadOnlyCollection<RseFacts> rses)
        {
            var l = Left.Eval(rses);
            var r = Right.Eval(rses);
            switch (Op)
            {
                case '|': l.UnionWith(r); break;
                case '&': l.IntersectWith(r); break;
                default: l.ExceptWith(r); break;
            }
            return l;
        }
    }

    private sealed record Primitive(string Key, char Cmp, string Value) : Node
    {
        private static readonly HashSet<string> BooleanProperties = ["deterministic", "volatile", "staging_area", "availability_read", "availability_write", "availability_delete", "deleted"];

        public override HashSet<string> Eval(IReadOnlyCollection<RseFacts> rses)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var rse in rses)
                if (Matches(rse)) set.Add(rse.Name);
            return set;
        }

        private bool Matches(RseFacts rse)
        {
            if (Cmp == '*') return true;
            if (Cmp is '<' or '>')
            {
                if (!rse.Attributes.TryGetValue(Key, out var raw)) return false;
                if (!double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var limit)) return false;
                double? v = raw == "true" ? 1 : raw == "false" ? 0 : double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
                return v is { } x && (Cmp == '<' ? x < limit : x > limit);
            }
            // Properties of the RSE row shadow attributes of the same name, as in Rucio.
            if (rse.Properties.ContainsKey(Key))
                return PropertyEquals(rse.Properties[Key]);
            return rse.Attributes.TryGetValue(Key, out var value) && value == NormaliseValue(Value);
        }

        private bool PropertyEquals(string? actual)
        {
            if (BooleanProperties.Contains(Key))
            {
                var want = Value.ToLowerInvariant() switch
                {
                    "1" or "true" => "true", "0" or "false" => "false",
                    _ => throw FerryException.Invalid($"Invalid value '{Value}' for RSE property '{Key}': expected true or false"),
                };
                return actual == want;
            }
            if (Key == "rse_type" && Value is not ("DISK" or "TAPE"))
                throw FerryException.Invalid($"Invalid value '{Value}' for rse_type: expected DISK or TAPE");
            return actual == Value;
        }
    }

    /// <summary>How attribute values are stored: booleans in any case become true/false, everything else verbatim.</summary>
    public static string NormaliseAttributeValue(string v) => NormaliseValue(v);

    internal static string NormaliseValue(string v) =>
        v.Equals("true", StringComparison.OrdinalIgnoreCase) ? "true" : v.Equals("false", StringComparison.OrdinalIgnoreCase) ? "false" : v;

    private sealed class Parser(string text)
    {
        public int Pos;

        public Node ParseExpression()
        {
            var left = ParseTerm();
            while (Pos < text.Length && text[Pos] is '|' or '&' or '\\')
            {
                var op = text[Pos++];
                left = new Binary(op, left, ParseTerm());
            }
            return left;
        }

        private Node ParseTerm()
        {
            if (Pos >= text.Length) throw Error("an RSE name, attribute or '(' was expected after the operator", text, Pos);
            if (text[Pos] == '(')
            {
                var open = Pos++;
                var inner = ParseExpression();
                if (Pos >= text.Length || text[Pos] != ')') throw Error("unbalanced '(': no matching ')'", text, open);
                Pos++;
                return inner;
            }
            if (text[Pos] == '*') { Pos++; return new Primitive("*", '*', ""); }
            var start = Pos;
            while (Pos < text.Length && IsKeyChar(text[Pos])) Pos++;
            if (Pos == start) throw Error($"unexpected '{text[Pos]}'", text, Pos);
            var key = text[start..Pos];
            if (Pos < text.Length && text[Pos] is '=' or '<' or '>')
            {
                var cmp = text[Pos++];
                var vstart = Pos;
                while (Pos < text.Length && (char.IsAsciiLetterOrDigit(text[Pos]) || text[Pos] is '_' or '-')) Pos++;
                if (Pos == vstart) throw Error($"a value was expected after '{cmp}'", text, Pos);
                if (Pos < text.Length && text[Pos] is '=' or '<' or '>' or '.') throw Error($"unexpected '{text[Pos]}' in the value", text, Pos);
                return new Primitive(key, cmp, text[vstart..Pos]);
            }
            if (!IsWord(key)) throw Error($"'{key}' is not a valid RSE name or attribute key", text, start);
            return new Primitive(key, '=', "true");
        }

        private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';

        private static bool IsWord(string w) =>
            w.Length > 0 && char.IsAsciiLetterOrDigit(w[0]) && char.IsAsciiLetterOrDigit(w[^1]) && !w.Contains('.')
            && !w.Contains("__", StringComparison.Ordinal) && !w.Contains("--", StringComparison.Ordinal)
            && !w.Contains("_-", StringComparison.Ordinal) && !w.Contains("-_", StringComparison.Ordinal);
    }
}
