using Ferry.Client.Settings;

namespace Ferry.Client.Tests.Settings;

/// <summary>
/// Settings from a dictionary standing in for the environment. HOME and FERRY_HOME point at a directory that does not
/// exist, so no config file, rucio.cfg or server.json is found; with URL and password set, the system-wide rucio.cfg is
/// never consulted either.
/// </summary>
public sealed class ClientSettingsTests
{
    private const string Nowhere = "/nonexistent/ferry-client-tests";

    private static Dictionary<string, string?> Env(params (string, string?)[] values)
    {
        var env = new Dictionary<string, string?> { ["HOME"] = Nowhere, ["FERRY_HOME"] = Nowhere + "/.ferry" };
        foreach (var (k, v) in values) env[k] = v;
        return env;
    }

    [Fact]
    public void Environment_values_are_taken_and_the_url_loses_its_trailing_slash()
    {
        var s = ClientSettings.Resolve(Env(("FERRY_URL", "https://ferry.example.org/"), ("FERRY_ACCOUNT", "alice"), ("FERRY_PASSWORD", "secret")));
        Assert.Equal("https://ferry.example.org", s.Url);
        Assert.Equal("alice", s.Account);
        Assert.Equal("secret", s.Password);
        Assert.Equal("environment", s.Source);
    }

    [Fact]
    public void The_username_defaults_to_the_account_but_an_explicit_one_wins()
    {
        var env = Env(("FERRY_URL", "http://h:1"), ("FERRY_ACCOUNT", "alice"), ("FERRY_PASSWORD", "p"));
        Assert.Equal("alice", ClientSettings.Resolve(env).Username);
        env["FERRY_USERNAME"] = "alice.smith";
        Assert.Equal("alice.smith", ClientSettings.Resolve(env).Username);
    }

    [Fact]
    public void A_token_alone_needs_no_password()
    {
        var s = ClientSettings.Resolve(Env(("FERRY_URL", "http://h:1"), ("FERRY_TOKEN", "tok"), ("FERRY_PASSWORD", null)));
        Assert.Equal("tok", s.Token);
        Assert.Null(s.Password);
    }

    [Fact]
    public void Ferry_home_is_FERRY_HOME_else_dot_ferry_in_home()
    {
        Assert.Equal("/srv/ferry", ClientSettings.FerryHome(new Dictionary<string, string?> { ["FERRY_HOME"] = "/srv/ferry", ["HOME"] = "/home/a" }));
        Assert.Equal("/home/a/.ferry", ClientSettings.FerryHome(new Dictionary<string, string?> { ["FERRY_HOME"] = "", ["HOME"] = "/home/a" }));
    }

    [Fact]
    public void Rse_credentials_are_explicit_or_beside_the_config_file()
    {
        Assert.Equal("/etc/creds.json", ClientSettings.RseCredentialsPath(new Dictionary<string, string?> { ["FERRY_RSE_CREDENTIALS"] = "/etc/creds.json" }));
        Assert.Equal("/etc/ferry/rse-credentials.json", ClientSettings.RseCredentialsPath(new Dictionary<string, string?> { ["FERRY_CONFIG"] = "/etc/ferry/client.json" }));
        Assert.Equal("/home/a/.config/ferry/rse-credentials.json", ClientSettings.RseCredentialsPath(new Dictionary<string, string?> { ["HOME"] = "/home/a" }));
    }

    [Fact]
    public void Rucio_cfg_sections_are_read_with_comments_and_both_separators()
    {
        const string cfg = """
            [common]
            account = wrong
            [client]
            # a comment
            rucio_host = https://rucio.example.org
            ; another
            Account: alice
            password=  s3cret
            """;
        var client = IniFile.Section(cfg, "CLIENT");
        Assert.Equal("https://rucio.example.org", client["rucio_host"]);
        Assert.Equal("alice", client["account"]);
        Assert.Equal("s3cret", client["password"]);
        Assert.Equal(3, client.Count);
    }
}
