namespace Ferry.Functional.Tests.Infrastructure;

/// <summary>
/// Where tests leave files for people to look at (screenshots): FERRY_TEST_ARTIFACTS, else TestResults/artifacts
/// in the repository (ignored by git, beside the test results run-tests writes).
/// </summary>
public static class Artifacts
{
    public static string PathFor(string fileName)
    {
        var dir = Environment.GetEnvironmentVariable("FERRY_TEST_ARTIFACTS") is { Length: > 0 } d ? d : Path.Combine(RepositoryRoot(), "TestResults", "artifacts");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, fileName);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ferry.slnx"))) return dir.FullName;
        return Path.GetTempPath();
    }
}
