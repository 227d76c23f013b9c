using Ferry.Catalog.Dids;
using Ferry.Catalog.Tests.Infrastructure;
using Ferry.Core.Errors;
using Ferry.Core.Model;

namespace Ferry.Catalog.Tests.Dids;

/// <summary>The paged file listing gives what one query over the whole tree gave: every file once, in name order.</summary>
public sealed class FileListingTests
{
    [Fact]
    public async Task A_dataset_lists_across_page_boundaries_in_name_order()
    {
        await using var t = await new TestCatalog().WithRses("SRC");
        await t.Dataset("ds", "SRC", 25);
        foreach (var pageSize in new[] { 1, 7, 25, 1000 })
        {
            var names = await Names(await t.Dids.ListFilesAsync("test", "ds", pageSize: pageSize));
            Assert.Equal((await t.Dids.FilesAsync("test", "ds")).Select(f => f.Name), names);
            Assert.Equal(25, names.Distinct().Count());
        }
    }

    [Fact]
    public async Task A_container_lists_the_files_of_its_datasets_once_and_a_file_lists_itself()
    {
        await using var t = await new TestCatalog().WithRses("SRC");
        await t.Dataset("a", "SRC", 3);
        await t.Dataset("b", "SRC", 2);
        await t.Dids.AttachAsync("test", "b", [new ChildSpec("test", "a_f0")]);
        await t.Dids.AddCollectionAsync("test", "c", DidType.Container, "root", null, null);
        await t.Dids.AttachAsync("test", "c", [new ChildSpec("test", "a"), new ChildSpec("test", "b")]);
        Assert.Equal(["a_f0", "a_f1", "a_f2", "b_f0", "b_f1"], await Names(await t.Dids.ListFilesAsync("test", "c", pageSize: 2)));
        Assert.Equal(["a_f1"], await Names(await t.Dids.ListFilesAsync("test", "a_f1")));
        var e = await Assert.ThrowsAsync<FerryException>(() => t.Dids.ListFilesAsync("test", "missing"));
        Assert.Equal("DataIdentifierNotFound", e.ExceptionClass);
    }

    private static async Task<List<string>> Names(IAsyncEnumerable<DidFileRow> rows)
    {
        var names = new List<string>();
        await foreach (var r in rows) names.Add(r.Name);
        return names;
    }
}
