using Ferry.Client.Data;
using Ferry.Core.Selection;

namespace Ferry.Client.Tests.Data;

/// <summary>A `ferry data` selection translated for Rucio's DID search, and what the search cannot do.</summary>
public sealed class RucioSelectionTests
{
    [Fact]
    public void Base_filters_become_a_python_literal()
    {
        var s = new DataSelection
        {
            Meta = [new("project", "data18"), new("run's", "42")],
            CreatedAfter = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero),
        };
        // Quotes are escaped as Python reads them; times are UTC without an offset, as Rucio's client writes them.
        Assert.Equal(@"[{'name': '*', 'project': 'data18', 'run\'s': '42', 'created_at.gt': '2024-01-02T03:04:05'}]", RucioSelection.Filters(s));
        Assert.Equal("[{'name': '*'}]", RucioSelection.Filters(new DataSelection()));
    }

    [Fact]
    public void Catalogue_conditions_are_refused_by_their_option_name()
    {
        Assert.Null(RucioSelection.Unsupported(new DataSelection { Scopes = ["user.a"], Pattern = "^run" }));
        Assert.Equal("--has-rule-on", RucioSelection.Unsupported(new DataSelection { HasRuleOn = ["SITE_A"] }));
        Assert.Equal("--no-replica-on", RucioSelection.Unsupported(new DataSelection { NoReplicaOn = ["SITE_A"] }));
        Assert.Equal("--rule-expires-within", RucioSelection.Unsupported(new DataSelection { RuleExpiresWithinSeconds = 60 }));
        Assert.Equal("--container-satisfies", RucioSelection.Unsupported(new DataSelection { ContainerSatisfies = true }));
    }

    [Fact]
    public void Ferrys_all_is_rucios_collection()
    {
        Assert.Equal("dataset", RucioSelection.SearchType(SelectionType.Dataset));
        Assert.Equal("container", RucioSelection.SearchType(SelectionType.Container));
        Assert.Equal("collection", RucioSelection.SearchType(SelectionType.All));
    }
}
