using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Rules;

/// <summary>The notify field: RULE_OK when a notifying rule is satisfied, RULE_PROGRESS by tenths with P, nothing with N.</summary>
public sealed class NotificationTests
{
    [Fact]
    public async Task Notifying_rules_leave_messages_and_silent_ones_do_not()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var a = await Site.AddPosixRseAsync(api, "NT-A");
        await Site.AddPosixRseAsync(api, "NT-B");
        var files = Site.MakeFiles("user.root", "nt", 10, _ => 1000);
        await Site.UploadAsync(api, "NT-A", a, "nt_ds", files);

        async Task<string> Rule(string notify) => (await api.JsonAsync("POST", "/rules/", JsonSerializer.Serialize(new
        {
            dids = new[] { new { scope = "user.root", name = "nt_ds" } }, copies = 1, rse_expression = notify == "N" ? "NT-A" : "NT-B",
            grouping = "DATASET", notify, account = "root",
        })))[0].GetString()!;
        var silent = await Rule("N");
        var progress = await Rule("P");
        await Site.WaitForRuleAsync(api, progress, "OK", TimeSpan.FromSeconds(60));
        await Site.WaitForRuleAsync(api, silent, "OK", TimeSpan.FromSeconds(60));

        var messages = (await api.JsonAsync("GET", "/ferry/messages")).EnumerateArray().ToList();
        Assert.DoesNotContain(messages, m => m.GetProperty("payload").GetProperty("rule_id").GetString() == silent);
        var mine = messages.Where(m => m.GetProperty("payload").GetProperty("rule_id").GetString() == progress).ToList();
        Assert.Single(mine, m => m.GetProperty("event_type").GetString() == "RULE_OK");
        var steps = mine.Where(m => m.GetProperty("event_type").GetString() == "RULE_PROGRESS").Select(m => m.GetProperty("payload").GetProperty("progress").GetInt32()).ToList();
        Assert.NotEmpty(steps);
        Assert.Equal(steps.Order(), steps);
        Assert.Equal(100, steps[^1]);

        var later = await api.JsonAsync("GET", $"/ferry/messages?since={messages[^1].GetProperty("id").GetInt64()}");
        Assert.Empty(later.EnumerateArray());
    }
}
