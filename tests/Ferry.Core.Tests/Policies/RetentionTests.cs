using Ferry.Core.Model;
using Ferry.Core.Policies;

namespace Ferry.Core.Tests.Policies;

public sealed class RetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly RetentionPolicy TwoCopiesTenDays = new(2, TimeSpan.FromDays(10));

    [Fact]
    public void With_one_other_verified_copy_a_K2_policy_keeps_even_old_data()
    {
        var v = Retention.Decide(TwoCopiesTenDays, new(ReplicaState.Available, Now.AddDays(-400), 0, 1), Now);
        Assert.False(v.Delete);
        Assert.Contains("only 1 verified copies elsewhere", v.Reason);
    }

    [Fact]
    public void With_two_other_copies_it_deletes_once_the_age_is_reached_and_not_before()
    {
        var young = Retention.Decide(TwoCopiesTenDays, new(ReplicaState.Available, Now.AddDays(-9.9), 0, 2), Now);
        Assert.False(young.Delete);
        Assert.Contains("days old", young.Reason);
        Assert.True(Retention.Decide(TwoCopiesTenDays, new(ReplicaState.Available, Now.AddDays(-10), 0, 2), Now).Delete);
    }

    [Fact]
    public void A_locked_or_copying_replica_is_never_deleted()
    {
        Assert.False(Retention.Decide(TwoCopiesTenDays, new(ReplicaState.Available, Now.AddDays(-100), 1, 5), Now).Delete);
        Assert.False(Retention.Decide(TwoCopiesTenDays, new(ReplicaState.Copying, Now.AddDays(-100), 0, 5), Now).Delete);
    }

    [Fact]
    public void A_bad_copy_goes_whatever_its_age_but_only_when_K_good_ones_exist()
    {
        Assert.True(Retention.Decide(TwoCopiesTenDays, new(ReplicaState.Bad, Now, 0, 2), Now).Delete);
        Assert.False(Retention.Decide(TwoCopiesTenDays, new(ReplicaState.Bad, Now.AddDays(-100), 0, 1), Now).Delete);
    }

    /// <summary>
    /// Every RSE holding a copy has the same policy and applies it in a random order, each decision seeing the
    /// deletions before it (as the catalogue's transaction does): a file never drops below K copies, and a file
    /// with K or fewer copies loses none.
    /// </summary>
    [Fact]
    public void Property_the_last_K_copies_are_never_lost()
    {
        var rng = new Random(20261202);
        for (var trial = 0; trial < 20_000; trial++)
        {
            var k = rng.Next(1, 5);
            var policy = new RetentionPolicy(k, TimeSpan.FromDays(rng.Next(0, 30)));
            var copies = Enumerable.Range(0, rng.Next(0, 9)).Select(_ => (Age: TimeSpan.FromDays(rng.NextDouble() * 60), Bad: rng.Next(10) == 0, Gone: false)).ToArray();
            var initialGood = copies.Count(c => !c.Bad);
            var rounds = rng.Next(1, 4);
            for (var round = 0; round < rounds; round++)
            {
                foreach (var i in Enumerable.Range(0, copies.Length).OrderBy(_ => rng.Next()))
                {
                    if (copies[i].Gone) continue;
                    var elsewhere = copies.Where((c, j) => j != i && !c.Gone && !c.Bad).Count();
                    var state = copies[i].Bad ? ReplicaState.Bad : ReplicaState.Available;
                    if (Retention.Decide(policy, new(state, Now - copies[i].Age, 0, elsewhere), Now).Delete) copies[i].Gone = true;
                }
            }
            var good = copies.Count(c => !c.Gone && !c.Bad);
            Assert.True(good >= Math.Min(initialGood, k), $"trial {trial}: K={k}, {initialGood} good copies became {good}");
            if (initialGood <= k) Assert.Equal(initialGood, good);
        }
    }
    [Fact]
    public void By_access_the_age_counts_from_the_given_instant_and_the_reason_says_so()
    {
        var byAccess = new RetentionPolicy(2, TimeSpan.FromDays(30), RetentionAge.Access);
        var kept = Retention.Decide(byAccess, new(ReplicaState.Available, Now.AddDays(-29), 0, 2), Now);
        Assert.False(kept.Delete);
        Assert.Equal("29 days since last access, the policy keeps copies for 30 days", kept.Reason);
        Assert.True(Retention.Decide(byAccess, new(ReplicaState.Available, Now.AddDays(-31), 0, 2), Now).Delete);
        Assert.Equal(RetentionAge.Access, RetentionPolicy.ParseAgeBy("access"));
        Assert.Equal("created", RetentionPolicy.Wire(RetentionPolicy.ParseAgeBy("created")));
        Assert.Equal(400, Assert.Throws<Ferry.Core.Errors.FerryException>(() => RetentionPolicy.ParseAgeBy("atime")).Status);
    }
}
