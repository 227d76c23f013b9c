using Ferry.Core.Errors;
using Ferry.Core.Rules;

namespace Ferry.Core.Tests.Rules;

public sealed class RseSelectorTests
{
    [Fact]
    public void Picks_distinct_rses_and_prefers_those_holding_data()
    {
        var candidates = new[] { new RseCandidate("A", 1, 0), new RseCandidate("B", 1, 500), new RseCandidate("C", 1, 0) };
        for (var seed = 0; seed < 50; seed++)
        {
            var chosen = RseSelector.Select(candidates, 2, [], new Random(seed));
            Assert.Equal(2, chosen.Distinct().Count());
            Assert.Equal("B", chosen[0]);
        }
    }

    [Fact]
    public void Keeps_rses_already_chosen()
    {
        var candidates = new[] { new RseCandidate("A", 1, 0), new RseCandidate("B", 1, 0), new RseCandidate("C", 1, 0) };
        Assert.Equal(["C", "A"], RseSelector.Select(candidates, 2, ["C", "A"], new Random(1)));
    }

    [Fact]
    public void Draws_in_proportion_to_weight()
    {
        var candidates = new[] { new RseCandidate("HEAVY", 9, 0), new RseCandidate("LIGHT", 1, 0) };
        var random = new Random(42);
        var heavy = Enumerable.Range(0, 2000).Count(_ => RseSelector.Select(candidates, 1, [], random)[0] == "HEAVY");
        Assert.InRange(heavy, 1700, 1900);
    }

    [Fact]
    public void Too_few_rses_is_InsufficientTargetRSEs()
    {
        var e = Assert.Throws<FerryException>(() => RseSelector.Select([new RseCandidate("A", 1, 0)], 2, [], new Random(0)));
        Assert.Equal("InsufficientTargetRSEs", e.ExceptionClass);
    }
}
